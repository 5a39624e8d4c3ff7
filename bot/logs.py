"""The bot's log: one line per request and per job (request id, action, duration, outcome), as text or as
JSON lines (`STAGEBOT_LOG_FORMAT=json`).

What a line may carry is fixed here: Slack ids, record ids, kinds and outcomes. Never a name, an e-mail
address, a message's text or a file's contents: the people who read the logs are not the people the
programme lets read a student's file. `describe` therefore reads only the shape of a Slack request.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_ENV = "STAGEBOT_LOG_FORMAT"
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
FIELDS = ("request_id", "parent_id", "action", "outcome", "duration_ms", "user", "job_id", "kind", "status")

_request_id: ContextVar[str] = ContextVar("stagebot_request_id", default="-")
_outcome: ContextVar[list[str] | None] = ContextVar("stagebot_outcome", default=None)


class RequestIdFilter(logging.Filter):
    """Every line names the request or job it belongs to ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the known fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class LogFormatError(ValueError):
    """STAGEBOT_LOG_FORMAT names no format this bot writes."""


def log_format(value: str | None = None) -> str:
    """The format asked for in the environment; an unknown one is refused rather than guessed."""
    chosen = (value if value is not None else os.environ.get(FORMAT_ENV, "text")).strip().lower() or "text"
    if chosen not in FORMATS:
        raise LogFormatError(f"{FORMAT_ENV} must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


def configure(level: int, fmt: str = "text") -> None:
    """The root logger: one handler on standard error, in the chosen format (as logging.basicConfig, a
    root that already has someone else's handler keeps it and only gets the level)."""
    root = logging.getLogger()
    root.setLevel(level)
    ours = [h for h in root.handlers if isinstance(h, _Handler)]
    if root.handlers and not ours:
        return
    for old in ours:
        root.removeHandler(old)
    handler = _Handler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)


class _Handler(logging.StreamHandler):
    """The bot's own handler on standard error, told apart from a test's or a host's."""


def current_request_id() -> str:
    return _request_id.get()


def mark(outcome: str) -> None:
    """Name how the request or job in progress ended (a copy ignored, refused, ...) when it is not "ok"."""
    holder = _outcome.get()
    if holder is not None:
        holder[0] = outcome


class Line:
    """The line a request or job will log; what it is may be learnt once it has begun (`name`)."""

    def __init__(self, kind: str, action: str, request_id: str | None, fields: dict[str, Any]) -> None:
        self.kind, self.action, self.fields = kind, action, fields
        self.outcome = ""
        self.request_id = request_id or uuid.uuid4().hex[:12]
        parent = _request_id.get()  # a job started by a request names it
        if parent != "-" and parent != self.request_id:
            self.fields.setdefault("parent_id", parent)

    def name(self, action: str, request_id: str | None = None, **fields: Any) -> None:
        """What the request turned out to be; its own id (Slack's) replaces the one made up at the start."""
        self.action = action
        self.fields |= fields
        if request_id:
            self.request_id = request_id
            _request_id.set(request_id)


@contextmanager
def timed(
    logger: logging.Logger, kind: str, action: str, request_id: str | None = None, **fields: Any
) -> Iterator[Line]:
    """Run the block as one request or job and log its one line when it ends, however it ends."""
    line = Line(kind, action, request_id, fields)
    token = _request_id.set(line.request_id)
    outcome_token = _outcome.set(holder := [""])
    start = time.perf_counter()
    try:
        yield line
    except BaseException:
        holder[0] = holder[0] or "error"
        raise
    finally:
        outcome = holder[0] or "ok"
        duration = round((time.perf_counter() - start) * 1000, 1)
        extra = {"request_id": line.request_id, "action": line.action, "outcome": outcome}
        extra |= {"duration_ms": duration} | {k: v for k, v in line.fields.items() if v is not None}
        logger.log(
            logging.WARNING if outcome == "error" else logging.INFO,
            "%s %s: %s in %.1f ms",
            kind,
            line.action,
            outcome,
            duration,
            extra=extra,
        )
        _outcome.reset(outcome_token)
        _request_id.reset(token)


@dataclass(frozen=True)
class RequestShape:
    """What a Slack request is, without what anybody typed in it."""

    request_id: str | None
    action: str
    user: str | None


def describe(data: dict[str, Any], command_name: Callable[[str], str | None]) -> RequestShape:
    """The request's id (Slack's event id or trigger id), its action and who sent it, from its payload.

    A slash command's words are free text: only a known subcommand's name is kept (`command_name` maps a
    word to it), anything else is "?"."""
    kind = str(data.get("type") or "")
    if data.get("command"):
        word = str(data.get("text") or "").strip().partition(" ")[0]
        name = (command_name(word) or "?") if word else ""
        action = f"command {data['command']} {name}".rstrip()
        return RequestShape(data.get("trigger_id"), action, data.get("user_id"))
    user = (data.get("user") or {}).get("id") if isinstance(data.get("user"), dict) else None
    if kind == "event_callback":
        event = data.get("event") or {}
        subtype = f"/{event['subtype']}" if event.get("subtype") else ""
        return RequestShape(data.get("event_id"), f"event {event.get('type')}{subtype}", event.get("user"))
    if kind == "block_actions":
        ids = ",".join(str(a.get("action_id")) for a in data.get("actions") or [])
        return RequestShape(data.get("trigger_id"), f"action {ids}", user)
    if kind in ("view_submission", "view_closed"):
        callback = (data.get("view") or {}).get("callback_id")
        return RequestShape(data.get("trigger_id"), f"{kind} {callback}", user)
    return RequestShape(data.get("trigger_id"), kind or "unknown", user)
