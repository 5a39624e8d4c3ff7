"""Slack's published Web API rate limits for the methods the outbox calls, and a pacer that keeps to them.

Source: Slack's "Rate limits" page (api.slack.com/apis/rate-limits) and each method's reference page:
Tier 2 is about 20 calls a minute, Tier 3 about 50, Tier 4 about 100; chat.postMessage has its own rule,
about one message a second per channel with short bursts, and a workspace-wide ceiling of several hundred
a minute (taken here as 300). The pacer spends a token bucket per method (and per channel for
chat.postMessage) and stops a method for as long as a 429's Retry-After asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

PER_MINUTE: dict[str, float] = {
    "chat.postMessage": 300,  # special: workspace-wide ceiling (see the per-channel rule below)
    "chat.update": 50,  # Tier 3
    "chat.delete": 50,  # Tier 3
    "chat.postEphemeral": 100,  # Tier 4
    "views.publish": 100,  # Tier 4
    "files.upload": 50,  # files.getUploadURLExternal + completeUploadExternal: Tier 4 each, 2 calls a file
    "response_url": 300,  # not a Web API method; answered by Slack's webhook service
}
PER_CHANNEL_PER_SECOND = 1.0  # chat.postMessage in one channel
CHANNEL_BURST = 3
BURST_SHARE = 0.02  # a method's bucket holds this share of its minute (at least one call)
MARGIN_SHARE = 0.01  # and refills this much below the limit (at least one call a minute)


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """Spend one token; returns 0, or how many seconds until one is there (nothing spent)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1 - 1e-9:  # a refill short by rounding only counts as full
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate


class Pacer:
    """`scale` > 1 runs the limits faster, for a Slack stand-in whose minute lasts 60/scale seconds;
    `enabled=False` only obeys Retry-After (a stand-in without limits, as in most tests)."""

    def __init__(
        self,
        scale: float = 1.0,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        limits: Mapping[str, float] | None = None,
    ) -> None:
        self.scale, self.enabled, self.clock = scale, enabled, clock
        self.limits = {**PER_MINUTE, **(limits or {})}  # more methods (the mail server's) beside Slack's
        self._buckets: dict[str, _Bucket] = {}
        self._paused: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_for(self, method: str, lane: str) -> float:
        """0 when a call of `method` in `lane` may go now (and it is counted), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            paused = self._paused.get(method, 0.0) - now
            if paused > 0:
                return paused
            if not self.enabled:
                return 0.0
            wait = self._bucket(method, method, now).take(now) if method in self.limits else 0.0
            if wait == 0 and method == "chat.postMessage":
                wait = self._bucket("lane:" + lane, method, now).take(now)
                if wait:  # give the method's token back: this call does not go now
                    self._buckets[method].tokens += 1
            return wait

    def pause(self, method: str, seconds: float) -> None:
        with self._lock:
            self._paused[method] = max(self._paused.get(method, 0.0), self.clock() + seconds)

    def _bucket(self, name: str, method: str, now: float) -> _Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            if name.startswith("lane:"):
                rate, capacity = PER_CHANNEL_PER_SECOND * self.scale, float(CHANNEL_BURST)
            else:
                capacity, per_minute = method_budget(self.limits[method])
                rate = per_minute / 60 * self.scale
            bucket = self._buckets[name] = _Bucket(rate, capacity, capacity, now)
        return bucket


def method_budget(limit: float) -> tuple[float, float]:
    """(burst, refill per minute) that never exceed `limit` calls in any sliding minute, which is how
    Slack counts: a full bucket plus a minute of refill is the burst plus the refill, kept under the
    limit by a margin that absorbs the jitter between our send and Slack's arrival."""
    burst = max(1.0, float(int(limit * BURST_SHARE)))
    margin = max(1.0, float(int(limit * MARGIN_SHARE)))
    return burst, limit - burst - margin
