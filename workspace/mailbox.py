"""The local workspace's mailbox: a real SMTP server on loopback that keeps every mail it is given.

The bot sends to it exactly as to a school's mail server (the same SMTP code path), and the workspace
page shows what arrived, as the recipient would read it. Tests use it as the far end of SMTP and can make
it refuse the next mail with a reply code, as a real server does.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    """One mail as it arrived: the envelope and the parsed message."""

    id: int
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")

    def part(self, subtype: str) -> str:
        """The text/plain or text/html body ("" when the mail has none)."""
        body = self.message.get_body(preferencelist=(subtype,))
        return str(body.get_content()) if body is not None else ""

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd
        return self.box._receive(envelope)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """Every mail the bot sent, in order; `refuse_next` makes the server answer the next DATA with a code."""

    def __init__(self) -> None:
        self._mails: list[Mail] = []
        self._refusals: deque[tuple[int, str]] = deque()
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.url = ""

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on loopback; returns the address to give the bot (smtp://host:port)."""
        port = port or _free_port(host)
        self._controller = Controller(_Handler(self), hostname=host, port=port)
        self._controller.start()
        self.url = f"smtp://{host}:{port}"
        return self.url

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_next(self, code: int, text: str = "try again later") -> None:
        with self._lock:
            self._refusals.append((code, text))

    def mails(self, to: str | None = None) -> list[Mail]:
        with self._lock:
            found = list(self._mails)
        return [m for m in found if to is None or to.lower() in (r.lower() for r in m.recipients)]

    def get(self, mail_id: int) -> Mail | None:
        with self._lock:
            return next((m for m in self._mails if m.id == mail_id), None)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()
            self._refusals.clear()

    def _receive(self, envelope: Any) -> str:
        with self._lock:
            if self._refusals:
                code, text = self._refusals.popleft()
                return f"{code} {text}"
            raw = envelope.original_content or envelope.content
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self._mails.append(
                Mail(len(self._mails) + 1, str(envelope.mail_from), tuple(envelope.rcpt_tos), message)
            )
        return "250 OK"
