"""Deliveries are signed exactly as Slack signs them, checked with slack_sdk's own verifier."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier
from ws_helpers import SECRET, STUDENT, FakeBot

from workspace import Workspace, sign_request, verify_request


def test_sign_request_is_accepted_by_slack_sdk() -> None:
    body = b"token=x&command=%2Fstage&text=status"
    headers = sign_request(SECRET, body)
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)


def test_sign_request_with_given_timestamp_is_deterministic() -> None:
    first = sign_request(SECRET, b"{}", timestamp=1_700_000_000)
    assert first == sign_request(SECRET, b"{}", timestamp=1_700_000_000)
    assert first["X-Slack-Request-Timestamp"] == "1700000000"
    assert first != sign_request(SECRET, b"{}", timestamp=1_700_000_001)


def test_verify_request_rejects_tampering_and_age() -> None:
    body = b'{"type":"event_callback"}'
    headers = sign_request(SECRET, body)
    assert verify_request(SECRET, body, headers)
    assert not verify_request(SECRET, body + b" ", headers)
    old = sign_request(SECRET, body, timestamp=int(time.time()) - 301)
    assert not verify_request(SECRET, body, old)
    assert not verify_request(SECRET, body, {})


def test_every_kind_of_delivery_verifies(ws: Workspace, bot: FakeBot) -> None:
    ws.slash_command(STUDENT, "/stage", "status")
    ws.open_home(STUDENT)
    ws.send_dm(STUDENT, "hallo")
    assert [r.kind for r in bot.received] == ["slash_command", "event_callback", "event_callback"]
    assert all(r.signed for r in bot.received)


def test_tampered_body_is_rejected_by_the_bot(ws: Workspace, bot: FakeBot) -> None:
    body = b"command=%2Fstage&text=status&user_id=U0STUDENT1"
    headers = sign_request(SECRET, body) | {"Content-Type": "application/x-www-form-urlencoded"}
    assert ws.post_raw(body, headers).status == 200
    tampered = ws.post_raw(body.replace(b"status", b"approve"), headers)
    assert tampered.status == 401
    assert [r.signed for r in bot.received] == [True, False]


def test_stale_signature_is_rejected_by_the_bot(ws: Workspace) -> None:
    body = b"command=%2Fstage&text=status"
    headers = sign_request(SECRET, body, timestamp=int(time.time()) - 600)
    assert ws.post_raw(body, headers | {"Content-Type": "application/x-www-form-urlencoded"}).status == 401


def test_redelivery_keeps_body_and_event_id_adds_retry_headers(ws: Workspace, bot: FakeBot) -> None:
    first = ws.send_dm(STUDENT, "mijn status?")
    again = ws.redeliver(first, retry_num=2, reason="http_error")
    original, retry = bot.received
    assert retry.signed and retry.raw == original.raw
    assert retry.payload["event_id"] == original.payload["event_id"]
    assert retry.headers["X-Slack-Retry-Num"] == "2"
    assert retry.headers["X-Slack-Retry-Reason"] == "http_error"
    assert "X-Slack-Retry-Num" not in original.headers
    assert again.status == 200
