"""Socket Mode: the workspace delivers over a WebSocket the app opened, instead of POSTing to the app.

Slack's protocol: the app calls apps.connections.open with its app-level token and gets a single-use
`wss://` link; on connecting it receives `hello`; each delivery is an envelope
`{"envelope_id", "type", "payload", "accepts_response_payload"}` that the app acknowledges with
`{"envelope_id", "payload"?}`. The acknowledgement's payload plays the role of an HTTP answer's body, so
a `Delivery` comes back exactly as over HTTP and the same code shows it to the user.

Waitress only speaks WSGI and cannot hand a connection over to a WebSocket, so the endpoint is a small
thread-based `websockets` server on its own port beside the HTTP one (the same threading model as the
rest of the workspace; no event loop to share).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from workspace.delivery import Delivery
from workspace.state import State

log = logging.getLogger(__name__)

LINK_PATH = "/link/"
# Slack expects a response payload only where it can show one (a command's reply, a modal's answer).
_RESPONDING_INTERACTIONS = {"view_submission", "block_suggestion"}


def envelope_type(kind: str) -> str:
    """The Socket Mode envelope type for a delivery kind ("slash_command", "event:...", an interaction)."""
    if kind == "slash_command":
        return "slash_commands"
    if kind.startswith("event:"):
        return "events_api"
    return "interactive"


@dataclass
class _Link:
    """One open WebSocket from the app; sends are serialised because several threads deliver."""

    connection: ServerConnection
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    open: bool = True

    def send(self, message: dict[str, Any]) -> None:
        with self.send_lock:
            self.connection.send(json.dumps(message))


class SocketHub:
    """The Socket Mode endpoint of one workspace: issues links, keeps the app's connections, delivers."""

    def __init__(self, state: State, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self._changed = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._opened = 0  # connections opened so far, to wait for a reconnection
        self._server = serve(
            self._handle, host, port, process_request=self._admit, compression=None, logger=log
        )
        self.host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.port = int(self._server.socket.getsockname()[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="workspace-socket-mode", daemon=True
        )
        self._thread.start()

    # the app's side: links and connections -------------------------------------------------------------

    def issue_link(self) -> str:
        """A single-use WebSocket URL, as apps.connections.open returns it."""
        ticket = secrets.token_urlsafe(18)
        with self._changed:
            self._tickets.add(ticket)
        query = urllib.parse.urlencode({"ticket": ticket, "app_id": self.state.identity.app_id})
        return f"ws://{self.host}:{self.port}{LINK_PATH}?{query}"

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Only a link just issued opens a connection, once."""
        url = urllib.parse.urlsplit(request.path)
        ticket = urllib.parse.parse_qs(url.query).get("ticket", [""])[0]
        with self._changed:
            if url.path == LINK_PATH and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used Socket Mode link\n")

    def _handle(self, connection: ServerConnection) -> None:
        link = _Link(connection)
        with self._changed:
            self._links.append(link)
            self._opened += 1
            count = sum(1 for known in self._links if known.open)
            self._changed.notify_all()
        try:
            link.send(
                {
                    "type": "hello",
                    "num_connections": count,
                    "debug_info": {"host": "local-workspace", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.state.identity.app_id},
                }
            )
            for raw in connection:
                self._acknowledged(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                link.open = False
                self._links.remove(link)
                self._changed.notify_all()

    def _acknowledged(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("Socket Mode: ignored a message that is not JSON")
            return
        if not isinstance(message, dict) or not message.get("envelope_id"):
            return
        payload = message.get("payload")
        with self._changed:
            self._acks[str(message["envelope_id"])] = payload if isinstance(payload, dict) else {}
            self._changed.notify_all()

    @property
    def connections(self) -> int:
        """How many connections the app holds open now."""
        with self._changed:
            return len(self._links)

    def wait_for_connection(self, timeout: float = 10.0, opened: int = 1) -> bool:
        """Block until the app is connected and has opened `opened` connections in all (a reconnection
        after a refresh is the second); False on timeout. Deliveries use the newest connection."""
        with self._changed:
            return self._changed.wait_for(lambda: bool(self._links) and self._opened >= opened, timeout)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every connection to go away, as Slack does now and then; the app should open a new one."""
        with self._changed:
            links = list(self._links)
        for link in links:
            with contextlib.suppress(ConnectionClosed):
                link.send({"type": "disconnect", "reason": reason, "debug_info": {"host": "local-workspace"}})

    # the workspace's side: delivering ------------------------------------------------------------------

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 10.0,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> Delivery:
        """Send one envelope on the newest connection and wait for its ack; failures become status 0."""
        socket_type = envelope_type(kind)
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": socket_type,
            "payload": payload,
            "accepts_response_payload": socket_type == "slash_commands"
            or payload.get("type") in _RESPONDING_INTERACTIONS,
        }
        if socket_type == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        envelope_id = envelope["envelope_id"]
        request_body = json.dumps(envelope).encode()
        started = time.monotonic()

        def answered(status: int, body: str = "", error: str | None = None) -> Delivery:
            return Delivery(
                kind=kind,
                status=status,
                body=body,
                headers={"Content-Type": "application/json"} if body else {},
                request_body=request_body,
                request_headers={},
                elapsed=time.monotonic() - started,
                error=error,
                payload=payload,
            )

        with self._changed:
            link = self._links[-1] if self._links else None
        if link is None:
            return answered(0, error="no Socket Mode connection is open: the app is not connected")
        try:
            link.send(envelope)
        except ConnectionClosed as exc:
            return answered(0, error=f"the Socket Mode connection closed: {exc}")
        with self._changed:
            acked = self._changed.wait_for(lambda: envelope_id in self._acks or not link.open, timeout)
            answer = self._acks.pop(envelope_id, None)
        if answer is None:
            reason = "the connection closed" if acked else f"no acknowledgement within {timeout:g} s"
            return answered(0, error=f"envelope {envelope_id} was not acknowledged: {reason}")
        return answered(200, json.dumps(answer) if answer and envelope["accepts_response_payload"] else "")

    def stop(self) -> None:
        """Close the listener and every connection (going away, as Slack's restarts do); idempotent."""
        with self._changed:
            links = list(self._links)
        for link in links:
            try:
                link.connection.close(code=1001)
            except (AssertionError, RuntimeError):
                # Thread.join(timeout) inside the close can fail in CPython's threading (an assertion, or
                # "release unlocked lock") when the reader thread it joins ends during a timed wait, as
                # seen under libfaketime's moved clock (CI's clock runs). The connection is closed all
                # the same.
                log.debug("closing a Socket Mode connection raced its reader thread's end")
        self._server.shutdown()
        self._thread.join(5.0)
