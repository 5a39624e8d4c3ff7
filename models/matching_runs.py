"""Matching runs and their proposals: what the solver suggested, kept until a reviewer decides.

A proposal is not a placement: nothing reaches the student until a supervisor or the coordinator accepts
it, and accepting goes through the placements feature (its checks, its messages). Excluding an
institution starts a new run that carries the exclusions of the run it replaces.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models import capacity, matching, once, placements, preferences
from models.capacity import InstitutionCapacity
from models.catalogue import Catalogue
from models.db import AwareDateTime
from models.matching_instance import HeldHours, Instance, Offer, Result, School, StudentNeed, fold
from models.people import Person, Student, supervised_by
from models.placements import counts_for_upper_grades
from models.schools import Institution, Level


class RunStatus(StrEnum):
    SOLVING = "solving"
    DONE = "done"
    FAILED = "failed"


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REFUSED = "refused"  # the placements checks refused it on acceptance (something changed meanwhile)
    SUPERSEDED = "superseded"  # a newer run for the same student replaced it


class MatchRun(SQLModel, table=True):
    __tablename__ = "match_run"

    id: int | None = Field(default=None, primary_key=True)
    requested_by_id: int = Field(foreign_key="person.id", index=True)
    requested_at: datetime = Field(sa_type=AwareDateTime)
    cohort: bool = False  # the coordinator's whole cohort; else the requester's own students
    status: str = Field(default=RunStatus.SOLVING.value, max_length=16)
    excluded_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conflicts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seconds: float | None = None
    optimal: bool = False


class MatchProposal(SQLModel, table=True):
    """One course of one student at one institution, as the solver proposed it."""

    __tablename__ = "match_proposal"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="match_run.id", index=True, ondelete="CASCADE")
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id")
    course_code: str = Field(max_length=32)
    activities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    semester: int
    level: str = Field(max_length=32)
    grade: int | None = None
    rank: int | None = None
    region: bool = False
    why_not: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ProposalStatus.OPEN.value, max_length=16)
    placement_id: int | None = Field(default=None, foreign_key="placement.id")


# --- building the instance ------------------------------------------------------------------------------


def students_in_scope(session: Session, requester_id: int, cohort: bool) -> list[int]:
    query = select(Student.person_id)
    if not cohort:
        query = query.where(supervised_by(requester_id))
    return sorted(session.exec(query))


def load_instance(
    session: Session, catalogue: Catalogue, student_ids: list[int], excluded: set[int]
) -> Instance:
    """The students' open courses, preferences and kept placements; the places net of every active
    placement (of any student: places taken by others are gone)."""
    schools = {
        i.id: School(i.id, i.code, i.name, i.city, tuple(i.levels))
        for i in session.exec(select(Institution))
        if i.id is not None
    }
    active = list(session.exec(select(placements.Placement).where(placements.Placement.status == "active")))
    students = {
        s.person_id: s for s in session.exec(select(Student).where(col(Student.person_id).in_(student_ids)))
    }
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(student_ids)))}
    all_students = {s.person_id: s for s in session.exec(select(Student))}
    taken: dict[tuple[int, str, int, str], int] = {}
    for p in active:
        course = catalogue.course(p.course_code)
        owner = all_students.get(p.student_id)
        subject = ""
        if course is not None and owner is not None and course.subject in ("X", "Y"):
            subject = owner.subject_x if course.subject == "X" else owner.subject_y
        for a in p.activities:
            key = (p.institution_id, fold(subject), p.semester, a)
            taken[key] = taken.get(key, 0) + 1
    offers = []
    for row in capacity.all_capacity(session):
        key = (row.institution_id, fold(row.subject), row.semester, row.activity)
        offers.append(
            Offer(row.institution_id, row.subject, row.semester, row.activity,
                  max(0, row.places - taken.get(key, 0)), tuple(row.levels), tuple(row.grades))
        )  # fmt: skip
    needs = []
    for sid in student_ids:
        student, person = students.get(sid), people.get(sid)
        if student is None or person is None:
            continue
        held = [p for p in active if p.student_id == sid]
        latest = preferences.latest(session, sid)
        prefs = preferences.Preferences.of(latest) if latest else preferences.Preferences()
        units = matching.units_of(
            catalogue, student.subject_x, student.subject_y, placements.open_slots(catalogue, held),
            tutoring_semester=prefs.tutoring_semester, professional_semester=prefs.professional_semester,
        )  # fmt: skip
        needs.append(
            StudentNeed(
                id=sid, key=person.slack_user_id, name=person.name, units=units,
                ranked=tuple(i for i in prefs.institution_ids if i in schools),
                regions=prefs.regions, avoid=frozenset(preferences.conflict_institution_ids(session, sid)),
                alternatives_ok=bool(prefs.alternatives), levels=prefs.levels, grades=prefs.grades,
                held=tuple(
                    HeldHours(p.institution_id, p.hours, counts_for_upper_grades(p.level, p.grade),
                              p.level == Level.ALTERNATIVE)
                    for p in held
                ),
            )
        )  # fmt: skip
    return Instance(needs, schools, offers, frozenset(excluded))


# --- runs --------------------------------------------------------------------------------------------------


def start(session: Session, requester_id: int, cohort: bool, excluded: set[int], now: datetime) -> MatchRun:
    run = MatchRun(
        requested_by_id=requester_id, requested_at=now, cohort=cohort, excluded_ids=sorted(excluded)
    )
    session.add(run)
    session.flush()
    return run


def store(session: Session, run: MatchRun, result: Result) -> None:
    """Keep the proposal; open proposals of earlier runs for the same students are superseded."""
    assert run.id is not None
    students = sorted(set(result.choices) | set(result.unplaced))
    if students:
        for old in session.exec(
            select(MatchProposal)
            .where(col(MatchProposal.student_id).in_(students))
            .where(MatchProposal.status == ProposalStatus.OPEN.value)
            .where(MatchProposal.run_id != run.id)
        ):
            old.status = ProposalStatus.SUPERSEDED.value
            session.add(old)
    for student_id, choices in sorted(result.choices.items()):
        reasons = [
            {"institution_id": w.institution_id, "rank": w.rank, "key": w.key, "params": w.params}
            for w in result.why_not.get(student_id, [])
        ]
        for c in choices:
            session.add(
                MatchProposal(
                    run_id=run.id, student_id=student_id, institution_id=c.institution_id,
                    course_code=c.unit.course_code, activities=list(c.unit.activities), semester=c.semester,
                    level=c.level, grade=c.grade, rank=c.rank, region=c.region, why_not=reasons,
                )
            )  # fmt: skip
    run.conflicts = [{"key": c.key, "params": c.params} for c in result.conflicts]
    run.seconds, run.optimal, run.status = round(result.seconds, 2), result.optimal, RunStatus.DONE.value
    session.add(run)
    session.flush()


def take(session: Session, proposal: MatchProposal) -> bool:
    """Claim an open proposal for acceptance; False when another click took it first (the database
    decides between two clicks at the same moment). The caller then places it, or marks it refused."""
    return once.transition(
        session, proposal, "status", ProposalStatus.OPEN.value, status=ProposalStatus.ACCEPTED.value
    )


def proposals_of(session: Session, run_id: int, *, open_only: bool = False) -> list[MatchProposal]:
    query = select(MatchProposal).where(MatchProposal.run_id == run_id)
    if open_only:
        query = query.where(MatchProposal.status == ProposalStatus.OPEN.value)
    return list(session.exec(query.order_by(col(MatchProposal.student_id), col(MatchProposal.id))))


def capacity_rows(session: Session) -> list[InstitutionCapacity]:
    return capacity.all_capacity(session)
