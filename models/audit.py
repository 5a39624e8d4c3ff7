"""The audit log: who did what to whose records, and when. Read by the coordinator; never edited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=AwareDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    student_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=128, description="e.g. 'document:12'")
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def log(
    session: Session,
    now: datetime,
    action: str,
    *,
    actor_id: int | None,
    student_id: int | None = None,
    subject: str = "",
    **detail: Any,
) -> AuditEntry:
    """Record one event in the caller's transaction (so a refused change leaves no false entry)."""
    entry = AuditEntry(
        at=now, actor_id=actor_id, student_id=student_id, action=action, subject=subject, detail=detail
    )
    session.add(entry)
    return entry


def for_student(session: Session, student_id: int, limit: int = 200) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.student_id == student_id)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        )
    )
