"""The outbox's pacer never lets more calls go in a sliding minute than Slack accepts in one."""

from __future__ import annotations

import bisect

import pytest

from bot.delivery.slack_limits import PER_MINUTE, Pacer
from workspace.rate_limits import LIMITS


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.update", "views.publish"])
def test_a_busy_sender_stays_under_slacks_sliding_minute(
    method: str,
) -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock)
    sent: list[float] = []
    for n in range(3000):  # as fast as the pacer allows, each call to another conversation
        wait = pacer.wait_for(method, f"U{n:05d}")
        while wait > 0:
            clock.now += wait
            wait = pacer.wait_for(method, f"U{n:05d}")
        sent.append(clock.now)
    limit = LIMITS[method].window.calls
    assert PER_MINUTE[method] == limit  # the pacer paces to the workspace's own table
    most = max(bisect.bisect_left(sent, start + 60.0) - i for i, start in enumerate(sent))
    assert most <= limit
    assert most >= 0.95 * limit  # and spends nearly all of it
