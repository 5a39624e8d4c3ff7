"""Requests that are not Slack's: refused before anything parses them, with no traceback in the log."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests import factories
from tests.conftest import SECRET, Stack
from workspace.signing import sign_request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _interaction(payload: object) -> bytes:
    return b"payload=" + urllib.parse.quote(json.dumps(payload)).encode()


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"payload=not-json{", FORM),
        (b"{not json", JSON),
        (b"command=%2Fstage&text=status&user_id=U0ANNA", FORM),
        (b"payload=x", FORM | {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=abc"}),
        (b"payload=x", FORM | {"X-Slack-Request-Timestamp": "²³", "X-Slack-Signature": "v0=abc"}),
        (b"payload=x", FORM | {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=é"}),
        (b"\xff\xfe\x00", FORM),
    ],
    ids=["form", "json", "command", "timestamp-abc", "timestamp-superscript-digits", "signature", "binary"],
)
def test_an_unsigned_request_is_refused_with_401(
    wire: Stack, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict[str, str]
) -> None:
    caplog.set_level(logging.INFO)
    status, _ = _post(wire.bot_url, body, headers)
    assert status == 401
    _no_traceback(caplog)


def test_a_stale_or_tampered_signature_is_refused(wire: Stack, caplog: pytest.LogCaptureFixture) -> None:
    body = b"command=%2Fstage&text=status&user_id=U0ANNA"
    stale = sign_request(SECRET, body, timestamp=1_000_000_000)
    assert _post(wire.bot_url, body, FORM | stale)[0] == 401
    signed = sign_request(SECRET, body)
    assert _post(wire.bot_url, body.replace(b"status", b"xxxxxx"), FORM | signed)[0] == 401
    _no_traceback(caplog)


def test_a_body_of_20_mb_is_refused_with_413_unread(wire: Stack, caplog: pytest.LogCaptureFixture) -> None:
    body = b"payload=" + b"A" * (20 * 1024 * 1024)
    assert _post(wire.bot_url, body, FORM)[0] == 413
    assert _post(wire.bot_url, body, FORM | sign_request(SECRET, body))[0] == 413
    _no_traceback(caplog)


def test_a_body_just_under_the_limit_reaches_the_signature_check(wire: Stack) -> None:
    body = b"payload=" + b"A" * (1024 * 1024 - 100)
    assert _post(wire.bot_url, body, FORM)[0] == 401


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"payload=not-json{", FORM),
        (b"{not json", JSON),
        (b"[1, 2]", JSON),
        (b"\xff\xfe", FORM),
        (b"command=%2Fstage&text=status", FORM),
        (_interaction({"type": "block_actions", "actions": [{"action_id": "x"}]}), FORM),
        (_interaction({"type": "block_actions", "user": "U0ANNA", "actions": [{"action_id": "x"}]}), FORM),
        (_interaction({"type": "block_actions", "user": {"id": "U0ANNA"}, "actions": "x"}), FORM),
        (
            _interaction(
                {"type": "block_actions", "user": {"id": "U0X"}, "actions": [{"action_id": "a", "value": 5}]}
            ),
            FORM,
        ),
        (_interaction({"type": "view_submission", "user": {"id": "U0ANNA"}, "view": "x"}), FORM),
        (
            _interaction(
                {"type": "view_submission", "user": {"id": "U0ANNA"}, "view": {"state": {"values": [1]}}}
            ),
            FORM,
        ),
        (_interaction({"user": {"id": "U0ANNA"}}), FORM),
        (
            _interaction({"type": "view_submission", "user": {"id": "U0ANNA"}, "view": {"callback_id": "x"}}),
            FORM,
        ),
        (json.dumps({"type": "event_callback", "event": "x"}).encode(), JSON),
        (json.dumps({"type": "event_callback", "event": {"type": "message", "user": {}}}).encode(), JSON),
        (json.dumps({"type": "url_verification"}).encode(), JSON),
    ],
    ids=[
        "form-not-json",
        "json-not-json",
        "json-list",
        "not-utf8",
        "command-without-user",
        "action-without-user",
        "user-as-string",
        "actions-as-string",
        "value-as-number",
        "view-as-string",
        "values-as-list",
        "no-type",
        "view-without-state",
        "event-as-string",
        "event-user-as-object",
        "challenge-missing",
    ],
)
def test_a_signed_malformed_request_gets_400_and_a_warning_never_a_traceback(
    wire: Stack, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict[str, str]
) -> None:
    with wire.session() as s:
        factories.student(s, "U0ANNA", "Anna De Smet")
    caplog.set_level(logging.INFO)
    status, _ = _post(wire.bot_url, body, headers | sign_request(SECRET, body))
    assert status == 400
    _no_traceback(caplog)
    assert any(r.levelno == logging.WARNING and "refused a signed" in r.getMessage() for r in caplog.records)
    assert wire.ws.calls() == []  # nothing reached a listener


def test_what_slack_really_sends_still_works(wire: Stack) -> None:
    with wire.session() as s:
        factories.student(s, "U0ANNA", "Anna De Smet")
    wire.sync_users()
    assert wire.ws.slash_command("U0ANNA", "/stage", "status").ok
    assert wire.ws.send_dm("U0ANNA", "hallo").ok
    challenge = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"}).encode()
    status, body = _post(wire.bot_url, challenge, JSON | sign_request(SECRET, challenge))
    assert status == 200 and b"c-123" in body


def test_a_damaged_document_link_is_a_page_not_a_500(wire: Stack, caplog: pytest.LogCaptureFixture) -> None:
    base = wire.bot_url.removesuffix("/slack/events")
    for path in ("/documents/%C3%A9", "/documents/%FF", "/documents/a.%C3%A9", "/documents/" + "A" * 5000):
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 403, path
    _no_traceback(caplog)
