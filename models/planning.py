"""The lesson planning of a placement (step 7), its versions and approval, and the start gate (step 8).

A placement's planning is a list of versions. The student edits a draft; submitting sends it to the
supervisor; an approved version stays visible while a changed copy (the next draft) waits for approval.
Rules are pure functions over plain values with ``now`` passed in, each failure a message key with its
parameters, so a test can call them without a database.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models import agreements, audit, lio, once, placements, progress
from models.catalogue import Catalogue
from models.db import AwareDateTime
from models.lesson_text import LessonReading, grade_of_year
from models.people import Person, supervisors_of
from models.placements import (
    ALTERNATIVE_MAX_HOURS,
    UPPER_GRADE_HOURS,
    Placement,
    counts_for_upper_grades,
)
from models.progress import Step, StepState
from models.schools import SECONDARY_LEVELS, Level

LESSON_MINUTES = 50  # one lesson hour (lesuur) in Flemish secondary schools
TYPING_WINDOW = timedelta(minutes=30)  # how long a DM of free text is read as lessons after asking for it
MAX_REASON_LENGTH = 1000  # the supervisor's reason to ask for changes
LESSON_TEXT_LIMITS = {"class_name": 40, "room": 40, "topic": 200, "mentor": 120}  # a lesson's free texts


class VersionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    SUPERSEDED = "superseded"  # an approved version a newer approved one replaced


class PlanningError(Exception):
    """A change refused as a whole; ``key`` explains it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class PlanningVersion(SQLModel, table=True):
    __tablename__ = "planning_version"
    __table_args__ = (UniqueConstraint("placement_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    number: int
    status: str = Field(default=VersionStatus.DRAFT.value, max_length=20)
    created_at: datetime = Field(sa_type=AwareDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    late: bool = False
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    typing_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    review_messages: list[Any] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
        description="the reviewers' DMs: [[channel, ts, person id], ...]",
    )


class PlannedLesson(SQLModel, table=True):
    """One lesson of a version; a version has one lesson starting at a given moment (two submissions of
    the same lesson at once store it once)."""

    __tablename__ = "planned_lesson"
    __table_args__ = (Index("uq_planned_lesson_start", "version_id", "day", "start", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="planning_version.id", index=True, ondelete="CASCADE")
    day: date
    start: time
    end: time
    activity: str = Field(max_length=32)
    class_name: str = Field(default="", max_length=LESSON_TEXT_LIMITS["class_name"])
    grade: int | None = None
    level: str = Field(max_length=32)
    room: str = Field(default="", max_length=LESSON_TEXT_LIMITS["room"])
    topic: str = Field(default="", max_length=LESSON_TEXT_LIMITS["topic"])
    mentor: str = Field(default="", max_length=LESSON_TEXT_LIMITS["mentor"])


class PlanningPreview(SQLModel, table=True):
    """Lessons read from text or a spreadsheet, shown to the student and saved only on confirmation."""

    __tablename__ = "planning_preview"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="planning_version.id", index=True, ondelete="CASCADE")
    lessons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=AwareDateTime)
    used: bool = False


class StartClearance(SQLModel, table=True):
    """A placement whose start the bot cleared (step 8): the student was told once."""

    __tablename__ = "start_clearance"

    placement_id: int = Field(foreign_key="placement.id", primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    cleared_at: datetime = Field(sa_type=AwareDateTime)


class CalendarFeed(SQLModel, table=True):
    """The secret of a student's private calendar feed; revoking it makes a new one."""

    __tablename__ = "calendar_feed"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    token: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=AwareDateTime)


# --- the rules, as pure functions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule: a message key and its parameters; ``blocking`` ones stop a submission."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LessonFacts:
    """What the rules need of one lesson."""

    day: date
    start: time
    end: time
    activity: str
    level: str
    grade: int | None
    placement_id: int = 0


def lesson_hours(start: time, end: time) -> float:
    """Counted hours: lesson hours of 50 minutes, to the half hour (10u-10u50 is one hour)."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(max(minutes, 0) / LESSON_MINUTES * 2) / 2


def facts(lesson: PlannedLesson | dict[str, Any], placement_id: int = 0) -> LessonFacts:
    get: Callable[[str], Any] = lesson.get if isinstance(lesson, dict) else lambda k: getattr(lesson, k)
    day, start, end = get("day"), get("start"), get("end")
    return LessonFacts(
        date.fromisoformat(day) if isinstance(day, str) else day,
        time.fromisoformat(start) if isinstance(start, str) else start,
        time.fromisoformat(end) if isinstance(end, str) else end,
        str(get("activity")),
        str(get("level")),
        get("grade"),
        placement_id,
    )


def lesson_problems(
    lesson: LessonFacts,
    period: tuple[date, date],
    activities: Iterable[str],
    others: Iterable[LessonFacts],
    today: date,
    closure_days: Collection[date] = (),
) -> list[Problem]:
    """What is wrong with one lesson: its activity, its date (past, outside the period, not a school day:
    a Saturday, a Sunday or one of the catalogue's closure days) and overlaps."""
    problems: list[Problem] = []
    allowed = list(activities)
    if not lesson.activity:
        problems.append(Problem("planning.rule.which_activity", {"allowed": allowed}))
    elif lesson.activity not in allowed:
        problems.append(Problem("planning.rule.activity", {"activity": lesson.activity, "allowed": allowed}))
    if lesson.day < today:
        problems.append(Problem("planning.rule.past", {"day": lesson.day}))
    if not period[0] <= lesson.day <= period[1]:
        problems.append(Problem("planning.rule.outside_period", {"start": period[0], "end": period[1]}))
    if (weekday := lesson.day.weekday()) >= 5:
        problems.append(Problem("planning.rule.weekend", {"day": lesson.day, "weekday": weekday}))
    elif lesson.day in closure_days:
        problems.append(Problem("planning.rule.closed", {"day": lesson.day}))
    for other in others:
        if other.day == lesson.day and other.start < lesson.end and lesson.start < other.end:
            problems.append(Problem("planning.rule.overlap", {"start": other.start, "end": other.end}))
            break
    return problems


def placement_hours(lessons: Iterable[LessonFacts]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for lesson in lessons:
        totals[lesson.activity] = totals.get(lesson.activity, 0) + lesson_hours(lesson.start, lesson.end)
    return totals


def planning_problems(
    required: dict[str, int],
    lessons: list[LessonFacts],
    other_lessons: list[LessonFacts],
    hours_still_unplanned: float,
    subject_hours: tuple[float, float] | None,
) -> list[Problem]:
    """The rules over a whole planning and the student's other plannings, in the order to fix them.

    ``hours_still_unplanned``: hours of the student's other placements with no planning yet (they may still
    bring grade-2/3 hours). ``subject_hours``: planned hours for X and Y when both have a planning."""
    problems: list[Problem] = []
    planned = placement_hours(lessons)
    for activity, hours in required.items():
        if planned.get(activity, 0) < hours:
            problems.append(
                Problem(
                    "planning.rule.hours",
                    {"activity": activity, "planned": planned.get(activity, 0), "required": hours},
                )
            )
    everything = lessons + other_lessons
    upper = sum(lesson_hours(x.start, x.end) for x in everything if counts_for_upper_grades(x.level, x.grade))
    if upper + hours_still_unplanned < UPPER_GRADE_HOURS:
        problems.append(Problem("planning.rule.upper_grades", {"hours": upper, "min": UPPER_GRADE_HOURS}))
    alternative = sum(lesson_hours(x.start, x.end) for x in everything if x.level == Level.ALTERNATIVE)
    if alternative > ALTERNATIVE_MAX_HOURS:
        problems.append(
            Problem("planning.rule.alternative", {"hours": alternative, "max": ALTERNATIVE_MAX_HOURS})
        )
    if subject_hours is not None and subject_hours[0] != subject_hours[1]:
        problems.append(Problem("planning.rule.x_equals_y", {"x": subject_hours[0], "y": subject_hours[1]}))
    return problems


def is_late(first_lesson: date | None, submitted_on: date, lead_days: int) -> bool:
    """Submitted fewer than `lead_days` days before the first lesson."""
    return first_lesson is not None and (first_lesson - submitted_on).days < lead_days


def reading_to_lesson(
    reading: LessonReading, placement: Placement, default_activity: str | None
) -> dict[str, Any]:
    """A line's reading as a stored lesson (JSON-safe), with the placement's level and grade filled in."""
    level = reading.level or placement.level
    grade = grade_of_year(reading.year) if level in SECONDARY_LEVELS and reading.year else placement.grade
    if level not in SECONDARY_LEVELS:
        grade = None
    return {
        "day": reading.day.isoformat(),
        "start": reading.start.strftime("%H:%M"),
        "end": reading.end.strftime("%H:%M"),
        "activity": reading.activity or default_activity or "",
        "class_name": reading.class_name[:40],
        "grade": grade,
        "level": level,
        "room": reading.room[:40],
        "topic": reading.topic[:200],
        "mentor": reading.mentor[:120],
    }


def only_possible_activity(
    activities: Sequence[str], required: dict[str, int], planned: dict[str, float]
) -> str | None:
    """The activity of a lesson whose line names none, when only one is possible: the placement's only
    activity, or the only one whose required hours are not all planned yet. None: the line must say it."""
    if len(activities) == 1:
        return activities[0]
    still_open = [a for a in activities if planned.get(a, 0) < required.get(a, 0)]
    return still_open[0] if len(still_open) == 1 else None


@dataclass(frozen=True)
class ReadLesson:
    """A line read as a lesson for one placement; ``taken``: the activity the line did not name, taken
    because it was the only possible one (the preview says so)."""

    number: int
    lesson: dict[str, Any]
    taken: str | None = None


def read_lessons(
    readings: Iterable[tuple[int, LessonReading]],
    placement: Placement,
    required: dict[str, int],
    existing: Iterable[LessonFacts],
) -> list[ReadLesson]:
    """The read lines as lessons of `placement`, in order, after the draft's `existing` lessons: a line
    without an activity gets the only possible one, counting the hours planned before it."""
    planned = placement_hours(existing)
    found = []
    for number, reading in readings:
        taken = None
        if not reading.activity:
            taken = only_possible_activity(placement.activities, required, planned)
        lesson = reading_to_lesson(reading, placement, taken)
        if lesson["activity"]:
            hours = lesson_hours(reading.start, reading.end)
            planned[lesson["activity"]] = planned.get(lesson["activity"], 0) + hours
        found.append(ReadLesson(number, lesson, taken))
    return found


def placements_for_lessons(
    candidates: Sequence[Placement], lessons_for: Callable[[Placement], Sequence[LessonReading]]
) -> list[Placement]:
    """The placements lessons typed without choosing one may be for: those where the lines read as
    lessons (`lessons_for`: read with that placement's school's bell times), each on a day of its period
    and of an activity it has (when the line names one); when none does, all of them (to ask)."""

    def fits(placement: Placement) -> bool:
        lessons = lessons_for(placement)
        return bool(lessons) and all(
            placement.start <= x.day <= placement.end
            and (not x.activity or x.activity in placement.activities)
            for x in lessons
        )

    return [p for p in candidates if fits(p)] or list(candidates)


# --- queries ----------------------------------------------------------------------------------------------


def versions_of(session: Session, placement_ids: Iterable[int]) -> dict[int, list[PlanningVersion]]:
    """Each placement's versions, newest first (one query)."""
    ids = sorted(set(placement_ids))
    result: dict[int, list[PlanningVersion]] = {i: [] for i in ids}
    if ids:
        for v in session.exec(
            select(PlanningVersion)
            .where(col(PlanningVersion.placement_id).in_(ids))
            .order_by(col(PlanningVersion.number).desc())
        ):
            result[v.placement_id].append(v)
    return result


def current(versions: list[PlanningVersion]) -> PlanningVersion | None:
    """The version being worked on or judged: the newest that is not superseded."""
    return next((v for v in versions if v.status != VersionStatus.SUPERSEDED), None)


def approved(versions: list[PlanningVersion]) -> PlanningVersion | None:
    return next((v for v in versions if v.status == VersionStatus.APPROVED), None)


def lessons_of(session: Session, version_ids: Iterable[int]) -> dict[int, list[PlannedLesson]]:
    ids = sorted(set(version_ids))
    result: dict[int, list[PlannedLesson]] = {i: [] for i in ids}
    if ids:
        for lesson in session.exec(
            select(PlannedLesson)
            .where(col(PlannedLesson.version_id).in_(ids))
            .order_by(col(PlannedLesson.day), col(PlannedLesson.start), col(PlannedLesson.id))
        ):
            result[lesson.version_id].append(lesson)
    return result


def typing_version(session: Session, student_id: int, now: datetime) -> PlanningVersion | None:
    """The draft whose DM conversation is open: plain DMs from the student are read as lessons."""
    return session.exec(
        select(PlanningVersion)
        .where(PlanningVersion.student_id == student_id)
        .where(PlanningVersion.status == VersionStatus.DRAFT.value)
        .where(col(PlanningVersion.typing_until) > now)
        .order_by(col(PlanningVersion.typing_until).desc())
    ).first()


# --- the whole picture of a student, for rules, status and the gate --------------------------------------


@dataclass
class StudentPlanning:
    """A student's active placements with their planning versions and lessons (four queries)."""

    placements: list[Placement]
    versions: dict[int, list[PlanningVersion]]
    lessons: dict[int, list[PlannedLesson]]

    def current(self, placement_id: int) -> PlanningVersion | None:
        return current(self.versions.get(placement_id, []))

    def approved(self, placement_id: int) -> PlanningVersion | None:
        return approved(self.versions.get(placement_id, []))

    def lesson_facts(self, version: PlanningVersion | None) -> list[LessonFacts]:
        if version is None or version.id is None:
            return []
        return [facts(x, version.placement_id) for x in self.lessons.get(version.id, [])]


def load(session: Session, student_id: int) -> StudentPlanning:
    active = [p for p in placements.of_student(session, student_id) if p.answer != placements.Answer.REFUSED]
    versions = versions_of(session, [p.id for p in active if p.id is not None])
    ids = [v.id for vs in versions.values() for v in vs[:2] if v.id is not None]
    return StudentPlanning(active, versions, lessons_of(session, ids))


def required_hours(catalogue: Catalogue, placement: Placement) -> dict[str, int]:
    course = catalogue.course(placement.course_code)
    if course is None:
        return {}
    return {a.kind.value: a.hours for a in course.activities if a.kind.value in placement.activities}


def check(
    catalogue: Catalogue,
    picture: StudentPlanning,
    placement: Placement,
    lessons: list[LessonFacts],
    today: date,
) -> tuple[dict[int, list[Problem]], list[Problem]]:
    """Problems per lesson (by index) and over the whole planning, for `lessons` as the placement's plan."""
    others = [
        x
        for p in picture.placements
        if p.id != placement.id
        for x in picture.lesson_facts(picture.current(p.id or 0))
    ]
    per_lesson: dict[int, list[Problem]] = {}
    for i, lesson in enumerate(lessons):
        siblings = lessons[:i] + others  # an overlap is the later lesson's problem
        found = lesson_problems(
            lesson, (placement.start, placement.end), placement.activities, siblings, today,
            catalogue.reminders.closure_days,
        )  # fmt: skip
        if found:
            per_lesson[i] = found
    unplanned = sum(
        p.hours for p in picture.placements if p.id != placement.id and picture.current(p.id or 0) is None
    )
    unplanned += sum(
        slot.hours for slot in placements.open_slots(catalogue, picture.placements)
    )  # not placed yet
    subject_of = {c.code: c.subject for c in catalogue.courses}
    sides: dict[str, float] = {"X": 0.0, "Y": 0.0}
    planned_sides: set[str] = set()
    for p in picture.placements:
        subject = subject_of.get(p.course_code)
        if subject not in sides:
            continue
        own = lessons if p.id == placement.id else picture.lesson_facts(picture.current(p.id or 0))
        if p.id == placement.id or picture.current(p.id or 0) is not None:
            planned_sides.add(subject)
        sides[subject] += sum(lesson_hours(x.start, x.end) for x in own)
    subject_hours = (sides["X"], sides["Y"]) if planned_sides == {"X", "Y"} else None
    whole = planning_problems(required_hours(catalogue, placement), lessons, others, unplanned, subject_hours)
    return per_lesson, whole


# --- changes (each in the caller's transaction) ----------------------------------------------------------


def draft_for(session: Session, placement: Placement, *, now: datetime) -> PlanningVersion:
    """The placement's editable draft: the current one, or a new copy of the current (approved, sent back)."""
    assert placement.id is not None
    versions = versions_of(session, [placement.id])[placement.id]
    head = current(versions)
    if head is not None and head.status == VersionStatus.DRAFT:
        return head
    if head is not None and head.status == VersionStatus.SUBMITTED:
        raise PlanningError("planning.error.awaiting_review")
    draft = PlanningVersion(
        placement_id=placement.id,
        student_id=placement.student_id,
        number=(versions[0].number + 1) if versions else 1,
        created_at=now,
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None  # the flush gave it one
    if head is not None and head.id is not None:
        for lesson in lessons_of(session, [head.id])[head.id]:
            copy = lesson.model_dump(exclude={"id", "version_id"})
            session.add(PlannedLesson(version_id=draft.id, **copy))
        if head.status == VersionStatus.CHANGES_REQUESTED:
            head.status = VersionStatus.SUPERSEDED.value
            session.add(head)
    return draft


def add_lessons(session: Session, version: PlanningVersion, lessons: list[dict[str, Any]]) -> int:
    """Add the lessons to the draft; one the draft already has (same day and start) is not added twice.
    Returns how many were added."""
    if version.status != VersionStatus.DRAFT:
        raise PlanningError("planning.error.not_draft")
    assert version.id is not None
    taken = {(x.day, x.start) for x in lessons_of(session, [version.id])[version.id]}
    added = 0
    for raw in lessons:
        f = facts(raw)
        if (f.day, f.start) in taken:
            continue
        taken.add((f.day, f.start))
        added += 1
        session.add(
            PlannedLesson(
                version_id=version.id, day=f.day, start=f.start, end=f.end, activity=f.activity,
                class_name=str(raw.get("class_name") or "")[:40], grade=f.grade, level=f.level,
                room=str(raw.get("room") or "")[:40], topic=str(raw.get("topic") or "")[:200],
                mentor=str(raw.get("mentor") or "")[:120],
            )
        )  # fmt: skip
    return added


def delete_lesson(session: Session, version: PlanningVersion, lesson_id: int) -> bool:
    lesson = session.get(PlannedLesson, lesson_id)
    if lesson is None or lesson.version_id != version.id or version.status != VersionStatus.DRAFT:
        return False
    session.delete(lesson)
    return True


def submit(
    session: Session,
    catalogue: Catalogue,
    student_id: int,
    placement: Placement,
    *,
    now: datetime,
    today: date,
) -> tuple[PlanningVersion, list[Problem]]:
    """Send the draft to the supervisor, or return every reason it cannot go yet (nothing changed then).

    Run it first in its transaction: of two submissions at once, the second is refused."""
    picture = load(session, student_id)
    version = picture.current(placement.id or 0)
    if version is not None and version.status == VersionStatus.SUBMITTED:
        raise PlanningError("planning.error.already_submitted")
    if version is None or version.status != VersionStatus.DRAFT:
        raise PlanningError("planning.error.no_draft")
    lessons = picture.lesson_facts(version)
    if not lessons:
        raise PlanningError("planning.error.empty")
    per_lesson, whole = check(catalogue, picture, placement, lessons, today)
    problems = [p for found in per_lesson.values() for p in found] + whole
    if problems:
        return version, problems
    late = is_late(min(x.day for x in lessons), today, catalogue.planning_lead_days)
    if not once.transition(
        session, version, "status", VersionStatus.DRAFT.value,
        status=VersionStatus.SUBMITTED.value, submitted_at=now, typing_until=None, late=late,
        decided_by_id=None, decided_at=None, reason=None,
    ):  # fmt: skip
        raise PlanningError("planning.error.already_submitted")  # a second click at the same moment
    audit.log(
        session, now, "planning.submitted", actor_id=student_id, student_id=student_id,
        subject=f"planning:{version.id}", late=version.late, lessons=len(lessons),
    )  # fmt: skip
    record_steps(session, catalogue, student_id, now)
    return version, []


def decide(
    session: Session,
    catalogue: Catalogue,
    version: PlanningVersion,
    *,
    approve: bool,
    actor_id: int,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Approve (including a late start) or request changes; False when already decided (a second click,
    or someone else at the same moment: the database decides, and `version` then shows that decision).

    Run it first in its transaction. The caller records steps 7 and 8 (record_steps) in the same
    transaction and tells whom it cleared."""
    if version.status != VersionStatus.SUBMITTED:
        return False
    status = (VersionStatus.APPROVED if approve else VersionStatus.CHANGES_REQUESTED).value
    if not once.transition(
        session, version, "status", VersionStatus.SUBMITTED.value,
        status=status, decided_by_id=actor_id, decided_at=now, reason=reason,
    ):  # fmt: skip
        return False
    if approve:
        for older in versions_of(session, [version.placement_id])[version.placement_id]:
            if older.id != version.id and older.status == VersionStatus.APPROVED:
                older.status = VersionStatus.SUPERSEDED.value
                session.add(older)
    audit.log(
        session, now, "planning.approved" if approve else "planning.changes_requested", actor_id=actor_id,
        student_id=version.student_id, subject=f"planning:{version.id}", late=version.late,
        **({"reason": reason} if reason else {}),
    )  # fmt: skip
    return True


# --- steps 7 and 8 ----------------------------------------------------------------------------------------


class Blocker(StrEnum):
    """What still stops a placement from starting (step 8), in the order of the steps."""

    PLACEMENT_NOT_APPROVED = "placement_not_approved"
    AGREEMENT_UNSIGNED = "agreement_unsigned"
    NO_PLANNING = "no_planning"
    PLANNING_NOT_SUBMITTED = "planning_not_submitted"
    PLANNING_AWAITING = "planning_awaiting"
    PLANNING_SENT_BACK = "planning_sent_back"


def start_blockers(
    placement: Placement, covered: bool, versions: list[PlanningVersion], *, planning_required: bool = True
) -> list[Blocker]:
    """Every reason this placement may not start yet; empty: the student may start (step 8). A student
    the LIO track exempts owes no planning, so the planning blocks nothing."""
    blockers = []
    if not placement.is_approved:
        blockers.append(Blocker.PLACEMENT_NOT_APPROVED)
    if not covered:
        blockers.append(Blocker.AGREEMENT_UNSIGNED)
    if planning_required and approved(versions) is None:
        head = current(versions)
        blockers.append(
            Blocker.NO_PLANNING
            if head is None
            else {
                VersionStatus.DRAFT: Blocker.PLANNING_NOT_SUBMITTED,
                VersionStatus.SUBMITTED: Blocker.PLANNING_AWAITING,
                VersionStatus.CHANGES_REQUESTED: Blocker.PLANNING_SENT_BACK,
            }.get(VersionStatus(head.status), Blocker.NO_PLANNING)
        )
    return blockers


def planning_state(picture: StudentPlanning) -> StepState:
    """Step 7 over all the student's placements."""
    heads = [picture.current(p.id or 0) for p in picture.placements]
    if not picture.placements or all(h is None for h in heads):
        return StepState.NOT_STARTED
    statuses = {VersionStatus(h.status) if h else None for h in heads}
    if VersionStatus.CHANGES_REQUESTED in statuses:
        return StepState.SENT_BACK
    if all(picture.approved(p.id or 0) is not None for p in picture.placements) and statuses <= {
        VersionStatus.APPROVED
    }:
        return StepState.DONE
    if VersionStatus.SUBMITTED in statuses:
        return StepState.AWAITING_REVIEW
    return StepState.IN_PROGRESS


def exempt(session: Session, student_id: int) -> bool:
    """Whether an approved LIO application exempts the student from any extra internship (one query)."""
    application = lio.approved_application(session, student_id)
    return application is not None and lio.is_exempt(lio.assess(lio.load_lio_rules(), application.job()))


def gate(
    session: Session,
    student_id: int,
    picture: StudentPlanning | None = None,
    is_exempt: bool | None = None,
) -> list[tuple[Placement, list[Blocker]]]:
    """Each active placement with what blocks its start (a fixed number of queries)."""
    picture = picture or load(session, student_id)
    if not picture.placements:
        return []
    covered = {
        c.institution_id: c.covered
        for c in agreements.student_coverage(session, student_id, picture.placements)
    }
    required = not (exempt(session, student_id) if is_exempt is None else is_exempt)
    return [
        (
            p,
            start_blockers(
                p,
                covered.get(p.institution_id, False),
                picture.versions.get(p.id or 0, []),
                planning_required=required,
            ),
        )
        for p in picture.placements
    ]


def record_steps(session: Session, catalogue: Catalogue, student_id: int, now: datetime) -> list[Placement]:
    """Record steps 7 and 8 from the data; returns the placements newly cleared to start (to tell).
    Step 7 is not required for a student the LIO track exempts."""
    picture = load(session, student_id)
    free = exempt(session, student_id)
    step7 = StepState.NOT_REQUIRED if free else planning_state(picture)
    progress.record(session, student_id, Step.PLANNING, step7, now)
    gates = gate(session, student_id, picture, free)
    if not gates:  # nothing placed (any more): nothing may start
        if session.get(progress.StepProgress, (student_id, int(Step.APPROVAL))) is not None:
            progress.record(session, student_id, Step.APPROVAL, StepState.NOT_STARTED, now)
        return []
    cleared_before = set(
        session.exec(select(StartClearance.placement_id).where(StartClearance.student_id == student_id))
    )
    newly = []
    for placement, blockers in gates:
        if not blockers and placement.id is not None and placement.id not in cleared_before:
            session.add(StartClearance(placement_id=placement.id, student_id=student_id, cleared_at=now))
            newly.append(placement)
    clear = sum(1 for _, b in gates if not b)
    state = (
        StepState.DONE if clear == len(gates) else StepState.IN_PROGRESS if clear else StepState.NOT_STARTED
    )
    progress.record(session, student_id, Step.APPROVAL, state, now)
    return newly


def feed_token(session: Session, student_id: int, *, now: datetime, renew: bool = False) -> str:
    """The student's calendar-feed secret; `renew` revokes the old one (its URL stops working)."""
    row = session.get(CalendarFeed, student_id)
    if row is None or renew:
        token = secrets.token_urlsafe(32)
        if row is None:
            row = CalendarFeed(student_id=student_id, token=token, created_at=now)
        row.token, row.created_at = token, now
        session.add(row)
    return row.token


def student_of_token(session: Session, token: str) -> int | None:
    if not token:
        return None
    row = session.exec(select(CalendarFeed).where(CalendarFeed.token == token)).first()
    return row.student_id if row else None


def reviewer_of(session: Session, catalogue: Catalogue, placement: Placement) -> Person | None:
    """Who approves a planning: the subject's supervisor for a subject didactics course, else the general
    one (or either subject's)."""
    found = supervisors_of(session, placement.student_id)
    course = catalogue.course(placement.course_code)
    subject = (course.subject or "").lower() if course else ""
    return found.get(subject) or found.get("general") or found.get("x") or found.get("y")
