"""Background work that survives a restart: each job is a row first (models.pending_jobs), then runs on
the background pool; every process (web or scheduler) resumes rows a crash or restart left behind, and a
lease per job makes sure one of them runs it.

A job kind is registered once with the function that does it (all of them from bot/flows/registry.py,
by the web app and by the scheduler process); the payload is plain JSON.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import event
from sqlmodel import Session

from bot import logs
from bot.delivery.outbox import wall_now
from bot.services import Services
from bot.settings import Settings
from models import leases, pending_jobs

logger = logging.getLogger(__name__)
JobFunction = Callable[[Services, WebClient, dict[str, Any]], None]
KINDS: dict[str, JobFunction] = {}
OUTBOX_KEY = "_outbox_key"


@dataclass(frozen=True)
class Timing:
    """How soon a stopped process's job is taken over: every process looks every `every` seconds; a job
    younger than `grace` is probably still starting where it was recorded; a job's `lease` is renewed
    every `renew_every` seconds while it runs, so a killed process's job is free once the lease runs out."""

    every: float
    grace: timedelta
    lease: timedelta
    renew_every: float


def timing(settings: Settings) -> Timing:
    """All four from one setting (STAGEBOT_JOB_RESUME_SECONDS, 30 s): short in tests that kill a process."""
    seconds = float(settings.job_resume_seconds)
    return Timing(
        every=seconds,
        grace=timedelta(seconds=seconds * 2 / 3),
        lease=timedelta(seconds=seconds),
        renew_every=seconds / 3,
    )


def register(kind: str, function: JobFunction) -> None:
    KINDS[kind] = function


def _keyed(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    if kind not in KINDS:
        raise KeyError(f"no job kind {kind!r} is registered")
    return {**payload, OUTBOX_KEY: uuid.uuid4().hex}  # ids of finished jobs come back on SQLite


def record(services: Services, kind: str, payload: dict[str, Any]) -> int:
    """Write the job down (committed) before the user is answered; returns its id for `start`."""
    with services.db.session() as session:
        return pending_jobs.add(session, kind, _keyed(kind, payload), services.clock.now())


def record_in(
    session: Session, services: Services, client: WebClient, kind: str, payload: dict[str, Any]
) -> int:
    """Write the job in the caller's own transaction (with the request's key, so a retried request never
    makes a second one); it starts once that transaction commits, and not at all if it rolls back."""
    job_id = pending_jobs.add(session, kind, _keyed(kind, payload), services.clock.now())
    event.listen(session, "after_commit", lambda _session: start(services, client, job_id), once=True)
    return job_id


def start(services: Services, client: WebClient, job_id: int) -> None:
    """Run a recorded job on the background pool (after the answer, so the job's own reply comes last)."""
    services.background.submit(run, services, client, job_id)


def run(services: Services, client: WebClient, job_id: int) -> bool:
    """Do one job; True when it is done (its row is gone), False when it failed and stays to be retried
    or another process is doing it right now (each run holds the job's lease, so a job runs once)."""
    with services.db.session() as session:
        job = session.get(pending_jobs.PendingJob, job_id)
        if job is None:
            return True
        kind, payload = job.kind, dict(job.payload)
    if kind not in KINDS:  # a kind another process knows (a newer release beside this one): theirs to run
        logger.debug("job %s (%s) is left to a process that knows its kind", job_id, kind)
        return False
    key = str(payload.pop(OUTBOX_KEY, job_id))
    lease, holder = f"job:{key}"[:64], f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with services.db.session() as session:
        if not leases.acquire(session, lease, holder, wall_now(), timing(services.settings).lease):
            return False
    # Its sends are keyed by the job: a job run again after a crash writes the same rows, sent once.
    client = services.outbox.client(f"job:{key}")
    with logs.timed(logger, "job", kind, job_id=job_id), _renewing(services, lease, holder):
        try:
            KINDS[kind](services, client, payload)
        except Exception as error:
            logs.mark("failed")
            logger.exception("job %s (%s) failed", job_id, kind)
            with services.db.session() as session:
                pending_jobs.failed(session, job_id, repr(error))
                leases.release(session, lease, holder)
            return False
    with services.db.session() as session:
        pending_jobs.finish(session, job_id)
        leases.release(session, lease, holder)
    services.outbox.kick()
    return True


@contextmanager
def _renewing(services: Services, lease: str, holder: str) -> Iterator[None]:
    """Keep the job's lease while it runs; a process that dies stops renewing and the lease runs out."""
    done = threading.Event()
    times = timing(services.settings)

    def renew() -> None:
        while not done.wait(times.renew_every):
            try:
                with services.db.session() as session:
                    leases.acquire(session, lease, holder, wall_now(), times.lease)
            except Exception:  # the database is away for a moment: the next round tries again
                logger.warning("could not renew the lease of %s", lease)

    thread = threading.Thread(target=renew, name="stagebot-job-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=5)


def resume(services: Services, client: WebClient) -> int:
    """Run what a restart or crash left unfinished; returns how many jobs got done."""
    with services.db.session() as session:
        left = pending_jobs.unfinished(session, services.clock.now(), timing(services.settings).grace)
    return sum(run(services, client, job_id) for job_id in left)
