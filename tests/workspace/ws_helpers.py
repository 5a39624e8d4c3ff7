"""Helpers for the workspace tests: a tiny fake bot, a test clock, and Block Kit builders.

The fake bot checks signatures with slack_sdk's own verifier (not the workspace's code), records what it
received, and answers through a handler each test sets.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from slack_sdk.signature import SignatureVerifier
from werkzeug.serving import make_server

TOKEN = "xoxb-local-token"
SECRET = "local-secret"
STUDENT = "U0STUDENT1"
SUPERVISOR = "U0SUPERV01"
ANNOUNCE = "C0ANNOUNCE"


@dataclass
class Received:
    """One request as the fake bot saw it."""

    headers: dict[str, str]
    raw: bytes
    signed: bool
    form: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if "command" in self.form:
            return "slash_command"
        return str(self.payload.get("type"))


Answer = tuple[int, Any]
Handler = Callable[[Received], Answer]


class FakeBot:
    """A signed-request endpoint at /slack/events that records deliveries and answers via `handler`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.handler: Handler = lambda received: (200, "")
        self.verifier = SignatureVerifier(SECRET)
        app = Flask("fake_bot")
        app.add_url_rule("/slack/events", view_func=self._events, methods=["POST"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/slack/events"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _events(self) -> Response:
        raw = request.get_data()
        headers = dict(request.headers.items())
        received = Received(headers, raw, self.verifier.is_valid_request(raw, headers))
        if request.mimetype == "application/json":
            received.payload = json.loads(raw)
        else:
            received.form = dict(urllib.parse.parse_qsl(raw.decode()))
            if "payload" in received.form:
                received.payload = json.loads(received.form["payload"])
        self.received.append(received)
        if not received.signed:
            return Response("invalid signature", status=401)
        status, body = self.handler(received)
        if isinstance(body, dict):
            return Response(json.dumps(body), status=status, mimetype="application/json")
        return Response(body or "", status=status, mimetype="text/plain")

    def last(self) -> Received:
        return self.received[-1]

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
            self._server.server_close()


class Clock:
    """A settable clock for the workspace: tests move time instead of sleeping."""

    def __init__(self, now: float = 1_760_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, label: str, value: str = "") -> dict[str, Any]:
    text = {"type": "plain_text", "text": label}
    return {"type": "button", "action_id": action_id, "text": text, "value": value}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "preferences",
        "title": {"type": "plain_text", "text": "Voorkeuren"},
        "submit": {"type": "plain_text", "text": "Opslaan"},
        "blocks": list(blocks),
        **extra,
    }


def text_input(block_id: str, action_id: str, label: str = "Veld") -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"type": "plain_text_input", "action_id": action_id},
    }
