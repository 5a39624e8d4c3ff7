"""Sending a signed request to the bot, and what came back."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from workspace.signing import sign_request

SLACK_ACK_DEADLINE = 3.0

# The bot is local: a proxy configured in the environment must not sit in between.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Delivery:
    """One request to the bot and its answer; kept whole so an event can be delivered again."""

    kind: str
    status: int
    body: str
    headers: dict[str, str]
    request_body: bytes
    request_headers: dict[str, str]
    elapsed: float
    error: str | None = None
    problem: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        """The answer parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    @property
    def reply(self) -> dict[str, Any] | None:
        """The answer as Slack reads it: a JSON object, or plain text as {"text": ...}; None when empty."""
        parsed = self.json
        if isinstance(parsed, dict):
            return parsed
        return {"text": self.body} if self.body.strip() else None

    def header(self, name: str, default: str = "") -> str:
        """A response header by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), default)

    @property
    def ok(self) -> bool:
        """Answered with a 2xx, as Slack requires."""
        return 200 <= self.status < 300

    @property
    def late(self) -> bool:
        """Answered after Slack's 3-second deadline: real Slack would have shown a timeout instead."""
        return self.elapsed > SLACK_ACK_DEADLINE


def send(
    url: str,
    secret: str,
    kind: str,
    body: bytes,
    content_type: str,
    *,
    payload: dict[str, Any] | None = None,
    extra_headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Delivery:
    """POST `body` to the bot signed with `secret`; network failures become status 0, never exceptions."""
    headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+local workspace)"}
    headers |= extra_headers or {}
    headers |= sign_request(secret, body)
    return post(url, kind, body, headers, payload=payload, timeout=timeout)


def post(
    url: str,
    kind: str,
    body: bytes,
    headers: dict[str, str],
    *,
    payload: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> Delivery:
    """POST exactly these bytes and headers (no signing): the raw path signature tests need."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    status, answer, answer_headers, error = 0, b"", {}, None
    try:
        with _DIRECT.open(request, timeout=timeout) as response:
            status, answer, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            status, answer, answer_headers = exc.code, exc.read(), dict(exc.headers)
    except (urllib.error.URLError, OSError) as exc:
        error = f"could not reach the bot at {url}: {exc}"
    return Delivery(
        kind=kind,
        status=status,
        body=answer.decode("utf-8", errors="replace"),
        headers=answer_headers,
        request_body=body,
        request_headers=dict(headers),
        elapsed=time.monotonic() - started,
        error=error,
        payload=payload or {},
    )
