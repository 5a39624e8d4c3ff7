"""Events Slack delivered and we handled, so a retried delivery (X-Slack-Retry-Num) does nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel, col

from models.db import AwareDateTime


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_type=AwareDateTime)


def seen(session: Session, event_id: str) -> bool:
    return session.get(ProcessedEvent, event_id) is not None


def mark(session: Session, event_id: str, now: datetime) -> None:
    """Written in the same transaction as the event's effects: both land, or neither."""
    session.add(ProcessedEvent(event_id=event_id, received_at=now))


def forget_before(session: Session, when: datetime) -> int:
    """Slack retries within minutes and a signature lasts five: older keys protect nothing. Commits."""
    gone = session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < when))
    session.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]  # CursorResult
