"""A student's internship preferences (step 1): what matching (step 3) starts from.

Every submission is kept as history and the latest one counts. After the cohort's preference deadline
(the catalogue's `preferences` deadline) they are locked; a supervisor can reopen them for one student
for a few days. The DM conversation keeps its state here too, so a restart of the bot loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, func
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit
from models.catalogue import Catalogue
from models.db import AwareDateTime
from models.people import FormerSchool
from models.schools import GRADES, Level

MAX_RANKED = 5
MAX_TEXT = 2000
REOPEN_DAYS = 7
DEADLINE_CODE = "preferences"
SEMESTERS = (1, 2)
LEVELS = tuple(level for level in Level if level != Level.ALTERNATIVE)  # alternatives are asked apart


class Alternative(StrEnum):
    """Broader educational settings for at most 10 internship hours (domain.md)."""

    MUSEUM = "museum"
    ONLINE = "online"
    COMPANY = "company"


class Source(StrEnum):
    MODAL = "modal"
    CONVERSATION = "conversation"


class PreferenceSubmission(SQLModel, table=True):
    """One submission, never changed afterwards; the newest per student is the one that counts."""

    __tablename__ = "preference_submission"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    submitted_at: datetime = Field(sa_type=AwareDateTime)
    source: str = Field(max_length=20)
    institution_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grades: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tutoring_semester: int | None = None
    professional_semester: int | None = None
    alternatives: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    former_school_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    relative_school_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conflicts_note: str = Field(default="", max_length=MAX_TEXT)
    remarks: str = Field(default="", max_length=MAX_TEXT)


class PreferenceReopening(SQLModel, table=True):
    """A supervisor lifted the lock for one student until `open_until` (inclusive)."""

    __tablename__ = "preference_reopening"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    reopened_by_id: int = Field(foreign_key="person.id")
    reopened_at: datetime = Field(sa_type=AwareDateTime)
    open_until: date


class PreferenceConversation(SQLModel, table=True):
    """The DM conversation in progress: which question is open and the answers so far (no row: none)."""

    __tablename__ = "preference_conversation"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    question: str = Field(max_length=32)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=AwareDateTime)


@dataclass(frozen=True)
class Preferences:
    """What a student asks for, before it is stored (the modal and the conversation both build one)."""

    institution_ids: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    tutoring_semester: int | None = None
    professional_semester: int | None = None
    alternatives: tuple[str, ...] = ()
    former_school_ids: tuple[int, ...] = ()
    relative_school_ids: tuple[int, ...] = ()
    conflicts_note: str = ""
    remarks: str = ""

    @classmethod
    def of(cls, row: PreferenceSubmission) -> Preferences:
        return cls(
            tuple(row.institution_ids),
            tuple(row.regions),
            tuple(row.levels),
            tuple(row.grades),
            row.tutoring_semester,
            row.professional_semester,
            tuple(row.alternatives),
            tuple(row.former_school_ids),
            tuple(row.relative_school_ids),
            row.conflicts_note,
            row.remarks,
        )

    def as_json(self) -> dict[str, Any]:
        return {name: list(v) if isinstance(v, tuple) else v for name, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preferences:
        known: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in data.items()
            if k in cls.__dataclass_fields__
        }
        return cls(**known)


class Problem(StrEnum):
    """Why a set of preferences is refused; the field it belongs to is the key in `problems()`."""

    TOO_MANY = "too_many"
    DUPLICATE = "duplicate"
    FORMER_SCHOOL = "former_school"
    UNKNOWN_LEVEL = "unknown_level"
    UNKNOWN_GRADE = "unknown_grade"
    UNKNOWN_SEMESTER = "unknown_semester"
    UNKNOWN_ALTERNATIVE = "unknown_alternative"
    TOO_LONG = "too_long"


def problems(prefs: Preferences) -> dict[str, Problem]:
    """Field -> problem; empty when the preferences can be stored. A pure rule, no database."""
    found: dict[str, Problem] = {}
    if len(prefs.institution_ids) > MAX_RANKED:
        found["institutions"] = Problem.TOO_MANY
    elif len(set(prefs.institution_ids)) != len(prefs.institution_ids):
        found["institutions"] = Problem.DUPLICATE
    if set(prefs.institution_ids) & set(prefs.former_school_ids):
        found["former_schools"] = Problem.FORMER_SCHOOL
    if any(level not in LEVELS for level in prefs.levels):
        found["levels"] = Problem.UNKNOWN_LEVEL
    if any(grade not in GRADES for grade in prefs.grades):
        found["grades"] = Problem.UNKNOWN_GRADE
    for name in ("tutoring_semester", "professional_semester"):
        if getattr(prefs, name) not in (None, *SEMESTERS):
            found[name] = Problem.UNKNOWN_SEMESTER
    if any(a not in tuple(Alternative) for a in prefs.alternatives):
        found["alternatives"] = Problem.UNKNOWN_ALTERNATIVE
    for name in ("conflicts_note", "remarks"):
        if len(getattr(prefs, name)) > MAX_TEXT:
            found[name] = Problem.TOO_LONG
    return found


# --- the lock -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Whether a student may change their preferences today, and until when."""

    locked: bool
    deadline: date | None
    reopened_until: date | None = None

    @property
    def editable_until(self) -> date | None:
        return self.reopened_until or self.deadline


def deadline(catalogue: Catalogue) -> date | None:
    return next((d.due for d in catalogue.deadlines if d.code == DEADLINE_CODE), None)


def lock_state(session: Session, catalogue: Catalogue, student_id: int, today: date) -> Lock:
    """Open up to and including the deadline day; after it only while a supervisor's reopening lasts."""
    due = deadline(catalogue)
    reopened = session.exec(
        select(func.max(PreferenceReopening.open_until)).where(PreferenceReopening.student_id == student_id)
    ).one()
    if reopened is not None and reopened >= today and (due is None or reopened > due):
        return Lock(False, due, reopened)
    return Lock(due is not None and today > due, due)


def reopen(session: Session, student_id: int, by_id: int, now: datetime, today: date) -> date:
    """Lift the lock for one student for REOPEN_DAYS days (the days count in the caller's timezone)."""
    until = today + timedelta(days=REOPEN_DAYS)
    session.add(
        PreferenceReopening(student_id=student_id, reopened_by_id=by_id, reopened_at=now, open_until=until)
    )
    audit.log(
        session, now, "preferences.reopened", actor_id=by_id, student_id=student_id, until=until.isoformat()
    )
    return until


# --- submissions --------------------------------------------------------------------------------------------


def has_preferences(session: Session, student_id: int) -> bool:
    """Step 1 needs preferences given (and the intake held): one indexed query."""
    return (
        session.exec(
            select(PreferenceSubmission.id).where(PreferenceSubmission.student_id == student_id).limit(1)
        ).first()
        is not None
    )


def latest(session: Session, student_id: int) -> PreferenceSubmission | None:
    return session.exec(
        select(PreferenceSubmission)
        .where(PreferenceSubmission.student_id == student_id)
        .order_by(col(PreferenceSubmission.submitted_at).desc(), col(PreferenceSubmission.id).desc())
        .limit(1)
    ).first()


def history_count(session: Session, student_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(PreferenceSubmission)
        .where(PreferenceSubmission.student_id == student_id)
    ).one()


def submit(
    session: Session,
    student_id: int,
    prefs: Preferences,
    source: Source,
    now: datetime,
    *,
    refresh_step: Callable[[Session, int, datetime], object],
) -> PreferenceSubmission:
    """Store a new version (callers check `problems` and the lock first) and move step 1 on.

    Step 1 is shared with the intake, whose module decides it from both halves and reads this one's
    `has_preferences`: the caller hands its `refresh_step` in, so neither module imports the other's
    module back."""
    answers: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in prefs.__dict__.items()}
    row = PreferenceSubmission(student_id=student_id, submitted_at=now, source=source.value, **answers)
    session.add(row)
    session.flush()
    refresh_step(session, student_id, now)
    audit.log(
        session, now, "preferences.submitted", actor_id=student_id, student_id=student_id, source=source.value
    )
    session.flush()
    return row


def conflict_institution_ids(session: Session, student_id: int) -> set[int]:
    """Schools matching should avoid: former schools (imported or declared), schools where relatives work."""
    imported = set(
        session.exec(select(FormerSchool.institution_id).where(FormerSchool.student_id == student_id))
    )
    row = latest(session, student_id)
    declared = set(row.former_school_ids) | set(row.relative_school_ids) if row else set()
    return imported | declared


def imported_former_school_ids(session: Session, student_id: int) -> list[int]:
    return list(
        session.exec(select(FormerSchool.institution_id).where(FormerSchool.student_id == student_id))
    )


# --- the conversation's state -------------------------------------------------------------------------------


def conversation(session: Session, student_id: int) -> PreferenceConversation | None:
    return session.get(PreferenceConversation, student_id)


def save_conversation(
    session: Session,
    student_id: int,
    question: str,
    answers: dict[str, Any],
    pending: dict[str, Any],
    now: datetime,
) -> None:
    row = session.get(PreferenceConversation, student_id)
    if row is None:
        row = PreferenceConversation(student_id=student_id, question=question, updated_at=now)
    row.question, row.answers, row.pending, row.updated_at = question, dict(answers), dict(pending), now
    session.add(row)


def end_conversation(session: Session, student_id: int) -> None:
    row = session.get(PreferenceConversation, student_id)
    if row is not None:
        session.delete(row)
