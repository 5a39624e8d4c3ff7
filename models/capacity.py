"""What an institution can host: places per subject, semester and activity, with the levels and grades.

Matching (step 3) reads these declarations as its hard capacity limits. A row is keyed by
(institution, subject, semester, activity); ``subject`` is the school subject of a subject didactics
course (as in the student's ``subject_x`` / ``subject_y``) and empty for the courses that belong to no
subject (the tutoring internship, professional teaching).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.catalogue import ActivityKind
from models.db import AwareDateTime
from models.schools import GRADES, SECONDARY_LEVELS, Level

MAX_PLACES = 500


class InstitutionCapacity(SQLModel, table=True):
    __tablename__ = "institution_capacity"
    __table_args__ = (UniqueConstraint("institution_id", "subject", "semester", "activity"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True, ondelete="CASCADE")
    subject: str = Field(default="", max_length=100)
    semester: int
    activity: str = Field(max_length=32)
    places: int
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grades: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=AwareDateTime)


def subject_key(subject: str) -> str:
    """Subjects compare without case and accents: "Wiskunde" and "wiskunde " are one subject."""
    folded = unicodedata.normalize("NFKD", subject.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@dataclass(frozen=True)
class Declared:
    """A capacity declaration as asked for, before it is stored (the CSV and the command build one)."""

    institution_id: int
    subject: str
    semester: int
    activity: str
    places: int
    levels: tuple[str, ...]
    grades: tuple[int, ...]


def problems(declared: Declared) -> list[tuple[str, dict[str, str]]]:
    """Message keys (with parameters) of what is wrong with a declaration; empty when it can be stored."""
    found: list[tuple[str, dict[str, str]]] = []
    if declared.semester not in (1, 2):
        found.append(("capacity.error.semester", {"value": str(declared.semester)}))
    if declared.activity not in {kind.value for kind in ActivityKind}:
        found.append(("capacity.error.activity", {"value": declared.activity}))
    if not 0 <= declared.places <= MAX_PLACES:
        found.append(("capacity.error.places", {"value": str(declared.places), "max": str(MAX_PLACES)}))
    unknown = [level for level in declared.levels if level not in {lv.value for lv in Level}]
    if unknown:
        found.append(("capacity.error.level", {"value": ", ".join(unknown)}))
    if any(grade not in GRADES for grade in declared.grades):
        found.append(("capacity.error.grade", {"value": ", ".join(str(g) for g in declared.grades)}))
    secondary = any(level in SECONDARY_LEVELS for level in declared.levels)
    if not unknown and secondary and not declared.grades:
        found.append(("capacity.error.grades_required", {}))
    if declared.grades and not secondary:
        found.append(("capacity.error.grades_not_secondary", {}))
    if not declared.levels:
        found.append(("capacity.error.levels_required", {}))
    return found


def find(
    session: Session, institution_id: int, subject: str, semester: int, activity: str
) -> InstitutionCapacity | None:
    rows = session.exec(
        select(InstitutionCapacity)
        .where(InstitutionCapacity.institution_id == institution_id)
        .where(InstitutionCapacity.semester == semester)
        .where(InstitutionCapacity.activity == activity)
    )
    wanted = subject_key(subject)
    return next((row for row in rows if subject_key(row.subject) == wanted), None)


def declare(session: Session, declared: Declared, *, actor_id: int | None, now: datetime) -> bool:
    """Create or update one declaration (callers check ``problems`` first); True when anything changed."""
    row = find(session, declared.institution_id, declared.subject, declared.semester, declared.activity)
    created = row is None
    if row is None:
        row = InstitutionCapacity(
            institution_id=declared.institution_id,
            subject=declared.subject.strip(),
            semester=declared.semester,
            activity=declared.activity,
            places=declared.places,
            updated_at=now,
        )
    before = (row.places, list(row.levels), list(row.grades))
    after = (declared.places, list(declared.levels), list(declared.grades))
    if not created and before == after:
        return False
    row.places, row.levels, row.grades, row.updated_at = declared.places, after[1], after[2], now
    session.add(row)
    if actor_id is not None:
        audit.log(
            session, now, "capacity.declared", actor_id=actor_id,
            subject=f"institution:{declared.institution_id}", activity=declared.activity,
            semester=declared.semester, places=declared.places, school_subject=declared.subject,
        )  # fmt: skip
    return True


def all_capacity(session: Session) -> list[InstitutionCapacity]:
    return list(
        session.exec(
            select(InstitutionCapacity).order_by(
                InstitutionCapacity.institution_id,  # type: ignore[arg-type]
                InstitutionCapacity.semester,  # type: ignore[arg-type]
                InstitutionCapacity.activity,
                InstitutionCapacity.subject,
            )
        )
    )
