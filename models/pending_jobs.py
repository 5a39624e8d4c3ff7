"""Work a listener handed over after its answer (a file to fetch and check), written down first.

The row is committed before the user is answered and deleted only when the work is done, so a restart or
a crash in between loses nothing: the scheduler picks up rows that nobody finished.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime

MAX_ATTEMPTS = 5


class PendingJob(SQLModel, table=True):
    __tablename__ = "pending_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=AwareDateTime, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


def add(session: Session, kind: str, payload: dict[str, Any], now: datetime) -> int:
    job = PendingJob(kind=kind, payload=payload, created_at=now)
    session.add(job)
    session.flush()
    assert job.id is not None
    return job.id


def finish(session: Session, job_id: int) -> None:
    job = session.get(PendingJob, job_id)
    if job is not None:
        session.delete(job)


def failed(session: Session, job_id: int, error: str) -> None:
    job = session.get(PendingJob, job_id)
    if job is not None:
        job.attempts += 1
        job.last_error = error[:500]
        session.add(job)


def unfinished(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Jobs older than `grace` (not the ones running right now) that may still be tried."""
    rows = session.exec(
        select(col(PendingJob.id))
        .where(col(PendingJob.created_at) < now - grace, col(PendingJob.attempts) < MAX_ATTEMPTS)
        .order_by(col(PendingJob.id))
    )
    return [job_id for job_id in rows if job_id is not None]
