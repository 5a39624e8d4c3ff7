"""The outbox's pacer never lets more calls go in a sliding minute than Slack accepts in one."""

from __future__ import annotations

import bisect
from types import SimpleNamespace

import pytest

from bot.delivery import mail
from bot.delivery.outbox import OutboxWorker
from bot.delivery.slack_limits import PER_MINUTE, Pacer
from bot.settings import Settings
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


def test_mail_goes_at_the_smtp_servers_pace() -> None:
    """A reminder run to hundreds of mentors is spread over minutes instead of refused by the mail server."""
    clock = FakeClock()
    pacer = Pacer(clock=clock, limits={mail.METHOD: 30})
    sent: list[float] = []
    for n in range(120):
        wait = pacer.wait_for(mail.METHOD, f"mentor{n}@school.be")
        while wait > 0:
            clock.now += wait
            wait = pacer.wait_for(mail.METHOD, f"mentor{n}@school.be")
        sent.append(clock.now)
    most = max(bisect.bisect_left(sent, start + 60.0) - i for i, start in enumerate(sent))
    assert 25 <= most <= 30
    assert Pacer(clock=clock).wait_for(mail.METHOD, "x@school.be") == 0  # without a limit: unpaced


def test_the_outbox_paces_mail_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGEBOT_MAIL_PER_MINUTE", "12")
    worker = OutboxWorker(SimpleNamespace(settings=Settings()))  # type: ignore[arg-type]  # settings only
    assert worker.pacer.limits[mail.METHOD] == 12
