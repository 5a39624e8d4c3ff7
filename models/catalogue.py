"""The internship catalogue of one academic year: configuration, not code (domain.md).

Read from a YAML file; every problem is reported with its line so the programme can fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_DIR = Path(__file__).parent / "catalogues"
DEFAULT_CATALOGUE = CATALOGUE_DIR / "2026-2027.yaml"
PLANNING_STEP = 7
DEFAULT_PLANNING_LEAD_DAYS = 14


class ActivityKind(StrEnum):
    """Internship activities named in the programme's table (Dutch in brackets in domain.md)."""

    TUTORING = "tutoring"
    OBSERVATION = "observation"
    CO_TEACHING = "co_teaching"
    GUIDED = "guided"
    INDEPENDENT = "independent"
    WORKPLACE_TASK = "workplace_task"


@dataclass(frozen=True)
class Activity:
    kind: ActivityKind
    hours: int


@dataclass(frozen=True)
class Period:
    semester: int
    start: date
    end: date


@dataclass(frozen=True)
class Course:
    code: str
    name: dict[str, str]
    subject: str | None
    activities: tuple[Activity, ...]
    periods: tuple[Period, ...]

    @property
    def semesters(self) -> tuple[int, ...]:
        return tuple(p.semester for p in self.periods)


@dataclass(frozen=True)
class Deadline:
    code: str
    step: int
    due: date
    name: dict[str, str]
    period_start: date | None = None


@dataclass(frozen=True)
class ReminderRules:
    """When the scheduler nags, per academic year (the `reminders:` section of the catalogue file)."""

    sweep_time: time = time(9, 0)
    deadline_days_before: tuple[int, ...] = (7, 2)
    planning_days_before: tuple[int, ...] = (21, 17, 14)
    announce_days_before_period: tuple[int, ...] = (14,)
    announce_days_before_deadline: tuple[int, ...] = (7,)
    approval_after_working_days: int = 2
    resubmit_after_working_days: int = 2
    escalate_after: int = 2
    evaluation_due_days: int = 14  # the mentor's evaluation is due this many days after the period ends
    request_answer_after_working_days: int = 5  # a school that has not answered the request is reminded
    closure_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closure_days

    def add_working_days(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_working_day(day)
        return day


@dataclass(frozen=True)
class Catalogue:
    academic_year: str
    courses: tuple[Course, ...]
    deadlines: tuple[Deadline, ...] = ()
    planning_lead_days: int = DEFAULT_PLANNING_LEAD_DAYS
    reminders: ReminderRules = ReminderRules()
    draft: bool = False  # `draft: true` in the file: the programme has not confirmed the dates yet

    def period_starts(self) -> list[date]:
        return sorted({p.start for c in self.courses for p in c.periods})

    def course(self, code: str) -> Course | None:
        return next((c for c in self.courses if c.code == code), None)

    def all_deadlines(self) -> list[Deadline]:
        """The configured deadlines plus one planning deadline per distinct period start (step 7)."""
        planning = [
            Deadline("planning", PLANNING_STEP, start - timedelta(days=self.planning_lead_days), {}, start)
            for start in self.period_starts()
        ]
        return sorted([*self.deadlines, *planning], key=lambda d: (d.due, d.step, d.code))


@dataclass(frozen=True)
class CatalogueProblem:
    line: int
    reason: str


@dataclass
class CatalogueError(Exception):
    path: str
    problems: list[CatalogueProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{self.path}:{p.line}: {p.reason}" for p in self.problems)


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line so that problems point into the file."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


class _Reader:
    """Turns the parsed YAML into a Catalogue, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[CatalogueProblem] = []

    def fail(self, line: int, reason: str) -> None:
        self.problems.append(CatalogueProblem(line, reason))

    def text(self, node: dict[str, Any], key: str) -> str | None:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(node["__line__"], f"'{key}' is missing or empty")
            return None
        return value.strip()

    def names(self, node: dict[str, Any]) -> dict[str, str]:
        value = node.get("name")
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("nl", "en")):
            self.fail(node["__line__"], "'name' needs both 'nl' and 'en'")
            return {}
        return {"nl": value["nl"], "en": value["en"]}

    def day(self, node: dict[str, Any], key: str) -> date | None:
        value = node.get(key)
        if not isinstance(value, date):
            self.fail(node["__line__"], f"'{key}' must be a date written as YYYY-MM-DD")
            return None
        return value

    def activity(self, node: Any, line: int) -> Activity | None:
        if not isinstance(node, dict):
            self.fail(line, "an activity is written as {kind: ..., hours: ...}")
            return None
        line = node["__line__"]
        kind, hours = node.get("kind"), node.get("hours")
        known = ", ".join(k.value for k in ActivityKind)
        if kind not in set(ActivityKind):
            self.fail(line, f"unknown activity '{kind}' (known: {known})")
            return None
        if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
            self.fail(line, f"activity '{kind}' needs a positive whole number of hours")
            return None
        return Activity(ActivityKind(kind), hours)

    def period(self, node: Any, line: int) -> Period | None:
        if not isinstance(node, dict):
            self.fail(line, "a period is written as {semester: 1, start: YYYY-MM-DD, end: YYYY-MM-DD}")
            return None
        line = node["__line__"]
        semester, start, end = node.get("semester"), self.day(node, "start"), self.day(node, "end")
        if semester not in (1, 2):
            self.fail(line, "a period's semester is 1 or 2")
            return None
        if start is None or end is None:
            return None
        if end < start:
            self.fail(line, f"the period ends ({end}) before it starts ({start})")
            return None
        return Period(semester, start, end)

    def course(self, node: Any, line: int) -> Course | None:
        if not isinstance(node, dict):
            self.fail(line, "a course is a mapping with code, name, activities and periods")
            return None
        line = node["__line__"]
        code, name = self.text(node, "code"), self.names(node)
        subject = node.get("subject")
        if subject not in (None, "X", "Y"):
            self.fail(line, "a course's subject is X, Y or left out")
        raw_activities, raw_periods = node.get("activities") or [], node.get("periods") or []
        if not raw_activities:
            self.fail(line, f"course '{code}' has no activities")
        if not raw_periods:
            self.fail(line, f"course '{code}' has no periods")
        activities = [self.activity(a, line) for a in raw_activities]
        periods = [self.period(p, line) for p in raw_periods]
        kinds = [a.kind for a in activities if a]
        if len(kinds) != len(set(kinds)):
            self.fail(line, f"course '{code}' names an activity twice")
        if code is None or not name or None in activities or None in periods or not activities or not periods:
            return None
        return Course(code, name, subject, tuple(a for a in activities if a), tuple(p for p in periods if p))

    def deadline(self, node: Any, line: int) -> Deadline | None:
        if not isinstance(node, dict):
            self.fail(line, "a deadline is a mapping with code, step, due and name")
            return None
        code, due, name, step = (
            self.text(node, "code"),
            self.day(node, "due"),
            self.names(node),
            node.get("step"),
        )
        if step not in range(1, 9):
            self.fail(node["__line__"], "a deadline's step is a number from 1 to 8")
            return None
        if code is None or step is None or due is None or not name:
            return None
        return Deadline(code, step, due, name)

    def catalogue(self, root: Any) -> Catalogue | None:
        if not isinstance(root, dict):
            self.fail(1, "the file must be a mapping with academic_year, courses and deadlines")
            return None
        year = self.text(root, "academic_year")
        raw_courses = root.get("courses") or []
        if not raw_courses:
            self.fail(root["__line__"], "the catalogue has no courses")
        courses = [self.course(c, root["__line__"]) for c in raw_courses]
        codes = [c.code for c in courses if c]
        for duplicate in sorted({c for c in codes if codes.count(c) > 1}):
            self.fail(root["__line__"], f"course code '{duplicate}' is used twice")
        deadlines = [self.deadline(d, root["__line__"]) for d in root.get("deadlines") or []]
        lead = root.get("planning_lead_days", DEFAULT_PLANNING_LEAD_DAYS)
        if not isinstance(lead, int) or lead < 0:
            self.fail(root["__line__"], "planning_lead_days is a whole number of days")
        reminders = self.reminders(root.get("reminders"), root["__line__"])
        draft = root.get("draft", False)
        if not isinstance(draft, bool):
            self.fail(root["__line__"], "'draft' is true (dates not yet confirmed) or false")
        if self.problems or year is None or reminders is None:
            return None
        return Catalogue(
            year,
            tuple(c for c in courses if c),
            tuple(d for d in deadlines if d),
            planning_lead_days=lead,
            reminders=reminders,
            draft=draft,
        )

    def days(self, node: dict[str, Any], key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = node.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, int) and v >= 0 for v in value):
            self.fail(node["__line__"], f"'{key}' is a list of whole numbers of days, like [7, 2]")
            return default
        return tuple(sorted(set(value), reverse=True))

    def count(self, node: dict[str, Any], key: str, default: int) -> int:
        value = node.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(node["__line__"], f"'{key}' is a whole number of at least 1")
            return default
        return value

    def closure(self, node: dict[str, Any]) -> frozenset[date]:
        closed: set[date] = set()
        for item in node.get("closure_days") or []:
            if isinstance(item, date):
                closed.add(item)
            elif (
                isinstance(item, dict)
                and isinstance(item.get("from"), date)
                and isinstance(item.get("to"), date)
            ):
                if item["to"] < item["from"]:
                    self.fail(item["__line__"], "a closure period ends before it starts")
                    continue
                day = item["from"]
                while day <= item["to"]:
                    closed.add(day)
                    day += timedelta(days=1)
            else:
                self.fail(node["__line__"], "a closure day is a date, or {from: YYYY-MM-DD, to: YYYY-MM-DD}")
        return frozenset(closed)

    def reminders(self, node: Any, line: int) -> ReminderRules | None:
        if node is None:
            return ReminderRules()
        if not isinstance(node, dict):
            self.fail(line, "'reminders' is a mapping of settings")
            return None
        default = ReminderRules()
        sweep = node.get("sweep_time", "09:00")
        try:
            hour, minute = (int(part) for part in str(sweep).split(":"))
            sweep_time = time(hour, minute)
        except ValueError:
            self.fail(node["__line__"], f"sweep_time '{sweep}' is not a time like 09:00")
            sweep_time = default.sweep_time
        return ReminderRules(
            sweep_time=sweep_time,
            deadline_days_before=self.days(node, "deadline_days_before", default.deadline_days_before),
            planning_days_before=self.days(node, "planning_days_before", default.planning_days_before),
            announce_days_before_period=self.days(
                node, "announce_days_before_period", default.announce_days_before_period
            ),
            announce_days_before_deadline=self.days(
                node, "announce_days_before_deadline", default.announce_days_before_deadline
            ),
            approval_after_working_days=self.count(
                node, "approval_after_working_days", default.approval_after_working_days
            ),
            resubmit_after_working_days=self.count(
                node, "resubmit_after_working_days", default.resubmit_after_working_days
            ),
            escalate_after=self.count(node, "escalate_after", default.escalate_after),
            evaluation_due_days=self.count(node, "evaluation_due_days", default.evaluation_due_days),
            request_answer_after_working_days=self.count(
                node, "request_answer_after_working_days", default.request_answer_after_working_days
            ),
            closure_days=self.closure(node),
        )


def parse_catalogue(text: str, path: str = "<catalogue>") -> Catalogue:
    try:
        root = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise CatalogueError(path, [CatalogueProblem(line, f"not valid YAML: {error}")]) from error
    reader = _Reader()
    catalogue = reader.catalogue(root)
    if catalogue is None:
        raise CatalogueError(path, sorted(reader.problems, key=lambda p: p.line))
    return catalogue


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> Catalogue:
    path = Path(path)
    return parse_catalogue(path.read_text(encoding="utf-8"), str(path))
