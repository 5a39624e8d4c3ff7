"""The eight administrative steps (domain.md) and where each student stands on them.

Each feature records its step's state here in the same transaction as its own change, so the checklist,
the supervisor's counts and the cohort overview are a few indexed queries whatever the cohort size.
A missing row means the step has not started.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from models.catalogue import Catalogue, Deadline
from models.db import AwareDateTime, utcnow
from models.people import Person, Student, supervised_by


class Step(IntEnum):
    INTAKE = 1
    DOCUMENTS = 2
    MATCHING = 3
    REQUEST = 4
    AGREEMENT = 5
    CONTACT = 6
    PLANNING = 7
    APPROVAL = 8


class StepState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    AWAITING_REVIEW = "awaiting_review"
    SENT_BACK = "sent_back"
    DONE = "done"
    NOT_REQUIRED = "not_required"


FINISHED = frozenset({StepState.DONE, StepState.NOT_REQUIRED})


class StepProgress(SQLModel, table=True):
    __tablename__ = "step_progress"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    step: int = Field(primary_key=True)
    state: str = Field(max_length=20, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


@dataclass(frozen=True)
class StepStatus:
    step: Step
    state: StepState
    updated_at: datetime | None


def record(session: Session, student_id: int, step: Step, state: StepState, now: datetime) -> None:
    """Set one step's state; features call this inside their own transaction."""
    row = session.get(StepProgress, (student_id, int(step)))
    if row is None:
        row = StepProgress(student_id=student_id, step=int(step), state=state.value, updated_at=now)
    else:
        row.state, row.updated_at = state.value, now
    session.add(row)


def checklist(session: Session, student_id: int) -> list[StepStatus]:
    rows = {
        row.step: row
        for row in session.exec(select(StepProgress).where(StepProgress.student_id == student_id))
    }
    return [
        StepStatus(step, StepState(rows[step].state), rows[step].updated_at)
        if step in rows
        else StepStatus(step, StepState.NOT_STARTED, None)
        for step in Step
    ]


@dataclass(frozen=True)
class StudentSummary:
    student_id: int
    slack_user_id: str
    name: str
    done: int
    waiting: int
    sent_back: int
    next_open: Step | None
    next_state: StepState | None = None  # the state of the first open step


def summaries(session: Session, student_ids: list[int]) -> list[StudentSummary]:
    """One line per student (in the given order): steps done, waiting for review, sent back, first open."""
    if not student_ids:
        return []
    people = {
        pid: (slack_id, name)
        for pid, slack_id, name in session.exec(
            select(Person.id, Person.slack_user_id, Person.name).where(col(Person.id).in_(student_ids))
        )
    }
    states: dict[int, dict[int, StepState]] = {sid: {} for sid in student_ids}
    for sid, step, state in session.exec(
        select(StepProgress.student_id, StepProgress.step, StepProgress.state).where(
            col(StepProgress.student_id).in_(student_ids)
        )
    ):
        states[sid][step] = StepState(state)
    result = []
    for sid in student_ids:
        own = states[sid]
        counts = Counter(own.values())
        next_open = next((s for s in Step if own.get(s, StepState.NOT_STARTED) not in FINISHED), None)
        slack_id, name = people[sid]
        result.append(
            StudentSummary(
                sid,
                slack_id,
                name,
                done=counts[StepState.DONE] + counts[StepState.NOT_REQUIRED],
                waiting=counts[StepState.AWAITING_REVIEW],
                sent_back=counts[StepState.SENT_BACK],
                next_open=next_open,
                next_state=own.get(next_open, StepState.NOT_STARTED) if next_open is not None else None,
            )
        )
    return result


@dataclass(frozen=True)
class StepCounts:
    """How many students of a group are in each state of one step."""

    step: Step
    by_state: dict[StepState, int]

    @property
    def finished(self) -> int:
        return sum(n for state, n in self.by_state.items() if state in FINISHED)


def step_counts(session: Session, supervisor_id: int | None = None) -> tuple[int, list[StepCounts]]:
    """Counts per step and state over the cohort, or over one supervisor's students; plus the group size."""
    students = select(Student.person_id)
    if supervisor_id is not None:
        students = students.where(supervised_by(supervisor_id))
    group = students.subquery()
    total = session.exec(select(func.count()).select_from(group)).one()
    rows = session.exec(
        select(col(StepProgress.step), col(StepProgress.state), func.count())
        .where(col(StepProgress.student_id).in_(select(group.c.person_id)))
        .group_by(col(StepProgress.step), col(StepProgress.state))
    ).all()
    counted: dict[int, dict[StepState, int]] = {step: {} for step in Step}
    for step, state, n in rows:
        counted[step][StepState(state)] = n
    result = []
    for step in Step:
        by_state = counted[step]
        by_state[StepState.NOT_STARTED] = (
            by_state.get(StepState.NOT_STARTED, 0) + total - sum(by_state.values())
        )
        result.append(StepCounts(step, by_state))
    return total, result


def student_ids_page(
    session: Session, offset: int, limit: int, supervisor_id: int | None = None
) -> tuple[list[int], int]:
    """A page of students in name order, and how many there are in all."""
    query = select(Student.person_id).join(Person, col(Person.id) == col(Student.person_id))
    if supervisor_id is not None:
        query = query.where(supervised_by(supervisor_id))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ids = list(session.exec(query.order_by(col(Person.name), col(Person.id)).offset(offset).limit(limit)))
    return ids, total


def overdue_deadlines(catalogue: Catalogue, statuses: list[StepStatus], today: date) -> dict[Step, Deadline]:
    """Per step the student has not done their part of (not finished, not waiting for a reviewer), the
    latest of its deadlines already past. The planning's deadlines are per placement: the planning view
    marks those."""
    late = {s.step for s in statuses if s.state not in FINISHED and s.state != StepState.AWAITING_REVIEW}
    found: dict[Step, Deadline] = {}
    for deadline in catalogue.all_deadlines():  # sorted by due date: the latest past one stays
        if deadline.period_start is None and deadline.due < today and deadline.step in late:
            found[Step(deadline.step)] = deadline
    return found


def passed_steps(catalogue: Catalogue, today: date) -> set[Step]:
    """The steps with a deadline already past (for the overviews: a student whose next open step is one
    of them is late)."""
    return {Step(d.step) for d in catalogue.all_deadlines() if d.period_start is None and d.due < today}


def next_deadline(catalogue: Catalogue, statuses: list[StepStatus], today: date) -> Deadline | None:
    """The earliest deadline from today on whose step the student has not finished."""
    open_steps = {s.step for s in statuses if s.state not in FINISHED}
    upcoming = [d for d in catalogue.all_deadlines() if d.due >= today and d.step in open_steps]
    return min(upcoming, key=lambda d: (d.due, d.step), default=None)
