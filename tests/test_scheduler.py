"""One scheduler works at a time, and what Slack refused earlier is delivered later."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from bot.app import web_client
from bot.delivery.outbox import wall_now
from models import leases
from models.db import Database
from models.people import Role
from models.problems import Problem
from models.reminders import Reminder
from scheduler import sweep
from scheduler.runner import LEASE_TTL, Runner, schedule
from tests import factories
from tests.conftest import NOW, Stack

# Friday 22 January 2027, 09:30 in Brussels: a student's agreement deadline is 7 days away, and the channel's.
FRIDAY = datetime(2027, 1, 22, 8, 30, tzinfo=UTC)


def test_the_lease_keeps_a_second_scheduler_idle_until_the_first_stops_renewing(db: Database) -> None:
    with db.session() as s:
        assert leases.acquire(s, "scheduler", "a", NOW, LEASE_TTL)
        assert not leases.acquire(s, "scheduler", "b", NOW + timedelta(minutes=1), LEASE_TTL)
        assert leases.acquire(s, "scheduler", "a", NOW + timedelta(minutes=2), LEASE_TTL)  # renewed
        assert not leases.acquire(s, "scheduler", "b", NOW + timedelta(minutes=4), LEASE_TTL)
        # "a" died after its renewal at minute 2: the lease ran out at minute 5.
        assert leases.acquire(s, "scheduler", "b", NOW + timedelta(minutes=5, seconds=1), LEASE_TTL)
        assert not leases.acquire(s, "scheduler", "a", NOW + timedelta(minutes=6), LEASE_TTL)
        leases.release(s, "scheduler", "b")
        assert leases.acquire(s, "scheduler", "a", NOW + timedelta(minutes=6), LEASE_TTL)


def test_a_refused_problem_report_is_sent_again_once_whatever_the_schedulers_do(wire: Stack) -> None:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.student(s, "U0ANNA", "Anna De Smet")
    wire.sync_users()
    wire.ws.fail_next("chat.postMessage", error="internal_error", status=200)
    wire.ws.slash_command("U0ANNA", "/stage", "probleem mijn mentor is ziek")
    coordinator_dm = wire.ws.dm_channel("U0COORD")
    assert wire.ws.messages(coordinator_dm) == []

    client = web_client(wire.services)
    first, second = Runner(wire.services, client, "first"), Runner(wire.services, client, "second")
    assert first.tick() is True
    assert second.tick() is False
    wire.services.outbox.deliver_due(wall_now() + timedelta(minutes=5))  # the outbox's back-off passed
    assert first.tick() is True
    delivered = wire.ws.messages(coordinator_dm)
    assert len(delivered) == 1
    assert "mijn mentor is ziek" in str(delivered[0].blocks)
    assert len(wire.ws.calls("chat.postMessage")) == 2  # the refused try and the one that went
    with wire.session() as s:
        assert s.exec(select(Problem)).one().notified_at == NOW


def test_jobs_have_fixed_ids_and_are_replaced_not_doubled(wire: Stack) -> None:
    scheduler = BackgroundScheduler()
    scheduler.start(paused=True)
    try:
        runner = Runner(wire.services, web_client(wire.services), "x")
        schedule(scheduler, runner)
        schedule(scheduler, runner)
        assert [job.id for job in scheduler.get_jobs()] == ["stagebot.tick"]
    finally:
        scheduler.shutdown(wait=False)


def test_the_job_store_is_the_application_database(wire: Stack) -> None:
    from sqlalchemy import text

    from scheduler.runner import start_in_process

    scheduler = start_in_process(wire.services, web_client(wire.services))
    try:
        with wire.services.db.engine.connect() as connection:
            ids = [row[0] for row in connection.execute(text("SELECT id FROM apscheduler_jobs"))]
        assert ids == ["stagebot.tick"]
    finally:
        scheduler.shutdown(wait=False)
    again = start_in_process(wire.services, web_client(wire.services))  # a restart replaces, never doubles
    try:
        assert [job.id for job in again.get_jobs()] == ["stagebot.tick"]
    finally:
        again.shutdown(wait=False)


def test_a_database_owned_by_one_process_can_take_the_lease_over(db: Database) -> None:
    with db.session() as s:
        assert leases.acquire(s, "scheduler", "crashed", NOW, LEASE_TTL)
        assert not leases.acquire(s, "scheduler", "restarted", NOW, LEASE_TTL)
        leases.take_over(s, "scheduler")
        assert leases.acquire(s, "scheduler", "restarted", NOW, LEASE_TTL)


@pytest.fixture
def due_friday(wire: Stack) -> Iterator[Stack]:
    """A sweep with two messages due: Anna's DM, then the channel's announcement."""
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
    wire.sync_users()
    wire.services.clock.freeze(FRIDAY)
    settings = wire.services.settings
    wire.services.settings = settings.model_copy(update={"channel": "C0ANNOUNCE"})
    yield wire
    wire.services.settings = settings


def stall_in_the_sweep(monkeypatch: pytest.MonkeyPatch, stalled: Callable[[], None]) -> None:
    """The sweep's first recipient takes long: `stalled` runs while it is rendered."""
    real, calls = sweep.render, [0]

    def render(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            stalled()
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep, "render", render)


def test_a_tick_whose_lease_is_taken_over_midway_stops_and_queues_nothing(
    due_friday: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = due_friday.services
    second = Runner(services, web_client(services), "second")

    def stall_past_the_lease() -> None:  # the first scheduler hangs; the second one's tick takes over
        services.clock.advance(LEASE_TTL + timedelta(minutes=1))
        assert second.has_lease()

    first = Runner(services, web_client(services), "first")
    stall_in_the_sweep(monkeypatch, stall_past_the_lease)
    assert first.tick() is False  # it noticed, and stopped: its sweep's transaction is rolled back
    anna = due_friday.ws.dm_channel("U0ANNA")
    assert due_friday.ws.messages(anna) == []
    with due_friday.session() as s:
        assert s.exec(select(Reminder)).all() == []  # not done yet, and nothing queued

    assert second.tick() is True  # the new holder does the sweep
    assert len(due_friday.ws.messages(anna)) == 1
    assert len(due_friday.ws.messages("C0ANNOUNCE")) == 1
    assert first.tick() is False  # the second keeps the lease now


def test_a_long_tick_renews_its_lease_so_no_one_takes_it_over(
    due_friday: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = due_friday.services
    second = Runner(services, web_client(services), "second")

    def slow_but_alive() -> None:  # two minutes on one recipient: the lease has one minute left, renewed
        services.clock.advance(timedelta(minutes=2))

    first = Runner(services, web_client(services), "first")
    stall_in_the_sweep(monkeypatch, slow_but_alive)
    assert first.tick() is True
    services.clock.advance(timedelta(minutes=2))  # four minutes after the tick began
    assert second.tick() is False  # the renewal during the tick still holds
    assert len(due_friday.ws.messages("C0ANNOUNCE")) == 1
