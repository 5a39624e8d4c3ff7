"""One scheduler works at a time, and what Slack refused earlier is delivered later."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from bot.app import web_client
from bot.outbox import wall_now
from models import leases
from models.db import Database
from models.people import Role
from models.problems import Problem
from scheduler.runner import LEASE_TTL, Runner, schedule
from tests import factories
from tests.conftest import NOW, Stack


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
