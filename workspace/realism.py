"""Realistic mode: every round trip to the workspace takes time, and Slack's rate limits answer HTTP 429.

Off by default. `Workspace.set_realism(latency=0.3, time_scale=60)` switches it on, `set_realism(None)`
off. All settings are in Slack seconds; `time_scale` compresses them, so time_scale=60 plays a minute of
Slack in one second of wall time (windows of 1 s, a 0.3 s latency becomes 5 ms).

Retry-After. slack_sdk's RateLimitErrorRetryHandler reads the header with int(), so a fractional value
would make it raise instead of retrying. The header is therefore always a whole number of wall-clock
seconds, rounded up and at least 1, as Slack sends it: waiting that long always gets the call through.
With a time scale that over-waits (a scaled wait of 0.02 s still says 1), so the exact wall-clock wait is
also sent in `X-Workspace-Retry-After` (decimal seconds) for a retry handler that wants to honour it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from workspace.rate_limits import LIMITS, RateLimiter

PRECISE_RETRY_HEADER = "X-Workspace-Retry-After"


@dataclass(frozen=True)
class Realism:
    """How realistic the workspace is: latency per round trip, rate limits, and a time scale.

    `latency` (Slack seconds) applies to every Web API call, response_url post, file download and upload;
    `rate_limits` answers 429 + Retry-After past Slack's published limits (workspace.rate_limits).
    `clock` (monotonic seconds) and `sleep` are what the limits and the latency use: tests can pass their
    own to move time without waiting.
    """

    latency: float = 0.0
    rate_limits: bool = True
    time_scale: float = 1.0
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError("latency cannot be negative")
        if not self.time_scale > 0:
            raise ValueError("time_scale must be positive")


class RealisticMode:
    """Realism at work for one workspace: sleeps the latency, keeps the rate-limit counts."""

    def __init__(self, settings: Realism) -> None:
        self.settings = settings
        self.limiter = RateLimiter(LIMITS)

    def delay(self) -> None:
        """Wait one round trip (scaled). Called per request, outside every lock."""
        if self.settings.latency > 0:
            self.settings.sleep(self.settings.latency / self.settings.time_scale)

    def slack_now(self) -> float:
        """The clock in Slack seconds."""
        return self.settings.clock() * self.settings.time_scale

    def refusal(self, method: str, channel: str | None) -> dict[str, str] | None:
        """None when Slack would serve this call now (it is counted); otherwise the 429's headers."""
        if not self.settings.rate_limits:
            return None
        wait = self.limiter.admit(method, channel, self.slack_now())
        return None if wait is None else retry_headers(wait / self.settings.time_scale)

    def forget(self) -> None:
        """Drop the rate-limit counts (a workspace reset); the settings stay."""
        self.limiter.forget()


def retry_headers(wall_seconds: float) -> dict[str, str]:
    """Retry-After as Slack sends it (whole seconds, at least 1) plus the wait in decimals (milliseconds,
    rounded up: waiting that long is always enough)."""
    return {
        "Retry-After": str(max(1, math.ceil(wall_seconds - 1e-9))),
        PRECISE_RETRY_HEADER: f"{max(0, math.ceil(wall_seconds * 1000 - 1e-6)) / 1000:.3f}",
    }
