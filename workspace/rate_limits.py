"""Slack's published Web API rate limits for the methods this workspace serves, and the arithmetic of
refusing a call the way Slack does.

Sources (read for this table; nothing is quoted):
- what each tier allows per minute, "per API method per workspace per app", and the special case of
  chat.postMessage: Slack's rate-limits guide, https://docs.slack.dev/apis/web-api/rate-limits
  (formerly https://api.slack.com/docs/rate-limits);
- the tier of each method: the "Rate limits" fact on the method's reference page,
  https://docs.slack.dev/reference/methods/<method> (formerly https://api.slack.com/methods/<method>).

Tiers are modelled at their published floor (Tier 1: 1, Tier 2: 20, Tier 3: 50, Tier 4: 100 calls) in a
sliding window of one minute per method; Slack tolerates some bursting above the floor, which is not
modelled, so this is the strict reading.

Assumptions where Slack gives no number:
- chat.postMessage: Slack states about one message per second per channel, short bursts allowed, and a
  workspace-wide limit of several hundred per minute. Modelled as a token bucket per channel (1 message a
  second, bursts of 3) plus 300 per minute for the whole workspace. A user id and the id of the DM with
  that user are the same channel.
- auth.test has "special" limits of hundreds per minute: modelled as 300 per minute.
- apps.connections.open is Tier 3 on the current reference page (the older api.slack.com page said
  Tier 1).

All times here are Slack seconds: a caller applying a time scale converts before and after.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

MINUTE = 60.0
TIER_CALLS_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}


@dataclass(frozen=True)
class Window:
    """At most `calls` accepted calls in any `seconds` (a sliding window)."""

    calls: int
    seconds: float = MINUTE


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `burst` calls at once, refilled at `per_second` calls a second."""

    per_second: float
    burst: int


@dataclass(frozen=True)
class MethodLimit:
    """Slack's limit for one method: per app and workspace, and per channel where Slack has one."""

    window: Window
    per_channel: Bucket | None = None
    tier: int | None = None  # None for Slack's "special" limits


def tier(number: int) -> MethodLimit:
    return MethodLimit(Window(TIER_CALLS_PER_MINUTE[number]), tier=number)


LIMITS: Mapping[str, MethodLimit] = {
    "apps.connections.open": tier(3),
    "auth.test": MethodLimit(Window(300)),
    "chat.delete": tier(3),
    "chat.postEphemeral": tier(4),
    "chat.postMessage": MethodLimit(Window(300), per_channel=Bucket(per_second=1.0, burst=3)),
    "chat.update": tier(3),
    "conversations.info": tier(3),
    "conversations.list": tier(2),
    "conversations.open": tier(3),
    "files.completeUploadExternal": tier(4),
    "files.getUploadURLExternal": tier(4),
    "files.info": tier(4),
    "users.info": tier(4),
    "users.list": tier(2),
    "views.open": tier(4),
    "views.publish": tier(4),
    "views.push": tier(4),
    "views.update": tier(4),
}


class RateLimiter:
    """Counts the calls Slack accepted, per method (and per channel where Slack does), and says how long a
    refused call has to wait. Refused calls do not count. Thread-safe; `now` is passed in (Slack seconds)."""

    def __init__(self, limits: Mapping[str, MethodLimit] = LIMITS) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._accepted: dict[str, deque[float]] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (tokens, at)

    def admit(self, method: str, channel: str | None, now: float) -> float | None:
        """Count the call and return None when Slack would serve it; otherwise the seconds until it would
        (nothing is counted then). Methods without a known limit are always served."""
        limit = self.limits.get(method)
        if limit is None:
            return None
        with self._lock:
            accepted = self._accepted.setdefault(method, deque())
            while accepted and accepted[0] <= now - limit.window.seconds:
                accepted.popleft()
            waits = []
            if len(accepted) >= limit.window.calls:
                waits.append(accepted[len(accepted) - limit.window.calls] + limit.window.seconds - now)
            bucket = limit.per_channel if channel is not None else None
            tokens = 0.0
            if bucket is not None and channel is not None:
                tokens = self._tokens(method, channel, bucket, now)
                if tokens < 1.0:
                    waits.append((1.0 - tokens) / bucket.per_second)
            if waits:
                return max(waits)
            accepted.append(now)
            if bucket is not None and channel is not None:
                self._buckets[(method, channel)] = (tokens - 1.0, now)
            return None

    def _tokens(self, method: str, channel: str, bucket: Bucket, now: float) -> float:
        tokens, at = self._buckets.get((method, channel), (float(bucket.burst), now))
        return min(float(bucket.burst), tokens + max(0.0, now - at) * bucket.per_second)

    def forget(self) -> None:
        """Start counting afresh, as after a quiet hour."""
        with self._lock:
            self._accepted.clear()
            self._buckets.clear()
