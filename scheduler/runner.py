"""Runs the jobs, in exactly one process: each tick first takes (or renews) a database lease.

The job store is the application's database (APScheduler's SQLAlchemy store), jobs have fixed ids and
are replaced on start, and everything a job must not forget lives in the application's own tables. A
second scheduler keeps ticking without the lease and takes over within one lease period when the first
one stops. The tick is cheap when nothing is due, so it can run every minute and catch up after downtime.

The lease is renewed while a tick works, not only when it starts: before each job and, through the
client the jobs get, before every Web API call once a minute has passed since the last renewal. When
the renewal finds another holder (this process stalled past the lease and a second scheduler took over),
`LeaseLost` ends the tick before it sends anything more. `stagebot remind` holds the same lease.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient

from bot import durable_jobs, logs
from bot.flows import registry
from bot.services import Services
from models import leases, scheduler_ticks
from models.migrate import SCHEDULER_TABLE
from scheduler import jobs
from scheduler.sweep import run_sweep, sweep_is_due

logger = logging.getLogger(__name__)
LEASE = "scheduler"
TICK = timedelta(minutes=1)
LEASE_TTL = 3 * TICK
RENEW_AFTER = TICK  # a holder renews once this much of its lease has passed: two periods of slack remain
JOB_ID = "stagebot.tick"
JOBS_TABLE = SCHEDULER_TABLE


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseLost(BaseException):
    """This process no longer holds the lease: the work in hand stops at once.

    A BaseException (as KeyboardInterrupt is), so a job's `except Exception`, which is there to keep one
    failing item from stopping the rest, cannot swallow it and carry on sending without the lease.
    """


class LeaseHolder:
    """One holder of a named lease, on the services' clock: take it, keep it while working, give it back."""

    def __init__(self, services: Services, holder: str, name: str = LEASE) -> None:
        self.services, self.holder, self.name = services, holder, name
        self.renewed_at: datetime | None = None

    def acquire(self) -> bool:
        """Take or renew the lease now; False (and not held) when someone else has it."""
        now = self.services.clock.now()
        with self.services.db.session() as session:
            held = leases.acquire(session, self.name, self.holder, now, LEASE_TTL)
        self.renewed_at = now if held else None
        return held

    def still_holds(self) -> bool:
        """True while this holder has the lease, renewing it when RENEW_AFTER has passed since the last
        renewal (or the clock went back): cheap enough to ask before every item of work."""
        if self.renewed_at is None:
            return False
        now = self.services.clock.now()
        if self.renewed_at <= now < self.renewed_at + RENEW_AFTER:
            return True
        return self.acquire()

    def check(self) -> None:
        if not self.still_holds():
            raise LeaseLost(f"{self.holder} lost the lease '{self.name}'")

    def release(self) -> None:
        with self.services.db.session() as session:
            leases.release(session, self.name, self.holder)
        self.renewed_at = None

    def current(self) -> leases.Lease | None:
        """Who holds the lease now, and until when (None: nobody)."""
        with self.services.db.session() as session:
            return leases.current(session, self.name, self.services.clock.now())


def bound_to_lease(client: WebClient, lease: LeaseHolder) -> WebClient:
    """A copy of `client` that checks (and renews) the lease before every Web API call, so once the lease
    is gone no job reaches Slack again: the call raises LeaseLost instead of sending."""
    bound = copy.copy(client)
    call = bound.api_call  # the copy's own method (a subclass's too), bound before it is wrapped

    def api_call(*args: Any, **kwargs: Any) -> Any:
        lease.check()
        return call(*args, **kwargs)

    bound.api_call = api_call  # type: ignore[method-assign]
    return bound


class Runner:
    """One tick: hold the lease, then run every job that is due, renewing the lease as it goes."""

    def __init__(self, services: Services, client: WebClient, holder: str | None = None) -> None:
        self.services, self.client, self.holder = services, client, holder or holder_id()
        self.lease = LeaseHolder(services, self.holder)

    def has_lease(self) -> bool:
        return self.lease.acquire()

    def still_holds(self) -> bool:
        """For a job that works without calling Slack (or between calls): may it go on?"""
        return self.lease.still_holds()

    def tick(self) -> bool:
        """Returns whether this process did the work (False: another scheduler holds the lease, or took
        it over while this tick ran, which then stopped)."""
        if not self.lease.acquire():
            return False
        now = self.services.clock.now()
        client = bound_to_lease(self.client, self.lease)
        try:
            for name, job in self.steps(client, now):
                self.lease.check()  # renewed between jobs, and before every Web API call inside them
                with logs.timed(logger, "job", name):
                    job()
        except LeaseLost:
            logger.warning("scheduler %s lost its lease during a tick: it stopped there", self.holder)
            return False
        scheduler_ticks.record(self.services.db, LEASE, self.holder, now)  # seen by doctor and /readyz
        return True

    def steps(self, client: WebClient, now: datetime) -> list[tuple[str, Callable[[], object]]]:
        """The tick's jobs in order (named for the log), each bound to the lease-checking client and the
        tick's `now`."""
        return [
            ("resume_jobs", lambda: durable_jobs.resume(self.services, client)),
            ("problems", lambda: jobs.deliver_pending_problems(self.services, client, now)),
            ("reviews", lambda: jobs.deliver_pending_reviews(self.services, client, now)),
            ("lio_reviews", lambda: jobs.deliver_pending_lio_reviews(self.services, client, now)),
            ("extract_renewals", lambda: jobs.ask_extract_renewals(self.services, client, now)),
            ("evaluations", lambda: jobs.evaluations(self.services, client, now)),
            ("lesson_days", lambda: jobs.ask_about_lesson_days(self.services, client, now)),
            ("hours_confirmations", lambda: jobs.ask_hours_confirmations(self.services, client, now)),
            ("sweep", lambda: self.sweep(client, now)),
        ]

    def sweep(self, client: WebClient, now: datetime) -> None:
        if sweep_is_due(self.services, now):
            queued, _ = run_sweep(self.services, client, now, check=self.lease.check)
            logger.info("sweep at %s: %d message(s) queued", now.isoformat(), queued)

    def stop(self) -> None:
        self.lease.release()


# The job store keeps a reference to a module-level function; the runner it drives lives here.
_current: Runner | None = None


def tick() -> None:
    if _current is not None:
        _current.tick()


def schedule(scheduler: BaseScheduler, runner: Runner) -> None:
    global _current
    _current = runner
    scheduler.add_job(
        "scheduler.runner:tick",
        "interval",
        seconds=int(TICK.total_seconds()),
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(TICK.total_seconds()),
    )


def _jobstores(services: Services) -> dict[str, SQLAlchemyJobStore]:
    return {"default": SQLAlchemyJobStore(engine=services.db.engine, tablename=JOBS_TABLE)}


def process_runner(services: Services) -> Runner:
    """The runner of a scheduler process. It knows every durable job kind, so what a student submitted is
    done even while every web process is down."""
    registry.register_jobs()
    return Runner(services, services.outbox.client())


def run_scheduler(services: Services) -> int:
    """`stagebot scheduler`: the scheduler as its own process, until stopped."""
    services.settings.require_http_token()
    runner = process_runner(services)
    services.outbox.start()  # reminders go out even while no web process runs
    scheduler = BlockingScheduler(timezone=services.settings.timezone, jobstores=_jobstores(services))
    schedule(scheduler, runner)
    logger.info("scheduler %s starts (lease '%s', tick %s)", runner.holder, LEASE, TICK)
    try:
        scheduler.start()
    finally:
        runner.stop()
        services.outbox.stop()
    return 0


def start_in_process(services: Services, client: WebClient) -> BackgroundScheduler:
    """The local workspace and single-process mode run the scheduler inside the bot."""
    scheduler = BackgroundScheduler(timezone=services.settings.timezone, jobstores=_jobstores(services))
    schedule(scheduler, Runner(services, client))
    scheduler.start()
    return scheduler
