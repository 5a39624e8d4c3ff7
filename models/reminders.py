"""Reminders sent, and snoozes: the memory that makes the scheduler nag once, never twice.

A reminder row is keyed by (recipient, kind, subject, due) and written only once Slack accepted the
message, so a restart, a retried sweep or a second scheduler sends nothing twice and a failed call is
simply tried again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, insert_many_new

SWEEP_DONE = "sweep"
CHUNK = 500  # rows per INSERT (well under SQLite's limit of bound parameters)


class Reminder(SQLModel, table=True):
    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("recipient", "kind", "subject", "due", name="uq_reminder_key"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=64, description="a Slack user id, or the announcements channel")
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=128)
    due: date = Field(index=True)
    sent_at: datetime = Field(sa_type=AwareDateTime)


class Snooze(SQLModel, table=True):
    __tablename__ = "snooze"

    recipient: str = Field(primary_key=True, max_length=64)
    until: date


Key = tuple[str, str, str, date]


def sent_keys(session: Session, since: date, *, always: tuple[str, ...] = ()) -> set[Key]:
    """Every reminder key sent on or after `since`, and of the `always` kinds whenever (one query)."""
    rows = session.exec(
        select(col(Reminder.recipient), col(Reminder.kind), col(Reminder.subject), col(Reminder.due)).where(
            (col(Reminder.due) >= since) | col(Reminder.kind).in_(always)
        )
    )
    return {(r, k, s, d) for r, k, s, d in rows}


def record_sent(session: Session, keys: list[Key], now: datetime, *, commit: bool = True) -> None:
    """Write what was sent (or queued in the outbox in this transaction); a key written first elsewhere is
    left as it is."""
    rows = [
        {"recipient": recipient, "kind": kind, "subject": subject, "due": due, "sent_at": now}
        for recipient, kind, subject, due in keys
    ]
    for start in range(0, len(rows), CHUNK):  # one statement per chunk: a sweep records thousands
        insert_many_new(session, Reminder, rows[start : start + CHUNK])
    if commit:
        session.commit()


def snoozes(session: Session, today: date) -> dict[str, date]:
    return {s.recipient: s.until for s in session.exec(select(Snooze).where(col(Snooze.until) > today))}


def snooze(session: Session, recipient: str, until: date) -> None:
    row = session.get(Snooze, recipient) or Snooze(recipient=recipient, until=until)
    row.until = until
    session.add(row)


def sweep_done(session: Session, day: date) -> bool:
    return (
        session.exec(select(Reminder.id).where(Reminder.kind == SWEEP_DONE, Reminder.due == day)).first()
        is not None
    )
