"""Placements (step 3) and the school's answer to the student's request (step 4), with their history.

A placement puts some activities of one catalogue course at one institution in one semester. It is never
deleted: withdrawing, changing (a new placement that ``replaces`` the old one) or a school's refusal only
ends it, so the history of a student's matching stays readable. The rules of domain.md ("Rules on where and
how much") are pure functions over plain values, so a test can call them without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, delete
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, once
from models.catalogue import ActivityKind, Catalogue, Course
from models.db import AwareDateTime
from models.people import FormerSchool
from models.schools import SECONDARY_LEVELS, Institution, Level

UPPER_GRADES = frozenset({2, 3})
UPPER_GRADE_HOURS = 12  # at least this many hours in the 2nd and/or 3rd grade of secondary education
ALTERNATIVE_MAX_HOURS = 10  # at most this many hours count from an alternative setting
MAX_REASON_LENGTH = 500  # an override reason, a school's reason to refuse


class PlacementStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"
    REFUSED = "refused"  # the school said no: the activities are free to place again


class Approval(StrEnum):
    """A supervisor who places approves by placing; a proposal (e.g. a suggestion) waits for approval."""

    PROPOSED = "proposed"
    APPROVED = "approved"


class RequestChannel(StrEnum):
    LERARENSTAGE = "lerarenstage"
    EMAIL = "email"


class Answer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class Placement(SQLModel, table=True):
    __tablename__ = "placement"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id", index=True)
    course_code: str = Field(max_length=32)
    activities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    semester: int
    start: date
    end: date
    hours: int
    level: str = Field(max_length=32)
    grade: int | None = None
    status: str = Field(default=PlacementStatus.ACTIVE.value, max_length=16, index=True)
    approval: str = Field(default=Approval.APPROVED.value, max_length=16)
    approved_by_id: int | None = Field(default=None, foreign_key="person.id")
    approved_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    placed_by_id: int | None = Field(default=None, foreign_key="person.id")
    placed_at: datetime = Field(sa_type=AwareDateTime)
    override_reason: str | None = Field(default=None, max_length=500)
    replaces_id: int | None = Field(default=None, foreign_key="placement.id")
    ended_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    ended_by_id: int | None = Field(default=None, foreign_key="person.id")
    request_channel: str | None = Field(default=None, max_length=16)
    requested_on: date | None = None
    answer: str = Field(default=Answer.PENDING.value, max_length=16)
    answered_on: date | None = None
    refusal_reason: str | None = Field(default=None, max_length=500)

    @property
    def is_active(self) -> bool:
        return self.status == PlacementStatus.ACTIVE

    @property
    def is_approved(self) -> bool:
        return self.approval == Approval.APPROVED


class PlacedActivity(SQLModel, table=True):
    """An activity of a course placed for a student, held by the active placement that has it: the
    database refuses to place it twice (two submissions at once); it is let go when the placement ends."""

    __tablename__ = "placed_activity"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    course_code: str = Field(max_length=32, primary_key=True)
    activity: str = Field(max_length=32, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True, ondelete="CASCADE")


# --- the rules, as pure functions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One activity of one course: what a student must have placed once."""

    course_code: str
    kind: str
    hours: int


@dataclass(frozen=True)
class Proposal:
    """A placement as asked for, before it is stored."""

    course_code: str
    activities: tuple[str, ...]
    semester: int
    level: str
    grade: int | None


@dataclass(frozen=True)
class Held:
    """What the rules need of a placement a student already has."""

    course_code: str
    activities: tuple[str, ...]
    hours: int
    level: str
    grade: int | None


@dataclass(frozen=True)
class Refusal:
    """One reason to refuse a placement: a message key with its parameters.

    ``overridable``: the coordinator may place anyway with a reason (former school, conflict of interest).
    """

    key: str
    params: dict[str, str] = field(default_factory=dict)
    overridable: bool = False


def required_slots(catalogue: Catalogue) -> list[Slot]:
    """Every activity of every course, once (a course offered in both semesters is done in one)."""
    return [Slot(c.code, a.kind.value, a.hours) for c in catalogue.courses for a in c.activities]


def proposal_hours(course: Course, activities: Iterable[str]) -> int:
    wanted = set(activities)
    return sum(a.hours for a in course.activities if a.kind.value in wanted)


def counts_for_upper_grades(level: str, grade: int | None) -> bool:
    return level in SECONDARY_LEVELS and grade in UPPER_GRADES


def check_placement(
    catalogue: Catalogue,
    proposal: Proposal,
    institution: Institution,
    held: list[Held],
    *,
    former_school_ids: set[int],
    conflict_ids: set[int],
) -> list[Refusal]:
    """Every reason to refuse this placement, in the order a supervisor would fix them."""
    course = catalogue.course(proposal.course_code)
    if course is None:
        return [Refusal("placements.check.unknown_course", {"course": proposal.course_code})]
    known = {a.kind.value for a in course.activities}
    if not proposal.activities:
        return [Refusal("placements.check.no_activities")]
    unknown = [a for a in proposal.activities if a not in known]
    if unknown:
        return [Refusal("placements.check.unknown_activity", {"activity": ", ".join(unknown)})]
    refusals: list[Refusal] = []
    if proposal.semester not in course.semesters:
        semesters = ", ".join(str(s) for s in course.semesters)
        refusals.append(Refusal("placements.check.semester", {"semesters": semesters}))
    if institution.id in former_school_ids:
        refusals.append(Refusal("placements.check.former_school", overridable=True))
    if institution.id in conflict_ids:
        refusals.append(Refusal("placements.check.conflict", overridable=True))
    refusals += _level_refusals(proposal, institution)
    placed = {(h.course_code, a) for h in held for a in h.activities}
    twice = [a for a in proposal.activities if (proposal.course_code, a) in placed]
    if twice:
        refusals.append(Refusal("placements.check.already_placed", {"activity": ", ".join(twice)}))
        return refusals  # the hour rules below would count the same activity twice
    hours = proposal_hours(course, proposal.activities)
    refusals += _hour_refusals(catalogue, proposal, hours, held)
    return refusals


def _level_refusals(proposal: Proposal, institution: Institution) -> list[Refusal]:
    if proposal.level not in {level.value for level in Level}:
        return [Refusal("placements.check.level_not_allowed", {"level": proposal.level})]
    if proposal.level not in institution.levels:
        return [Refusal("placements.check.level_not_offered", {"level": proposal.level})]
    if proposal.level in SECONDARY_LEVELS:
        if proposal.grade is None:
            return [Refusal("placements.check.grade_required")]
        if institution.grades and proposal.grade not in institution.grades:
            return [Refusal("placements.check.grade_not_offered", {"grade": str(proposal.grade)})]
    elif proposal.grade is not None:
        return [Refusal("placements.check.grade_not_secondary")]
    return []


def _hour_refusals(catalogue: Catalogue, proposal: Proposal, hours: int, held: list[Held]) -> list[Refusal]:
    refusals: list[Refusal] = []
    alternative = sum(h.hours for h in held if h.level == Level.ALTERNATIVE) + (
        hours if proposal.level == Level.ALTERNATIVE else 0
    )
    if alternative > ALTERNATIVE_MAX_HOURS:
        refusals.append(
            Refusal(
                "placements.check.alternative_hours",
                {"hours": str(alternative), "max": str(ALTERNATIVE_MAX_HOURS)},
            )
        )
    total = sum(s.hours for s in required_slots(catalogue))
    placed = sum(h.hours for h in held) + hours
    upper = sum(h.hours for h in held if counts_for_upper_grades(h.level, h.grade))
    upper += hours if counts_for_upper_grades(proposal.level, proposal.grade) else 0
    still_open = max(0, total - placed)
    if upper + still_open < UPPER_GRADE_HOURS:
        refusals.append(
            Refusal(
                "placements.check.upper_grades",
                {"reachable": str(upper + still_open), "min": str(UPPER_GRADE_HOURS)},
            )
        )
    return refusals


def held_of(placements: Iterable[Placement]) -> list[Held]:
    return [
        Held(p.course_code, tuple(p.activities), p.hours, p.level, p.grade) for p in placements if p.is_active
    ]


def open_slots(catalogue: Catalogue, placements: Iterable[Placement]) -> list[Slot]:
    """The activities the student still needs a placement for."""
    placed = {(p.course_code, a) for p in placements if p.is_active for a in p.activities}
    return [s for s in required_slots(catalogue) if (s.course_code, s.kind) not in placed]


# --- queries ----------------------------------------------------------------------------------------------


def get(session: Session, placement_id: int) -> Placement | None:
    return session.get(Placement, placement_id)


def of_student(session: Session, student_id: int, *, active_only: bool = True) -> list[Placement]:
    query = select(Placement).where(Placement.student_id == student_id)
    if active_only:
        query = query.where(Placement.status == PlacementStatus.ACTIVE.value)
    return list(session.exec(query.order_by(col(Placement.start), col(Placement.id))))


def of_students(session: Session, student_ids: list[int]) -> list[Placement]:
    if not student_ids:
        return []
    return list(
        session.exec(
            select(Placement)
            .where(col(Placement.student_id).in_(student_ids))
            .where(Placement.status == PlacementStatus.ACTIVE.value)
            .order_by(col(Placement.start), col(Placement.id))
        )
    )


def institutions(session: Session, ids: Iterable[int]) -> dict[int, Institution]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(Institution).where(col(Institution.id).in_(wanted)))
    return {row.id: row for row in rows if row.id is not None}


# --- changes (each in the caller's transaction, with an audit entry) --------------------------------------


class ChangedMeanwhile(Exception):
    """The placement to replace was ended (withdrawn, changed) by someone else a moment ago."""

    def __init__(self, placement: Placement) -> None:
        super().__init__(placement.status)
        self.placement = placement


def place(
    session: Session,
    catalogue: Catalogue,
    student_id: int,
    institution: Institution,
    proposal: Proposal,
    *,
    actor_id: int,
    now: datetime,
    approved: bool = True,
    override_reason: str | None = None,
    replaces: Placement | None = None,
) -> Placement:
    """Store a placement whose checks passed (or were overridden); the caller checked first.

    Its activities are held for the student: when another request placed one of them at the same moment,
    the flush raises IntegrityError (roll back and check again: the checks then say it is placed)."""
    course = catalogue.course(proposal.course_code)
    assert course is not None and institution.id is not None
    period = next(p for p in course.periods if p.semester == proposal.semester)
    placement = Placement(
        student_id=student_id,
        institution_id=institution.id,
        course_code=course.code,
        activities=[a.kind.value for a in course.activities if a.kind.value in proposal.activities],
        semester=proposal.semester,
        start=period.start,
        end=period.end,
        hours=proposal_hours(course, proposal.activities),
        level=proposal.level,
        grade=proposal.grade,
        approval=(Approval.APPROVED if approved else Approval.PROPOSED).value,
        approved_by_id=actor_id if approved else None,
        approved_at=now if approved else None,
        placed_by_id=actor_id,
        placed_at=now,
        override_reason=override_reason,
        replaces_id=replaces.id if replaces else None,
    )
    if replaces is not None and not _end(session, replaces, PlacementStatus.REPLACED, actor_id, now):
        raise ChangedMeanwhile(replaces)
    session.add(placement)
    session.flush()
    assert placement.id is not None
    for activity in placement.activities:
        session.add(
            PlacedActivity(
                student_id=student_id, course_code=course.code, activity=activity, placement_id=placement.id
            )
        )
    session.flush()
    audit.log(
        session,
        now,
        "placement.changed" if replaces else "placement.created",
        actor_id=actor_id,
        student_id=student_id,
        subject=f"placement:{placement.id}",
        institution=institution.code,
        course=course.code,
        activities=placement.activities,
        **({"override_reason": override_reason} if override_reason else {}),
        **({"replaces": replaces.id} if replaces else {}),
    )
    return placement


def approve(session: Session, placement: Placement, *, actor_id: int, now: datetime) -> bool:
    """Approve a proposed placement; False when it was already approved (two clicks at once: the database
    decides, run it first in its transaction)."""
    if placement.is_approved or not placement.is_active:
        return False
    if not once.transition(
        session, placement, "approval", Approval.PROPOSED.value,
        approval=Approval.APPROVED.value, approved_by_id=actor_id, approved_at=now,
    ):  # fmt: skip
        return False
    audit.log(
        session, now, "placement.approved", actor_id=actor_id, student_id=placement.student_id,
        subject=f"placement:{placement.id}",
    )  # fmt: skip
    return True


def withdraw(session: Session, placement: Placement, *, actor_id: int, now: datetime) -> bool:
    """End an active placement; False when it had already ended (also by a click at the same moment:
    run it first in its transaction)."""
    if not placement.is_active or not _end(session, placement, PlacementStatus.WITHDRAWN, actor_id, now):
        return False
    audit.log(
        session, now, "placement.withdrawn", actor_id=actor_id, student_id=placement.student_id,
        subject=f"placement:{placement.id}",
    )  # fmt: skip
    return True


def _end(
    session: Session, placement: Placement, status: PlacementStatus, actor_id: int | None, now: datetime
) -> bool:
    """End the placement while it is active (False when someone ended it first) and let its activities go."""
    if not once.transition(
        session, placement, "status", PlacementStatus.ACTIVE.value,
        status=status.value, ended_at=now, ended_by_id=actor_id,
    ):  # fmt: skip
        return False
    session.execute(delete(PlacedActivity).where(col(PlacedActivity.placement_id) == placement.id))
    return True


def awaiting_answer(session: Session, student_id: int, institution_id: int) -> list[Placement]:
    return [
        p
        for p in of_student(session, student_id)
        if p.institution_id == institution_id and p.answer == Answer.PENDING
    ]


def record_request(
    session: Session,
    student_id: int,
    institution_id: int,
    channel: RequestChannel,
    on: date,
    *,
    now: datetime,
) -> list[Placement]:
    """The student asked the school (one request covers all their activities there)."""
    placements = awaiting_answer(session, student_id, institution_id)
    for p in placements:
        p.request_channel, p.requested_on = channel.value, on
        session.add(p)
    if placements:
        audit.log(
            session, now, "placement.requested", actor_id=student_id, student_id=student_id,
            subject=f"institution:{institution_id}", channel=channel.value, on=on.isoformat(),
        )  # fmt: skip
    return placements


def record_answer(
    session: Session,
    student_id: int,
    institution_id: int,
    accepted: bool,
    on: date,
    *,
    reason: str | None,
    now: datetime,
) -> list[Placement]:
    """The school's answer for every activity still waiting there; a refusal frees them to place again.
    Returns the placements answered now: none when the same answer came in a moment ago (run it first in
    its transaction)."""
    placements = []
    for p in awaiting_answer(session, student_id, institution_id):
        if not once.transition(
            session, p, "answer", Answer.PENDING.value,
            answer=(Answer.ACCEPTED if accepted else Answer.REFUSED).value,
            answered_on=on, refusal_reason=None if accepted else reason,
        ):  # fmt: skip
            continue
        placements.append(p)
        if not accepted:
            _end(session, p, PlacementStatus.REFUSED, student_id, now)
    if placements:
        audit.log(
            session, now, "placement.accepted" if accepted else "placement.refused", actor_id=student_id,
            student_id=student_id, subject=f"institution:{institution_id}", on=on.isoformat(),
            **({"reason": reason} if reason else {}),
        )  # fmt: skip
    return placements


def former_school_ids(session: Session, student_id: int) -> set[int]:
    rows = session.exec(select(FormerSchool.institution_id).where(FormerSchool.student_id == student_id))
    return set(rows)


def activity_label_key(kind: str) -> str:
    """The message key naming an activity kind (placements catalogue)."""
    return f"placements.activity.{ActivityKind(kind).value}"
