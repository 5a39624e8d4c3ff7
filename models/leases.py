"""A named lease in the database: exactly one scheduler works; a second copy waits and takes over
when the first stops renewing (it died). Portable: one conditional UPDATE, or one INSERT, on any database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from models.db import AwareDateTime


class Lease(SQLModel, table=True):
    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime = Field(sa_type=AwareDateTime)


def acquire(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; True when `holder` has it until now + ttl. Commits on its own."""
    renewed = session.execute(
        update(Lease)
        .where(col(Lease.name) == name)
        .where((col(Lease.holder) == holder) | (col(Lease.expires_at) < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if renewed.rowcount:  # type: ignore[attr-defined]
        session.commit()
        return True
    session.rollback()
    if session.get(Lease, name) is not None:
        return False
    session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def current(session: Session, name: str, now: datetime) -> Lease | None:
    """The lease as it stands, when someone holds it at `now` (None: free, or run out)."""
    lease = session.get(Lease, name)
    return lease if lease is not None and lease.expires_at >= now else None


def take_over(session: Session, name: str) -> None:
    """Drop the lease whoever holds it: only for a database that one process owns (the local workspace),
    where a holder that did not stop cleanly would otherwise keep the scheduler idle for a lease period."""
    lease = session.get(Lease, name)
    if lease is not None:
        session.delete(lease)
        session.commit()


def release(session: Session, name: str, holder: str) -> None:
    lease = session.get(Lease, name)
    if lease is not None and lease.holder == holder:
        session.delete(lease)
        session.commit()
