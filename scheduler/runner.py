"""Runs the jobs, in exactly one process: each tick first takes (or renews) a database lease.

The job store is the application's database (APScheduler's SQLAlchemy store), jobs have fixed ids and
are replaced on start, and everything a job must not forget lives in the application's own tables. A
second scheduler keeps ticking without the lease and takes over within one lease period when the first
one stops. The tick is cheap when nothing is due, so it can run every minute and catch up after downtime.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient

from bot import durable_jobs
from bot.services import Services
from models import leases, scheduler_ticks
from models.migrate import SCHEDULER_TABLE
from scheduler import jobs
from scheduler.sweep import run_sweep, sweep_is_due

logger = logging.getLogger(__name__)
LEASE = "scheduler"
TICK = timedelta(minutes=1)
LEASE_TTL = 3 * TICK
JOB_ID = "stagebot.tick"
JOBS_TABLE = SCHEDULER_TABLE


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    """One tick: hold the lease, then run every job that is due."""

    def __init__(self, services: Services, client: WebClient, holder: str | None = None) -> None:
        self.services, self.client, self.holder = services, client, holder or holder_id()

    def has_lease(self) -> bool:
        with self.services.db.session() as session:
            return leases.acquire(session, LEASE, self.holder, self.services.clock.now(), LEASE_TTL)

    def tick(self) -> bool:
        """Returns whether this process did the work (False: another scheduler holds the lease)."""
        if not self.has_lease():
            return False
        now = self.services.clock.now()
        durable_jobs.resume(self.services, self.client)
        jobs.deliver_pending_problems(self.services, self.client, now)
        jobs.deliver_pending_reviews(self.services, self.client, now)
        jobs.ask_extract_renewals(self.services, self.client, now)
        if sweep_is_due(self.services, now):
            sent, failed = run_sweep(self.services, self.client, now)
            logger.info("sweep at %s: %d message(s) sent, %d to try again", now.isoformat(), sent, failed)
        scheduler_ticks.record(self.services.db, LEASE, self.holder, now)  # seen by doctor and /readyz
        return True

    def stop(self) -> None:
        with self.services.db.session() as session:
            leases.release(session, LEASE, self.holder)


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


def run_scheduler(services: Services) -> int:
    """`stagebot scheduler`: the scheduler as its own process, until stopped."""
    services.settings.require_http_token()
    runner = Runner(services, services.outbox.client())
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
