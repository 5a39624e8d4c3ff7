"""The scheduler's last tick, in the database: `stagebot doctor` and `/readyz` read it from any process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, Database


class SchedulerTick(SQLModel, table=True):
    """One row per lease name: who held it at its last completed tick, and when."""

    __tablename__ = "scheduler_tick"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    ticked_at: datetime = Field(sa_type=AwareDateTime)


def record(db: Database, name: str, holder: str, at: datetime) -> None:
    """Note a completed tick. Two schedulers writing the first row at once: the later one updates it."""
    for _ in range(2):
        try:
            with db.session() as session:
                row = session.get(SchedulerTick, name)
                if row is None:
                    session.add(SchedulerTick(name=name, holder=holder, ticked_at=at))
                else:
                    row.holder, row.ticked_at = holder, at
            return
        except IntegrityError:
            continue


def last(session: Session, name: str) -> SchedulerTick | None:
    return session.get(SchedulerTick, name)


def latest(session: Session) -> SchedulerTick | None:
    """The most recent tick of any scheduler."""
    return session.exec(select(SchedulerTick).order_by(col(SchedulerTick.ticked_at).desc())).first()
