"""Short-lived links for one person to one private thing, signed with the app's signing secret.

A link names what it opens, for whom and until when, and carries a random nonce (so every link is a
different one, and a use of it can be recorded); the server still checks, when it is opened, that the
person may see the thing (access can be lost between the click and the download).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Grant:
    kind: str
    ident: int
    person_id: int
    expires: int  # epoch seconds
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign(secret: str, kind: str, ident: int, person_id: int, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    nonce = secrets.token_urlsafe(16)
    payload = _b64(json.dumps([kind, ident, person_id, expires, nonce], separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: str, token: str, now: datetime) -> Grant | None:
    """The grant, or None when the token is forged, damaged (any text at all) or expired."""
    payload, _, mac = token.partition(".")
    try:
        if not payload or not hmac.compare_digest(mac.encode(), _mac(secret, payload).encode()):
            return None
        kind, ident, person_id, expires, nonce = json.loads(_unb64(payload))
        grant = Grant(kind, int(ident), int(person_id), int(expires), nonce)
    except (ValueError, TypeError):
        return None
    if not isinstance(kind, str) or not isinstance(nonce, str) or now.timestamp() > grant.expires:
        return None
    return grant
