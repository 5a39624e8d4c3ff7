"""What a request to `/slack/events` must pass before anything parses it: a size limit, Slack's signature,
and then the shape of what Bolt and the listeners will read.

Unsigned or oversized requests are refused without being read (401, 413): garbage from anywhere on the
internet costs nothing and logs no traceback. A correctly signed request that is not what Slack sends (a
body that is no JSON, an interaction without its user, a view that is a string) is refused with 400 and a
warning: Slack never sends those, so it is a bug or a forged request with a leaked secret, worth knowing.
Bolt still checks the signature itself afterwards; this check runs first so that nothing fails before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Request, Response

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Slack's largest payloads (a modal full of blocks) stay far below this
MAX_AGE_SECONDS = 300  # as Slack advises and Bolt checks: older (or future) timestamps are replays
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def too_large(content_length: int | None) -> Refusal | None:
    """Decided on the declared length, before the body is read."""
    if content_length is not None and content_length > MAX_BODY_BYTES:
        return Refusal(413, "request body too large")
    return None


def signature_problem(secret: str, body: bytes, headers: Mapping[str, str], now: float) -> Refusal | None:
    """None when the headers carry Slack's fresh v0 signature of exactly these bytes."""
    raw_ts = headers.get(TIMESTAMP_HEADER) or ""
    given = headers.get(SIGNATURE_HEADER) or ""
    if not secret:
        return Refusal(401, "no signing secret configured")
    if not (raw_ts.isascii() and raw_ts.isdigit()) or not given.isascii():
        return Refusal(401, "missing or malformed signature headers")
    if abs(now - int(raw_ts)) > MAX_AGE_SECONDS:
        return Refusal(401, "stale timestamp")
    base = b"v0:" + raw_ts.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return Refusal(401, "signature does not match")
    return None


# --- the shape of a signed request ------------------------------------------------------------------------


def parsed(body: bytes, content_type: str | None) -> dict[str, Any] | Refusal:
    """The body as Bolt will read it (the same rules), or why it cannot be read."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    if not text:
        return Refusal(400, "empty body")
    try:
        if content_type == "application/json" or text.startswith("{"):
            value: Any = json.loads(text)
        elif "payload" in text:
            value = json.loads(dict(parse_qsl(text, keep_blank_values=True)).get("payload") or "{}")
        else:
            value = dict(parse_qsl(text, keep_blank_values=True))
    except ValueError:
        return Refusal(400, "body is not valid JSON")
    if not isinstance(value, dict):
        return Refusal(400, "body is not a JSON object")
    return value


_OBJECTS = ("team", "user", "channel", "container", "message", "view", "enterprise", "state", "actions")
_NEEDS_USER = {
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
}
_USER_IS_OBJECT = {"user_change", "team_join", "user_profile_changed", "user_status_changed"}


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _view_problem(view: Any, *, submitted: bool = False) -> str | None:
    if not isinstance(view, dict):
        return "view is not an object"
    if submitted and not isinstance(view.get("state"), dict):
        return "a submitted view without its state"
    for key in ("callback_id", "private_metadata", "id", "hash", "type"):
        if key in view and view[key] is not None and not _is_str(view[key]):
            return f"view.{key} is not a string"
    state = view.get("state")
    if state is None:
        return None
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return "view.state.values is not an object"
    for block in values.values():
        if not isinstance(block, dict) or not all(isinstance(e, dict) for e in block.values()):
            return "view.state.values holds something that is not an input"
    return None


def _actions_problem(actions: Any) -> str | None:
    if not isinstance(actions, list) or not actions:
        return "actions is not a list of actions"
    for action in actions:
        if not isinstance(action, dict) or not _is_str(action.get("action_id")):
            return "an action has no action_id"
        for key in ("value", "block_id", "selected_date", "selected_user", "type"):
            if key in action and action[key] is not None and not _is_str(action[key]):
                return f"action.{key} is not a string"
        for key in ("selected_option",):
            if action.get(key) is not None and not isinstance(action[key], dict):
                return f"action.{key} is not an object"
    return None


def _interaction_problem(payload: dict[str, Any]) -> str | None:
    kind = payload.get("type")
    for key in _OBJECTS:
        value = payload.get(key)
        expected = list if key == "actions" else dict
        if value is not None and not isinstance(value, expected):
            return f"{key} is not {'a list' if expected is list else 'an object'}"
    if kind in _NEEDS_USER:
        user = payload.get("user")
        if not isinstance(user, dict) or not _is_str(user.get("id")) or not user.get("id"):
            return "no user"
    if kind == "block_actions" and (problem := _actions_problem(payload.get("actions"))):
        return problem
    if kind in ("view_submission", "view_closed") or payload.get("view") is not None:
        return _view_problem(payload.get("view"), submitted=kind == "view_submission")
    return None


def _event_problem(payload: dict[str, Any]) -> str | None:
    event = payload.get("event")
    if not isinstance(event, dict) or not _is_str(event.get("type")):
        return "event is not an object with a type"
    if "user" in event and not _is_str(event["user"]) and event["type"] not in _USER_IS_OBJECT:
        return "event.user is not a string"
    for key in ("channel", "text", "ts", "channel_type", "subtype", "user_id", "file_id", "tab"):
        value = event.get(key)
        if value is not None and not _is_str(value) and not (key == "channel" and isinstance(value, dict)):
            return f"event.{key} is not a string"
    files = event.get("files")
    if files is not None and not (isinstance(files, list) and all(isinstance(f, dict) for f in files)):
        return "event.files is not a list of files"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list"
    return None


def shape_problem(payload: dict[str, Any]) -> str | None:
    """Why a signed payload is not one Slack sends (and the listeners could not read), or None."""
    kind = payload.get("type")
    if "command" in payload:  # a slash command: a form of strings
        if not payload.get("user_id") or not payload.get("command"):
            return "slash command without user or command"
        return None
    if payload.get("ssl_check"):
        return None
    if not _is_str(kind):
        return "no type"
    if kind == "url_verification":
        return None if _is_str(payload.get("challenge")) else "url_verification without challenge"
    if kind == "event_callback":
        return _event_problem(payload)
    return _interaction_problem(payload)


def check(
    secret: str, body: bytes, headers: Mapping[str, str], content_type: str | None, now: float
) -> Refusal | None:
    """None when the request may go on to Bolt; else the answer to give (and the refusal is logged)."""
    refusal = signature_problem(secret, body, headers, now)
    if refusal is not None:
        logger.info("refused a request to /slack/events: %s", refusal.reason)
        return refusal
    payload = parsed(body, content_type)
    if isinstance(payload, Refusal):
        logger.warning("refused a signed request: %s", payload.reason)
        return payload
    problem = shape_problem(payload)
    if problem is not None:
        logger.warning("refused a signed %s request: %s", payload.get("type") or "form", problem)
        return Refusal(400, problem)
    return None


def refuse(request: Request, secret: str) -> Response | None:
    """The answer for a request that may not reach Bolt, or None. The size is judged before the body is
    read, the signature (on Slack's clock: real time, as Bolt) before it is parsed."""
    refusal = too_large(request.content_length)
    if refusal is None:
        body = request.get_data(cache=True)
        content_type = (request.headers.get("Content-Type") or "").split(";")[0] or None
        signed = {name: request.headers.get(name, "") for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)}
        refusal = check(secret, body, signed, content_type, time.time())
    if refusal is None:
        return None
    return Response(refusal.reason, status=refusal.status, mimetype="text/plain")
