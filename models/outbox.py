"""The outbox: everything the bot sends because something changed, written in the transaction of that change.

A row is keyed by a natural key (writing it twice is a no-op), ordered within its lane (one conversation),
claimed by one worker before it is sent and marked sent once Slack accepted it. A claim runs out, so a
worker that died mid-send leaves its rows to the next one. No Slack here: the rows are plain JSON.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, and_, bindparam, delete, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, insert_many_new, insert_new

MAX_ATTEMPTS = 8
KEY_LENGTH = 200


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(
        max_length=KEY_LENGTH,
        unique=True,
        index=True,
        description="natural key: the same message twice is one",
    )
    lane: str = Field(max_length=128, index=True, description="the conversation: rows of a lane go in order")
    method: str = Field(
        max_length=48, description="chat.postMessage, chat.update, response_url, files.upload, ..."
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=OutboxState.PENDING.value, max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(sa_type=AwareDateTime)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_at: datetime = Field(sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=200)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


def _row(key: str, lane: str, method: str, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "key": key[:KEY_LENGTH],
        "lane": lane[:128],
        "method": method,
        "payload": payload,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
    }


def enqueue(
    session: Session, key: str, lane: str, method: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Add a message to the session's transaction; False when a message with this key exists already."""
    return insert_new(session, OutboxMessage, _row(key, lane, method, payload, now))


def enqueue_many(
    session: Session, messages: list[tuple[str, str, str, dict[str, Any]]], now: datetime
) -> set[str]:
    """`enqueue` for many (key, lane, method, payload) in one statement; returns the keys that were new."""
    rows = [_row(key, lane, method, payload, now) for key, lane, method, payload in messages]
    return set(insert_many_new(session, OutboxMessage, rows, returning="key"))


def claim(session: Session, holder: str, now: datetime, ttl: timedelta, limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` rows that are due and first in their lane; commits. Portable: one conditional
    UPDATE for the batch (a row another worker claimed meanwhile no longer matches it), then the rows this
    claim won, told apart from older claims by their `claimed_until`."""
    earlier = aliased(OutboxMessage)
    open_states = (OutboxState.PENDING.value, OutboxState.SENDING.value)
    claimable = or_(
        and_(col(OutboxMessage.state) == OutboxState.PENDING.value, col(OutboxMessage.not_before) <= now),
        and_(col(OutboxMessage.state) == OutboxState.SENDING.value, col(OutboxMessage.claimed_until) < now),
    )
    blocked = exists().where(
        col(earlier.lane) == col(OutboxMessage.lane),
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.state).in_(open_states),
    )
    candidates = session.exec(
        select(OutboxMessage.id).where(claimable, ~blocked).order_by(col(OutboxMessage.id)).limit(limit)
    ).all()
    if not candidates:
        session.rollback()
        return []
    until = now + ttl
    won = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(candidates), claimable)
        .values(state=OutboxState.SENDING.value, claimed_by=holder, claimed_until=until)
    )
    session.commit()
    if not won.rowcount:  # type: ignore[attr-defined]  # CursorResult
        return []
    rows = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(candidates),
            col(OutboxMessage.claimed_by) == holder,
            col(OutboxMessage.claimed_until) == until,
            col(OutboxMessage.state) == OutboxState.SENDING.value,
        )
    ).all()
    return sorted(rows, key=lambda r: r.id or 0)


def _mine(row_id: int, holder: str) -> Any:
    return and_(
        col(OutboxMessage.id) == row_id,
        col(OutboxMessage.claimed_by) == holder,
        col(OutboxMessage.state) == OutboxState.SENDING.value,
    )


def mark_many_sent(
    session: Session,
    holder: str,
    sent: list[tuple[int, dict[str, Any]]],
    dms: list[tuple[str, str]],
    now: datetime,
) -> None:
    """Slack accepted these rows (id, result): marked sent in one statement and one commit, with the DM
    channels (user, channel) they taught, so senders that finish together share one commit."""
    if sent:
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        statement = (
            table.update()
            .where(
                table.c.id == bindparam("row_id"),
                table.c.claimed_by == holder,
                table.c.state == OutboxState.SENDING.value,
            )
            .values(
                state=OutboxState.SENT.value, sent_at=now, result=bindparam("row_result"), claimed_until=None
            )
        )
        session.connection().execute(statement, [{"row_id": i, "row_result": r} for i, r in sent])
    learnt = {user: channel for user, channel in dms}
    rows = [{"user_id": user, "channel_id": channel} for user, channel in learnt.items()]
    insert_many_new(session, DmChannel, rows)
    session.commit()


def release(session: Session, row_id: int, holder: str, not_before: datetime, error: str | None) -> None:
    """Back to pending until `not_before` without counting an attempt (rate limit, waiting for another)."""
    session.execute(
        update(OutboxMessage)
        .where(_mine(row_id, holder))
        .values(state=OutboxState.PENDING.value, not_before=not_before, claimed_until=None, last_error=error)
    )
    session.commit()


def retry_or_fail(
    session: Session, row_id: int, holder: str, error: str, now: datetime, *, final: bool
) -> bool:
    """Count a failed attempt; back off, or fail for good (`final`, or too many attempts): True if failed."""
    row = session.get(OutboxMessage, row_id)
    if row is None or row.claimed_by != holder or row.state != OutboxState.SENDING.value:
        session.rollback()
        return False
    attempts = row.attempts + 1
    failed = final or attempts >= MAX_ATTEMPTS
    session.execute(
        update(OutboxMessage)
        .where(_mine(row_id, holder))
        .values(
            attempts=attempts,
            last_error=error[:200],
            claimed_until=None,
            state=(OutboxState.FAILED if failed else OutboxState.PENDING).value,
            not_before=now + timedelta(seconds=min(300, 2**attempts)),
        )
    )
    session.commit()
    return failed


def result_of(session: Session, key: str) -> tuple[str, dict[str, Any] | None] | None:
    """(state, result) of the row with this key, or None when there is none."""
    row = session.exec(
        select(OutboxMessage.state, OutboxMessage.result).where(OutboxMessage.key == key[:KEY_LENGTH])
    ).first()
    return None if row is None else (row[0], None if row[1] is None else dict(row[1]))


def unsent(session: Session) -> list[OutboxMessage]:
    """Pending and failed rows, oldest first (`stagebot outbox`)."""
    wanted = (OutboxState.PENDING.value, OutboxState.SENDING.value, OutboxState.FAILED.value)
    return list(
        session.exec(
            select(OutboxMessage).where(col(OutboxMessage.state).in_(wanted)).order_by(col(OutboxMessage.id))
        )
    )


def retry_failed(session: Session) -> int:
    """Put the rows that failed for good back in line (after the cause was fixed); commits."""
    done = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.state) == OutboxState.FAILED.value)
        .values(state=OutboxState.PENDING.value, attempts=0)
    )
    session.commit()
    return int(done.rowcount)  # type: ignore[attr-defined]  # CursorResult


def forget_sent_before(session: Session, when: datetime) -> int:
    """Sent rows are kept a while (to read what went out), then dropped; pending and failed ones stay."""
    gone = session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.state) == OutboxState.SENT.value, col(OutboxMessage.sent_at) < when
        )
    )
    session.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]  # CursorResult


def counts(session: Session) -> Counter[str]:
    """How many rows are in each state (the digest shows pending and failed)."""
    rows = session.exec(select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state)))
    return Counter({state: n for state, n in rows})


def due_soonest(session: Session, now: datetime) -> datetime | None:
    """When the next pending row becomes due (None: nothing pending)."""
    return session.exec(
        select(OutboxMessage.not_before)
        .where(col(OutboxMessage.state) == OutboxState.PENDING.value)
        .order_by(col(OutboxMessage.not_before))
        .limit(1)
    ).first()


class DmChannel(SQLModel, table=True):
    """The DM channel Slack gave for a user, learnt from a message posted to the user id: files and updates
    need the channel, and conversations.open (Tier 3) is asked at most once per person."""

    __tablename__ = "dm_channel"

    user_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(max_length=32)


def dm_channel(session: Session, user_id: str) -> str | None:
    row = session.get(DmChannel, user_id)
    return row.channel_id if row else None


def dm_owner(session: Session, channel_id: str) -> str | None:
    return session.exec(select(DmChannel.user_id).where(DmChannel.channel_id == channel_id)).first()


def remember_dm_channel(session: Session, user_id: str, channel_id: str) -> None:
    insert_new(session, DmChannel, {"user_id": user_id, "channel_id": channel_id})
    session.commit()
