"""Slack's request signing (v0), used to sign deliveries and, in tests, to check them."""

from __future__ import annotations

import hashlib
import hmac
import time

VERSION = "v0"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The `v0=<hex>` HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def sign_request(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers that make `body` look sent by Slack now (or at `timestamp`).

    Real wall-clock time by default, never the workspace's test clock: the bot checks the
    timestamp against its own clock and rejects anything older than five minutes.
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: signature(secret, body, ts)}


def verify_request(
    secret: str, body: bytes, headers: dict[str, str], *, now: float | None = None, max_age: int = 300
) -> bool:
    """True when the headers carry a fresh, matching signature for `body` (what the bot must check)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ts = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not raw_ts.isdigit() or not given:
        return False
    current = time.time() if now is None else now
    if abs(current - int(raw_ts)) > max_age:
        return False
    return hmac.compare_digest(signature(secret, body, int(raw_ts)), given)
