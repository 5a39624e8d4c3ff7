"""Problems a student reports to the placement coordinator (`/stage problem`).

The report is stored before anyone is told, so a failed Slack call never loses it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from models.db import AwareDateTime, utcnow

MAX_PROBLEM_LENGTH = 2000


class Problem(SQLModel, table=True):
    __tablename__ = "problem"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(max_length=MAX_PROBLEM_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    notified_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


def report(session: Session, student_id: int, text: str, now: datetime) -> Problem:
    problem = Problem(student_id=student_id, text=text.strip(), created_at=now)
    session.add(problem)
    session.flush()
    return problem


def mark_notified(session: Session, problem_id: int, now: datetime) -> None:
    problem = session.get_one(Problem, problem_id)
    problem.notified_at = now
    session.add(problem)


def unnotified(session: Session) -> list[Problem]:
    return list(session.exec(select(Problem).where(Problem.notified_at == None)))  # noqa: E711
