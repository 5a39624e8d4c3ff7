"""Hours done: the log of what happened to each planned lesson and of the hours that are no lessons, their
confirmation, and the completion of each internship counted on confirmed hours only.

An entry is one lesson given (or not held), or hours of another activity (observation, the workplace
learning task) added by the student. Each has a natural `key` (a lesson: its placement, day and start; an
added entry: the preview's token), so a double click or a retry stores it once. A confirmation bundles a
student's entries of one week: it is open, confirmed or sent back, decided `by` a person (the supervisor
in Slack) or, later, through a mentor's link (`mentor_link_id`), so the school side can confirm the same
record. Rules are pure functions with `today` passed in.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy import select as select_rows
from sqlmodel import Field, Session, SQLModel, case, col, func, select

from models import audit, once
from models.catalogue import Catalogue
from models.date_text import LineProblem, find_time_range, read_date
from models.db import AwareDateTime, insert_new
from models.lesson_text import ACTIVITY_WORDS
from models.placements import ALTERNATIVE_MAX_HOURS, UPPER_GRADE_HOURS, Placement, counts_for_upper_grades
from models.planning import (
    PlannedLesson,
    PlanningVersion,
    Problem,
    VersionStatus,
    facts,
    lesson_hours,
    lesson_problems,
)
from models.schools import Level

SCHOOL_DAY_HOURS = 8.0  # more hours than this on one day is a typing error, not a long day
MAX_NOTE_LENGTH = 300
MAX_REASON_LENGTH = 1000
LOOK_BACK = timedelta(days=14)  # lesson days older than this when the bot first sees them get no DM


class EntryState(StrEnum):
    GIVEN = "given"  # a planned lesson that took place
    NOT_HELD = "not_held"  # a planned lesson that did not take place (counts nothing)
    LOGGED = "logged"  # hours of an activity that is no lesson, added by the student


COUNTING = (EntryState.GIVEN.value, EntryState.LOGGED.value)


class ConfirmationState(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    SENT_BACK = "sent_back"


class HoursError(Exception):
    """A change refused as a whole; ``key`` explains it and nothing was changed."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class HoursConfirmation(SQLModel, table=True):
    """A student's hours of one week, sent to be confirmed (the one review of bot/flows/review.py)."""

    __tablename__ = "hours_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    week_start: date = Field(index=True)
    state: str = Field(default=ConfirmationState.OPEN.value, max_length=16, index=True)
    created_at: datetime = Field(sa_type=AwareDateTime)
    by_id: int | None = Field(default=None, foreign_key="person.id")  # who decided, when a person did
    mentor_link_id: int | None = None  # who decided, when a mentor did through their link (later)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    review_messages: list[Any] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
        description="the reviewers' DMs: [[channel, ts, person id], ...]",
    )


class HoursEntry(SQLModel, table=True):
    __tablename__ = "hours_entry"
    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    placement_id: int = Field(foreign_key="placement.id", index=True, ondelete="CASCADE")
    day: date
    activity: str = Field(max_length=32)
    level: str = Field(max_length=32)
    grade: int | None = None
    hours: float
    state: str = Field(max_length=16)
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    lesson_start: time | None = None  # for a lesson: its start (with `day`, which lesson it is)
    confirmation_id: int | None = Field(default=None, foreign_key="hours_confirmation.id", index=True)
    updated_at: datetime = Field(sa_type=AwareDateTime)


class LessonDayNotice(SQLModel, table=True):
    """A lesson day the student was asked about: one DM a day, whoever sends it and however often."""

    __tablename__ = "hours_day_notice"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)
    sent_at: datetime = Field(sa_type=AwareDateTime)


# --- reading typed hours ---------------------------------------------------------------------------------

_DURATION = re.compile(r"(?<![\d:.,/])(\d{1,2}(?:[.,]\d{1,2})?)\s*(?:u|uur|h|hours?|hrs?)(?![\w:])", re.I)
_ACTIVITY = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ACTIVITY_WORDS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HoursReading:
    """What one typed line says: a day, how many hours, which activity and a note (or what is missing)."""

    day: date | None = None
    hours: float | None = None
    activity: str | None = None
    note: str = ""
    problem: str | None = None  # no_date | no_hours | bad_date | ...


def clock_hours(start: time, end: time) -> float:
    """Hours that are no lessons count by the clock, to the half hour."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(max(minutes, 0) / 60 * 2) / 2


def read_hours(text: str, today: date) -> HoursReading:
    """ "di 9/3 2u werkplekleertaak leerlingenraad", or with a time range ("di 9/3 13u-15u observatie")."""
    line = " ".join(text.split())
    rest = line
    hours: float | None = None
    found = find_time_range(rest)
    if found is not None and found[1] is not None and found[2] is not None and found[2] > found[1]:
        match = found[0]
        hours = clock_hours(found[1], found[2])
        rest = rest[: match.start()] + " " + rest[match.end() :]
    else:
        duration = _DURATION.search(rest)
        if duration is not None:
            hours = float(duration.group(1).replace(",", "."))
            rest = rest[: duration.start()] + " " + rest[duration.end() :]
    activity_match = _ACTIVITY.search(rest)
    activity = None
    if activity_match is not None:
        activity = ACTIVITY_WORDS.get(" ".join(activity_match.group(1).lower().split()))
        rest = rest[: activity_match.start()] + " " + rest[activity_match.end() :]
    date_words = " ".join(m.group(0).rstrip(".") for m in _DATE_BITS.finditer(rest))
    note = " ".join(_DATE_BITS.sub(" ", rest).split()).strip(" ,;:-")[:MAX_NOTE_LENGTH]
    day = read_date(date_words, today, past=True)
    if isinstance(day, LineProblem):
        return HoursReading(None, hours, activity, note, day.code)
    if hours is None or hours <= 0:
        return HoursReading(day, None, activity, note, "no_hours")
    return HoursReading(day, hours, activity, note)


_DATE_BITS = re.compile(
    r"\b(?:ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|mon|tue|wed|thu|"
    r"fri|sat|sun|gisteren|vandaag|yesterday|today)\b\.?|\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b",
    re.IGNORECASE,
)


# --- the rules, as pure functions ------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def entry_problems(
    placement: Placement,
    day: date,
    hours: float,
    activity: str,
    hours_that_day: float,
    today: date,
) -> list[Problem]:
    """What is wrong with hours added for one placement: not its activity, not done yet, outside its
    period, or more than a school day together with the day's other hours."""
    found: list[Problem] = []
    if activity not in placement.activities:
        found.append(Problem("hours.rule.activity", {"activity": activity, "allowed": placement.activities}))
    if day > today:
        found.append(Problem("hours.rule.future", {"day": day}))
    if not placement.start <= day <= placement.end:
        found.append(Problem("hours.rule.outside_period", {"start": placement.start, "end": placement.end}))
    if hours_that_day + hours > SCHOOL_DAY_HOURS:
        found.append(
            Problem("hours.rule.day_too_long", {"hours": hours_that_day + hours, "max": SCHOOL_DAY_HOURS})
        )
    return found


def move_problems(
    placement: Placement,
    lesson: PlannedLesson,
    day: date,
    start: time,
    end: time,
    others: Iterable[PlannedLesson],
    today: date,
    closure_days: frozenset[date],
) -> list[Problem]:
    """A moved lesson keeps its approval when the new moment obeys the planning's rules for one lesson."""
    if end <= start:
        return [Problem("hours.rule.end_before_start", {})]
    moved = facts({**lesson.model_dump(), "day": day, "start": start, "end": end}, placement.id or 0)
    siblings = [facts(x, placement.id or 0) for x in others if x.id != lesson.id]
    return lesson_problems(
        moved, (placement.start, placement.end), placement.activities, siblings, today, closure_days
    )


@dataclass
class ActivityHours:
    planned: float = 0.0
    done: float = 0.0
    confirmed: float = 0.0
    required: int = 0


@dataclass
class CourseCompletion:
    placement: Placement
    activities: dict[str, ActivityHours]

    @property
    def complete(self) -> bool:
        return all(a.confirmed >= a.required for a in self.activities.values())


@dataclass
class Completion:
    """A student's hours per course and activity, and each rule the confirmed hours do not meet yet."""

    courses: list[CourseCompletion]
    shortfalls: list[Problem] = field(default_factory=list)

    @property
    def confirmed(self) -> float:
        return sum(a.confirmed for c in self.courses for a in c.activities.values())


@dataclass(frozen=True)
class Counted:
    """What the completion needs of one lesson or entry."""

    placement_id: int
    activity: str
    hours: float
    level: str
    grade: int | None


def completion(
    catalogue: Catalogue,
    placements: Sequence[Placement],
    planned: Iterable[Counted],
    done: Iterable[Counted],
    confirmed: Iterable[Counted],
) -> Completion:
    """Per course and activity: planned (the approved plannings), done, confirmed, required; then the
    programme's rules on confirmed hours, each shortfall named."""
    subject_of = {c.code: c.subject for c in catalogue.courses}
    courses: dict[int, CourseCompletion] = {}
    for p in placements:
        course = catalogue.course(p.course_code)
        required = {a.kind.value: a.hours for a in course.activities} if course else {}
        courses[p.id or 0] = CourseCompletion(
            p, {a: ActivityHours(required=required.get(a, 0)) for a in p.activities}
        )

    def add(rows: Iterable[Counted], attribute: str) -> list[Counted]:
        kept = []
        for row in rows:
            course_row = courses.get(row.placement_id)
            if course_row is None:
                continue
            hours = course_row.activities.setdefault(row.activity, ActivityHours())
            setattr(hours, attribute, getattr(hours, attribute) + row.hours)
            kept.append(row)
        return kept

    add(planned, "planned")
    add(done, "done")
    counted = add(confirmed, "confirmed")
    result = Completion(list(courses.values()))
    for c in result.courses:
        for activity, hours in c.activities.items():
            if hours.confirmed < hours.required:
                result.shortfalls.append(
                    Problem(
                        "hours.short.activity",
                        {"course": c.placement.course_code, "activity": activity,
                         "missing": hours.required - hours.confirmed},
                    )
                )  # fmt: skip
    upper = sum(x.hours for x in counted if counts_for_upper_grades(x.level, x.grade))
    if upper < UPPER_GRADE_HOURS:
        result.shortfalls.append(Problem("hours.short.upper_grades", {"missing": UPPER_GRADE_HOURS - upper}))
    alternative = sum(x.hours for x in counted if x.level == Level.ALTERNATIVE)
    if alternative > ALTERNATIVE_MAX_HOURS:
        result.shortfalls.append(
            Problem(
                "hours.short.alternative",
                {
                    "hours": alternative,
                    "max": ALTERNATIVE_MAX_HOURS,
                    "over": alternative - ALTERNATIVE_MAX_HOURS,
                },
            )
        )
    sides = {"X": 0.0, "Y": 0.0}
    present = set()
    for x in counted:
        subject = subject_of.get(courses[x.placement_id].placement.course_code)
        if subject in sides:
            sides[subject] += x.hours
    for p in placements:
        if subject_of.get(p.course_code) in sides:
            present.add(subject_of.get(p.course_code))
    if present and sides["X"] != sides["Y"]:
        behind = "Y" if sides["X"] > sides["Y"] else "X"
        result.shortfalls.append(
            Problem(
                "hours.short.x_equals_y",
                {"x": sides["X"], "y": sides["Y"], "side": behind, "missing": abs(sides["X"] - sides["Y"])},
            )
        )
    return result


# --- queries (a fixed number, whatever the cohort size) --------------------------------------------------


@dataclass
class Picture:
    """Students' placements and their hours summed in the database: planned (approved lessons, and
    whether they lie in a week that ended), done and confirmed. Three queries for any cohort size."""

    placements: dict[int, list[Placement]]
    planned: dict[int, list[tuple[Counted, bool]]]
    done: dict[int, list[Counted]]
    confirmed: dict[int, list[Counted]]

    def completion(self, catalogue: Catalogue, student_id: int) -> Completion:
        return completion(
            catalogue,
            self.placements.get(student_id, []),
            [x for x, _ in self.planned.get(student_id, [])],
            self.done.get(student_id, []),
            self.confirmed.get(student_id, []),
        )


def load(session: Session, student_ids: list[int] | None, today: date | None = None) -> Picture:
    """`student_ids` None: the whole cohort; `today` tells which lessons lie in a week that ended (only
    `behind` needs it). Lessons are summed per start and end (a school's bell times
    repeat), entries per placement, activity, setting and confirmation state."""
    from models.placements import PlacementStatus

    query = select(Placement).where(Placement.status == PlacementStatus.ACTIVE.value)
    if student_ids is not None:
        query = query.where(col(Placement.student_id).in_(student_ids))
    by_student: dict[int, list[Placement]] = defaultdict(list)
    for p in session.exec(query.order_by(col(Placement.start), col(Placement.id))):
        by_student[p.student_id].append(p)
    ended = case((col(PlannedLesson.day) < (week_of(today) if today else date.min), 1), else_=0)
    lesson_columns = (
        col(PlanningVersion.student_id), col(PlanningVersion.placement_id), col(PlannedLesson.activity),
        col(PlannedLesson.level), col(PlannedLesson.grade), col(PlannedLesson.start), col(PlannedLesson.end),
    )  # fmt: skip
    lessons_query = (
        select_rows(*lesson_columns, ended, func.count())
        .join(PlanningVersion, col(PlanningVersion.id) == col(PlannedLesson.version_id))
        .where(col(PlanningVersion.status) == VersionStatus.APPROVED.value)
        .group_by(*lesson_columns, ended)
    )
    entry_columns = (
        col(HoursEntry.student_id), col(HoursEntry.placement_id), col(HoursEntry.activity),
        col(HoursEntry.level), col(HoursEntry.grade), col(HoursConfirmation.state),
    )  # fmt: skip
    entries_query = (
        select_rows(*entry_columns, func.sum(HoursEntry.hours))
        .outerjoin(HoursConfirmation, col(HoursConfirmation.id) == col(HoursEntry.confirmation_id))
        .where(col(HoursEntry.state).in_(COUNTING))
        .group_by(*entry_columns)
    )
    if student_ids is not None:
        lessons_query = lessons_query.where(col(PlanningVersion.student_id).in_(student_ids))
        entries_query = entries_query.where(col(HoursEntry.student_id).in_(student_ids))
    planned: dict[int, list[tuple[Counted, bool]]] = defaultdict(list)
    for student_id, placement_id, activity, level, grade, start, end, past, count in _rows(
        session, lessons_query
    ):
        hours = lesson_hours(_time(start), _time(end)) * int(count)
        planned[student_id].append((Counted(placement_id, activity, hours, level, grade), bool(past)))
    done: dict[int, list[Counted]] = defaultdict(list)
    confirmed: dict[int, list[Counted]] = defaultdict(list)
    for student_id, placement_id, activity, level, grade, state, total in _rows(session, entries_query):
        row = Counted(placement_id, activity, float(total or 0), level, grade)
        done[student_id].append(row)
        if state == ConfirmationState.CONFIRMED:
            confirmed[student_id].append(row)
    return Picture(dict(by_student), dict(planned), dict(done), dict(confirmed))


@dataclass(frozen=True)
class Behind:
    student_id: int
    confirmed: float
    done: float
    required: int


def behind(
    session: Session, catalogue: Catalogue, student_ids: list[int] | None, today: date
) -> list[Behind]:
    """The students of `student_ids` (None: the cohort) who are behind: fewer hours confirmed than the
    approved lessons of the weeks that ended, or, once a period ended, than it requires. For the staff's
    overview: three grouped queries and one pass over their rows, whatever the cohort size."""
    from models.placements import PlacementStatus

    required_of: dict[tuple[str, tuple[str, ...]], int] = {}
    placements_query = select_rows(
        col(Placement.id), col(Placement.student_id), col(Placement.course_code), col(Placement.activities),
        col(Placement.end),
    ).where(col(Placement.status) == PlacementStatus.ACTIVE.value)  # fmt: skip
    lessons_query = (
        select(
            col(PlanningVersion.placement_id), col(PlannedLesson.start), col(PlannedLesson.end), func.count()
        )
        .join(PlanningVersion, col(PlanningVersion.id) == col(PlannedLesson.version_id))
        .where(col(PlanningVersion.status) == VersionStatus.APPROVED.value)
        .where(col(PlannedLesson.day) < week_of(today))
        .group_by(col(PlanningVersion.placement_id), col(PlannedLesson.start), col(PlannedLesson.end))
    )
    is_confirmed = col(HoursConfirmation.state) == ConfirmationState.CONFIRMED.value
    entries_query = (
        select_rows(
            col(HoursEntry.placement_id),
            func.sum(HoursEntry.hours),
            func.sum(case((is_confirmed, col(HoursEntry.hours)), else_=0.0)),
        )
        .outerjoin(HoursConfirmation, col(HoursConfirmation.id) == col(HoursEntry.confirmation_id))
        .where(col(HoursEntry.state).in_(COUNTING))
        .group_by(col(HoursEntry.placement_id))
    )
    if student_ids is not None:
        placements_query = placements_query.where(col(Placement.student_id).in_(student_ids))
        lessons_query = lessons_query.where(col(PlanningVersion.student_id).in_(student_ids))
        entries_query = entries_query.where(col(HoursEntry.student_id).in_(student_ids))
    past: dict[int, float] = defaultdict(float)
    for placement_id, start, end, count in _rows(session, lessons_query):
        past[placement_id] += lesson_hours(_time(start), _time(end)) * int(count)
    done: dict[int, float] = defaultdict(float)
    confirmed: dict[int, float] = defaultdict(float)
    for placement_id, total, confirmed_total in _rows(session, entries_query):
        done[placement_id] = float(total or 0)
        confirmed[placement_id] = float(confirmed_total or 0)
    per_student: dict[int, list[float]] = {}
    short: set[int] = set()
    for placement_id, student_id, course_code, activities, end in _rows(session, placements_query):
        key: tuple[str, tuple[str, ...]] = (course_code, tuple(activities or ()))
        if key not in required_of:
            course = catalogue.course(course_code)
            hours_of = {a.kind.value: a.hours for a in course.activities} if course else {}
            required_of[key] = sum(hours_of.get(a, 0) for a in key[1])
        required = required_of[key]
        due = required if end < today else min(past.get(placement_id, 0.0), required)
        counted = min(confirmed.get(placement_id, 0.0), float(required))
        if counted < due:
            short.add(student_id)
        totals = per_student.setdefault(student_id, [0.0, 0.0, 0.0])
        totals[0] += counted
        totals[1] += done.get(placement_id, 0.0)
        totals[2] += required
    return [Behind(i, t[0], t[1], int(t[2])) for i, t in per_student.items() if i in short]


def _rows(session: Session, query: Any) -> Any:
    """The rows of a grouped query of plain columns (wider than sqlmodel's typed `select`)."""
    return session.execute(query)


def _time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def student_entries(session: Session, student_id: int) -> tuple[list[HoursEntry], dict[int, str]]:
    """One student's entries, oldest first, and the states of their confirmations (two queries)."""
    entries = list(
        session.exec(
            select(HoursEntry)
            .where(HoursEntry.student_id == student_id)
            .order_by(col(HoursEntry.day), col(HoursEntry.id))
        )
    )
    states = dict(
        session.exec(
            select(col(HoursConfirmation.id), col(HoursConfirmation.state)).where(
                HoursConfirmation.student_id == student_id
            )
        ).all()
    )
    return entries, {int(k or 0): v for k, v in states.items()}


def lesson_key(placement_id: int, day: date, start: time) -> str:
    return f"lesson:{placement_id}:{day.isoformat()}:{start.strftime('%H:%M')}"


def approved_lesson(session: Session, lesson_id: int) -> tuple[PlannedLesson, PlanningVersion] | None:
    lesson = session.get(PlannedLesson, lesson_id)
    if lesson is None:
        return None
    version = session.get(PlanningVersion, lesson.version_id)
    if version is None or version.status != VersionStatus.APPROVED:
        return None
    return lesson, version


def entries_by_key(session: Session, keys: list[str]) -> dict[str, HoursEntry]:
    if not keys:
        return {}
    return {e.key: e for e in session.exec(select(HoursEntry).where(col(HoursEntry.key).in_(keys)))}


def confirmation_state(session: Session, entry: HoursEntry) -> str | None:
    if entry.confirmation_id is None:
        return None
    found = session.get(HoursConfirmation, entry.confirmation_id)
    return found.state if found else None


def hours_on(session: Session, student_id: int, day: date, *, leaving_out: str | None = None) -> float:
    rows = session.exec(
        select(HoursEntry)
        .where(HoursEntry.student_id == student_id)
        .where(HoursEntry.day == day)
        .where(col(HoursEntry.state).in_(COUNTING))
    )
    return sum(e.hours for e in rows if e.key != leaving_out)


# --- changes (each in the caller's transaction) ----------------------------------------------------------


def _editable(session: Session, entry: HoursEntry | None) -> None:
    if entry is None:
        return
    state = confirmation_state(session, entry)
    if state == ConfirmationState.CONFIRMED:
        raise HoursError("hours.error.confirmed")
    if state == ConfirmationState.OPEN:
        raise HoursError("hours.error.awaiting")


def record_lesson(
    session: Session,
    student_id: int,
    placement: Placement,
    lesson: PlannedLesson,
    state: EntryState,
    *,
    now: datetime,
    today: date,
) -> HoursEntry:
    """The student's answer for one lesson (given / not held); a second answer changes the first until
    the week is sent to be confirmed, and again once it is sent back (the student then asks again:
    `resubmit`). Refused for a lesson still to come."""
    if lesson.day > today:
        raise HoursError("hours.error.lesson_to_come")
    key = lesson_key(placement.id or 0, lesson.day, lesson.start)
    entry = entries_by_key(session, [key]).get(key)
    _editable(session, entry)
    hours = lesson_hours(lesson.start, lesson.end)
    if state == EntryState.GIVEN:
        already = hours_on(session, student_id, lesson.day, leaving_out=key)
        if already + hours > SCHOOL_DAY_HOURS:
            raise HoursError("hours.error.day_too_long", hours=already + hours, max=SCHOOL_DAY_HOURS)
    values = {
        "key": key, "student_id": student_id, "placement_id": placement.id or 0, "day": lesson.day,
        "activity": lesson.activity, "level": lesson.level, "grade": lesson.grade, "hours": hours,
        "state": state.value, "note": "", "lesson_start": lesson.start, "updated_at": now,
    }  # fmt: skip
    if entry is None and not insert_new(session, HoursEntry, values):
        session.expire_all()  # a click a moment ago stored it: change that one
    entry = entries_by_key(session, [key])[key]
    entry.state, entry.hours, entry.updated_at = state.value, hours, now
    session.add(entry)
    audit.log(
        session, now, "hours.lesson_given" if state == EntryState.GIVEN else "hours.lesson_not_held",
        actor_id=student_id, student_id=student_id,
        subject=f"hours:{key}",
    )  # fmt: skip
    return entry


def move_lesson(
    session: Session,
    catalogue: Catalogue,
    student_id: int,
    placement: Placement,
    lesson: PlannedLesson,
    day: date,
    start: time,
    end: time,
    *,
    now: datetime,
    today: date,
) -> list[Problem]:
    """Move an approved lesson; within the period and the rules it keeps its approval (the approved
    version changes in place), otherwise nothing changes and the problems say why."""
    key = lesson_key(placement.id or 0, lesson.day, lesson.start)
    entry = entries_by_key(session, [key]).get(key)
    _editable(session, entry)
    siblings = session.exec(select(PlannedLesson).where(PlannedLesson.version_id == lesson.version_id)).all()
    found = move_problems(
        placement, lesson, day, start, end, siblings, today, catalogue.reminders.closure_days
    )
    if found:
        return found
    before = (lesson.day, lesson.start, lesson.end)
    lesson.day, lesson.start, lesson.end = day, start, end
    session.add(lesson)
    if entry is not None:  # an answer for the old moment no longer stands
        session.delete(entry)
    audit.log(
        session, now, "hours.lesson_moved", actor_id=student_id, student_id=student_id,
        subject=f"planning_lesson:{lesson.id}",
        before=f"{before[0].isoformat()} {before[1]:%H:%M}-{before[2]:%H:%M}",
        after=f"{day.isoformat()} {start:%H:%M}-{end:%H:%M}",
    )  # fmt: skip
    return []


def new_token() -> str:
    return secrets.token_urlsafe(12)


def add_entry(
    session: Session,
    student_id: int,
    placement: Placement,
    *,
    token: str,
    day: date,
    hours: float,
    activity: str,
    note: str,
    now: datetime,
    today: date,
) -> tuple[HoursEntry | None, list[Problem]]:
    """Hours that are no lesson; (None, problems) when refused, (None, []) when this token was saved
    already (a second click)."""
    already = hours_on(session, student_id, day)
    found = entry_problems(placement, day, hours, activity, already, today)
    if found:
        return None, found
    values = {
        "key": f"extra:{token}"[:80], "student_id": student_id, "placement_id": placement.id or 0, "day": day,
        "activity": activity, "level": placement.level, "grade": placement.grade, "hours": hours,
        "state": EntryState.LOGGED.value, "note": note[:MAX_NOTE_LENGTH], "updated_at": now,
    }  # fmt: skip
    if not insert_new(session, HoursEntry, values):
        return None, []
    audit.log(
        session, now, "hours.logged", actor_id=student_id, student_id=student_id,
        subject=f"hours:extra:{token}"[:128], hours=hours, activity=activity,
    )  # fmt: skip
    return entries_by_key(session, [str(values["key"])])[str(values["key"])], []


def remove_entry(session: Session, student_id: int, entry_id: int, *, now: datetime) -> None:
    entry = session.get(HoursEntry, entry_id)
    if entry is None or entry.student_id != student_id or entry.state != EntryState.LOGGED:
        raise HoursError("hours.error.not_yours")
    _editable(session, entry)
    session.delete(entry)
    audit.log(
        session,
        now,
        "hours.removed",
        actor_id=student_id,
        student_id=student_id,
        subject=f"hours:{entry.key}",
    )


def weeks_to_confirm(session: Session, today: date) -> dict[tuple[int, date], list[HoursEntry]]:
    """Counting entries of weeks that ended, not yet in an open or decided confirmation (one query)."""
    this_week = week_of(today)
    found: dict[tuple[int, date], list[HoursEntry]] = defaultdict(list)
    for entry in session.exec(
        select(HoursEntry)
        .where(col(HoursEntry.confirmation_id).is_(None))
        .where(col(HoursEntry.state).in_(COUNTING))
        .where(col(HoursEntry.day) < this_week)
        .order_by(col(HoursEntry.student_id), col(HoursEntry.day))
    ):
        found[(entry.student_id, week_of(entry.day))].append(entry)
    return dict(found)


def open_confirmation(
    session: Session, student_id: int, week_start: date, entries: list[HoursEntry], now: datetime
) -> HoursConfirmation:
    record = HoursConfirmation(student_id=student_id, week_start=week_start, created_at=now)
    session.add(record)
    session.flush()
    for entry in entries:
        entry.confirmation_id = record.id
        session.add(entry)
    return record


def entries_of(session: Session, confirmation_id: int) -> list[HoursEntry]:
    return list(
        session.exec(
            select(HoursEntry)
            .where(HoursEntry.confirmation_id == confirmation_id)
            .order_by(col(HoursEntry.day), col(HoursEntry.lesson_start), col(HoursEntry.id))
        )
    )


def decide(
    session: Session,
    record: HoursConfirmation,
    *,
    approve: bool,
    actor_id: int,
    now: datetime,
    reason: str | None,
) -> bool:
    """Confirm or send back once; False when already decided (the database decides, see models.once)."""
    state = (ConfirmationState.CONFIRMED if approve else ConfirmationState.SENT_BACK).value
    if not once.transition(
        session, record, "state", ConfirmationState.OPEN.value,
        state=state, by_id=actor_id, decided_at=now, reason=reason,
    ):  # fmt: skip
        return False
    audit.log(
        session, now, "hours.confirmed" if approve else "hours.sent_back", actor_id=actor_id,
        student_id=record.student_id, subject=f"hours_confirmation:{record.id}",
        **({"reason": reason} if reason else {}),
    )  # fmt: skip
    return True


def resubmit(session: Session, student_id: int, confirmation_id: int, now: datetime) -> HoursConfirmation:
    """The corrected week of a sent-back confirmation, to be confirmed again (a new record)."""
    old = session.get(HoursConfirmation, confirmation_id)
    if old is None or old.student_id != student_id:
        raise HoursError("hours.error.not_yours")
    if old.state != ConfirmationState.SENT_BACK:
        raise HoursError("hours.error.not_sent_back")
    entries = [e for e in entries_of(session, confirmation_id) if e.state in COUNTING]
    if not entries:
        raise HoursError("hours.error.nothing_to_confirm")
    return open_confirmation(session, student_id, old.week_start, entries, now)


# --- lesson days to ask about ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonDay:
    student_id: int
    day: date
    lessons: list[tuple[PlannedLesson, int]]  # (lesson, placement id), in order


def lesson_days_due(session: Session, today: date, now_time: time) -> list[LessonDay]:
    """Days of approved lessons that are over (the day's last lesson ended) and not asked about yet, in
    the last LOOK_BACK: two queries for any cohort size."""
    since = today - LOOK_BACK
    rows = session.exec(
        select(PlannedLesson, PlanningVersion.student_id, PlanningVersion.placement_id)
        .join(PlanningVersion, PlanningVersion.id == PlannedLesson.version_id)  # type: ignore[arg-type]
        .where(PlanningVersion.status == VersionStatus.APPROVED.value)
        .where(col(PlannedLesson.day) >= since)
        .where(col(PlannedLesson.day) <= today)
        .order_by(col(PlannedLesson.day), col(PlannedLesson.start))
    )
    days: dict[tuple[int, date], list[tuple[PlannedLesson, int]]] = defaultdict(list)
    for lesson, student_id, placement_id in rows:
        days[(student_id, lesson.day)].append((lesson, placement_id))
    asked = set(
        session.exec(
            select(col(LessonDayNotice.student_id), col(LessonDayNotice.day)).where(
                col(LessonDayNotice.day) >= since
            )
        ).all()
    )
    due = []
    for (student_id, day), lessons in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (student_id, day) in asked:
            continue
        if day == today and max(x.end for x, _ in lessons) > now_time:
            continue
        due.append(LessonDay(student_id, day, lessons))
    return due


def mark_asked(session: Session, student_id: int, day: date, now: datetime) -> bool:
    """True for the first to ask about this day (the database refuses a second)."""
    return insert_new(session, LessonDayNotice, {"student_id": student_id, "day": day, "sent_at": now})
