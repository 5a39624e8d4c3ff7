"""The LIO track (leraar-in-opleiding): a student's teaching job, the rules on what it exempts them from,
their application and their internship-reduction requests (domain.md, "LIO").

The rules are pure functions of the job's facts and the programme's numbers (catalogues/lio.yaml), and
every outcome carries the reasons that led to it, so a student and a counsellor read why, not only what.
The study-path counsellor decides on applications and reductions; the decision is recorded here, with
Student.lio and the planning step, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, once, progress
from models.catalogue import ActivityKind, Catalogue
from models.db import AwareDateTime
from models.people import Student

DEFAULT_LIO_RULES = Path(__file__).parent / "catalogues" / "lio.yaml"
MAX_HOURS = 2000  # teacher-hours a year above this are not a real job: refused as a typing error
MAX_TEXT = 200
MAX_REASON_LENGTH = 1000
SUBJECTS = ("x", "y")

HoursBySubject = dict[str, dict[str, int]]


class Level(StrEnum):
    """Where the job is (domain.md: every kind of education counts towards the 200 hours)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIAL_SECONDARY = "special_secondary"
    PART_TIME_ARTS = "part_time_arts"
    BASIC_EDUCATION = "basic_education"
    HIGHER = "higher"
    ADULT = "adult"


# --- configuration ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraHours:
    course: str
    activity: ActivityKind
    hours: int


@dataclass(frozen=True)
class LioRules:
    eligible_min_hours: int = 200
    exempt_teacher_hours: int = 500
    exempt_grades_2_3_hours: int = 150
    exempt_subject_domain_hours: int = 125
    reduction_below_subject_hours: int = 200
    extra_hours: tuple[ExtraHours, ...] = ()
    reduced_extra_hours: tuple[ExtraHours, ...] = ()


class LioRulesError(ValueError):
    """The LIO configuration is wrong; the message names the entry and the reason."""


def _whole(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise LioRulesError(f"{where} is a whole number of hours (0 or more)")
    return value


def _extra(nodes: Any, where: str) -> tuple[ExtraHours, ...]:
    if not isinstance(nodes, list):
        raise LioRulesError(f"{where} is a list of {{course, activity, hours}}")
    found = []
    for index, node in enumerate(nodes, start=1):
        if not isinstance(node, dict) or not isinstance(node.get("course"), str):
            raise LioRulesError(f"{where} entry {index} needs a course code")
        if node.get("activity") not in set(ActivityKind):
            raise LioRulesError(f"{where} entry {index}: unknown activity {node.get('activity')!r}")
        hours = _whole(node.get("hours"), f"{where} entry {index}: hours")
        found.append(ExtraHours(node["course"], ActivityKind(node["activity"]), hours))
    return tuple(found)


def parse_lio_rules(text: str, source: str = "<lio>") -> LioRules:
    try:
        root = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LioRulesError(f"{source}: not valid YAML: {error}") from error
    node = root.get("lio") if isinstance(root, dict) else None
    if not isinstance(node, dict):
        raise LioRulesError(f"{source}: needs a 'lio' section")
    exemption = node.get("exemption") or {}
    try:
        return LioRules(
            eligible_min_hours=_whole(node.get("eligible_min_hours"), "eligible_min_hours"),
            exempt_teacher_hours=_whole(exemption.get("teacher_hours"), "exemption.teacher_hours"),
            exempt_grades_2_3_hours=_whole(exemption.get("grades_2_3_hours"), "exemption.grades_2_3_hours"),
            exempt_subject_domain_hours=_whole(
                exemption.get("subject_domain_hours"), "exemption.subject_domain_hours"
            ),
            reduction_below_subject_hours=_whole(
                node.get("reduction_below_subject_hours"), "reduction_below_subject_hours"
            ),
            extra_hours=_extra(node.get("extra_hours", []), "extra_hours"),
            reduced_extra_hours=_extra(node.get("reduced_extra_hours", []), "reduced_extra_hours"),
        )
    except LioRulesError as error:
        raise LioRulesError(f"{source}: {error}") from error


def check_against(rules: LioRules, catalogue: Catalogue) -> list[str]:
    """Extra hours must name a course and an activity of this year's catalogue."""
    problems = []
    for extra in (*rules.extra_hours, *rules.reduced_extra_hours):
        course = catalogue.course(extra.course)
        if course is None:
            problems.append(f"course {extra.course!r} is not in the catalogue {catalogue.academic_year}")
        elif extra.activity not in {a.kind for a in course.activities}:
            problems.append(f"course {extra.course!r} has no activity {extra.activity.value!r}")
    return problems


@cache
def load_lio_rules(path: Path = DEFAULT_LIO_RULES) -> LioRules:
    return parse_lio_rules(Path(path).read_text(encoding="utf-8"), str(path))


# --- the job and its checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What the student tells about their teaching job (LIO-baan)."""

    employer: str
    level: Level
    teacher_hours: int
    grades_2_3_hours: int
    subject_x_hours: int
    subject_y_hours: int
    start: date
    end: date

    def subject_hours(self, subject: str) -> int:
        return self.subject_x_hours if subject == "x" else self.subject_y_hours


class Problem(StrEnum):
    """Why a field is refused: keys `lio.problem.<value>`."""

    NEGATIVE = "negative"
    TOO_MANY = "too_many"
    GRADES_OVER_TOTAL = "grades_over_total"
    SUBJECT_OVER_TOTAL = "subject_over_total"
    SUBJECTS_OVER_TOTAL = "subjects_over_total"
    END_BEFORE_START = "end_before_start"
    EMPTY = "empty"


HOUR_FIELDS = ("teacher_hours", "grades_2_3_hours", "subject_x_hours", "subject_y_hours")


def problems(job: Job) -> dict[str, Problem]:
    """Per field the first problem: impossible facts are refused before any rule is applied."""
    found: dict[str, Problem] = {}
    if not job.employer.strip():
        found["employer"] = Problem.EMPTY
    for name in HOUR_FIELDS:
        value = getattr(job, name)
        if value < 0:
            found[name] = Problem.NEGATIVE
        elif value > MAX_HOURS:
            found[name] = Problem.TOO_MANY
    total = job.teacher_hours
    if "grades_2_3_hours" not in found and job.grades_2_3_hours > total:
        found["grades_2_3_hours"] = Problem.GRADES_OVER_TOTAL
    for name in ("subject_x_hours", "subject_y_hours"):
        if name not in found and getattr(job, name) > total:
            found[name] = Problem.SUBJECT_OVER_TOTAL
    if (
        not {"subject_x_hours", "subject_y_hours"} & found.keys()
        and job.subject_x_hours + job.subject_y_hours > total
    ):
        found["subject_y_hours"] = Problem.SUBJECTS_OVER_TOTAL
    if job.end < job.start:
        found["end"] = Problem.END_BEFORE_START
    return found


# --- the rules -------------------------------------------------------------------------------------------


class Criterion(StrEnum):
    """One threshold of the rules: keys `lio.criterion.<value>`."""

    ELIGIBLE = "eligible"
    TEACHER_HOURS = "teacher_hours"
    GRADES_2_3 = "grades_2_3"
    SUBJECT_DOMAINS = "subject_domains"


@dataclass(frozen=True)
class Reason:
    """One threshold, the student's number and whether it is met: the explanation of an outcome."""

    criterion: Criterion
    actual: int
    threshold: int

    @property
    def met(self) -> bool:
        return self.actual >= self.threshold


@dataclass(frozen=True)
class Outcome:
    eligible: bool
    exempt: bool
    reasons: tuple[Reason, ...]
    extra: tuple[ExtraHours, ...] = ()
    reduction_subjects: tuple[str, ...] = ()  # "x", "y": where a reduction can be requested
    reduced: bool = False  # a reduction was approved: the extra hours are the reduced ones

    @property
    def may_request_reduction(self) -> bool:
        """Whether to invite a reduction request: never once one was approved (a second is refused)."""
        return self.eligible and not self.exempt and bool(self.reduction_subjects) and not self.reduced


def assess(rules: LioRules, job: Job, *, reduced: bool = False) -> Outcome:
    """Eligible from `eligible_min_hours`; exempt when all three exemption thresholds are met; otherwise
    the configured extra hours (the reduced ones after an approved reduction)."""
    eligible = Reason(Criterion.ELIGIBLE, job.teacher_hours, rules.eligible_min_hours)
    if not eligible.met:
        return Outcome(False, False, (eligible,))
    reasons = (
        eligible,
        Reason(Criterion.TEACHER_HOURS, job.teacher_hours, rules.exempt_teacher_hours),
        Reason(Criterion.GRADES_2_3, job.grades_2_3_hours, rules.exempt_grades_2_3_hours),
        Reason(
            Criterion.SUBJECT_DOMAINS,
            job.subject_x_hours + job.subject_y_hours,
            rules.exempt_subject_domain_hours,
        ),
    )
    if all(r.met for r in reasons):
        return Outcome(True, True, reasons)
    below = tuple(s for s in SUBJECTS if 0 < job.subject_hours(s) < rules.reduction_below_subject_hours)
    extra = rules.reduced_extra_hours if reduced else rules.extra_hours
    return Outcome(True, False, reasons, tuple(e for e in extra if e.hours > 0), below, reduced)


def is_exempt(outcome: Outcome | None) -> bool:
    return outcome is not None and outcome.exempt


def required_hours(catalogue: Catalogue, outcome: Outcome | None) -> HoursBySubject:
    """The internship hours a student owes, per course code and activity.

    No approved LIO outcome (or not eligible): the catalogue's hours. Exempt: nothing. Otherwise only the
    imposed extra hours within Subject didactics 1 and 2: the job counts for the rest.
    """
    if outcome is None or not outcome.eligible:
        return {c.code: {a.kind.value: a.hours for a in c.activities} for c in catalogue.courses}
    owed: HoursBySubject = {}
    for extra in outcome.extra:
        if catalogue.course(extra.course) is None:
            continue
        by_activity = owed.setdefault(extra.course, {})
        by_activity[extra.activity.value] = by_activity.get(extra.activity.value, 0) + extra.hours
    return owed


# --- tables ----------------------------------------------------------------------------------------------


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # replaced by a newer request or application of the same student


def one_pending(name: str) -> Index:
    """At most one request waits per student (a partial unique index)."""
    pending = text("status = 'pending'")
    return Index(name, "student_id", unique=True, sqlite_where=pending, postgresql_where=pending)


class LioApplication(SQLModel, table=True):
    """One application (or update) for the LIO track, with the job as the student described it."""

    __tablename__ = "lio_application"
    __table_args__ = (one_pending("uq_lio_application_pending"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="person.id", index=True)
    employer: str = Field(max_length=MAX_TEXT)
    level: str = Field(max_length=32)
    teacher_hours: int
    grades_2_3_hours: int
    subject_x_hours: int
    subject_y_hours: int
    job_start: date
    job_end: date
    status: str = Field(max_length=16, index=True)
    submitted_at: datetime = Field(sa_type=AwareDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    review_messages: list[Any] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="[[channel, ts], ...]"
    )
    proof_file_id: str | None = Field(default=None, max_length=32, description="the Slack file sent along")

    @property
    def subject(self) -> str:
        return f"lio_application:{self.id}"

    def job(self) -> Job:
        return Job(
            self.employer,
            Level(self.level),
            self.teacher_hours,
            self.grades_2_3_hours,
            self.subject_x_hours,
            self.subject_y_hours,
            self.job_start,
            self.job_end,
        )


class ReductionRequest(SQLModel, table=True):
    """A request for an internship reduction (stagevermindering), tied to the approved application."""

    __tablename__ = "lio_reduction_request"
    __table_args__ = (one_pending("uq_lio_reduction_pending"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="person.id", index=True)
    application_id: int = Field(foreign_key="lio_application.id")
    motivation: str = Field(max_length=MAX_REASON_LENGTH)
    status: str = Field(max_length=16, index=True)
    submitted_at: datetime = Field(sa_type=AwareDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    review_messages: list[Any] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="[[channel, ts], ...]"
    )

    @property
    def subject(self) -> str:
        return f"lio_reduction:{self.id}"


Request = LioApplication | ReductionRequest


# --- reading ---------------------------------------------------------------------------------------------


def latest_application(session: Session, student_id: int) -> LioApplication | None:
    return session.exec(
        select(LioApplication)
        .where(LioApplication.student_id == student_id)
        .order_by(col(LioApplication.id).desc())
    ).first()


def approved_application(session: Session, student_id: int) -> LioApplication | None:
    return session.exec(
        select(LioApplication)
        .where(LioApplication.student_id == student_id, LioApplication.status == RequestStatus.APPROVED)
        .order_by(col(LioApplication.id).desc())
    ).first()


def has_approved_reduction(session: Session, application_id: int) -> bool:
    return (
        session.exec(
            select(ReductionRequest.id).where(
                ReductionRequest.application_id == application_id,
                ReductionRequest.status == RequestStatus.APPROVED,
            )
        ).first()
        is not None
    )


def pending_reduction(session: Session, student_id: int) -> ReductionRequest | None:
    return session.exec(
        select(ReductionRequest).where(
            ReductionRequest.student_id == student_id, ReductionRequest.status == RequestStatus.PENDING
        )
    ).first()


@dataclass(frozen=True)
class Standing:
    """A student's approved LIO situation: the application, its outcome, whether a reduction applies."""

    application: LioApplication
    outcome: Outcome
    reduced: bool


def standing(session: Session, rules: LioRules, student_id: int) -> Standing | None:
    application = approved_application(session, student_id)
    if application is None or application.id is None:
        return None
    reduced = has_approved_reduction(session, application.id)
    return Standing(application, assess(rules, application.job(), reduced=reduced), reduced)


def required_hours_of(
    session: Session, catalogue: Catalogue, rules: LioRules, student_id: int
) -> HoursBySubject:
    """What the planning needs: the hours this student owes, LIO outcome included (three queries)."""
    found = standing(session, rules, student_id)
    return required_hours(catalogue, found.outcome if found else None)


@dataclass(frozen=True)
class OverviewRow:
    student_id: int
    lio: bool
    application: LioApplication | None
    reduction: ReductionRequest | None  # the open or newest reduction request


@dataclass(frozen=True)
class Overview:
    rows: list[OverviewRow]
    open_applications: int
    open_reductions: int


def overview(session: Session, limit: int = 40) -> Overview:
    """LIO students and students with an open request, open ones first (a fixed number of queries)."""
    lio_ids = set(session.exec(select(Student.person_id).where(col(Student.lio).is_(True))))
    applications = list(
        session.exec(
            select(LioApplication)
            .where(col(LioApplication.status).in_([RequestStatus.PENDING, RequestStatus.APPROVED]))
            .order_by(col(LioApplication.id))
        )
    )
    reductions = list(
        session.exec(
            select(ReductionRequest)
            .where(col(ReductionRequest.status).in_([RequestStatus.PENDING, RequestStatus.APPROVED]))
            .order_by(col(ReductionRequest.id))
        )
    )
    shown: dict[int, LioApplication] = {}
    for application in applications:  # the pending one wins over the approved one it would replace
        earlier = shown.get(application.student_id)
        if earlier is None or earlier.status != RequestStatus.PENDING:
            shown[application.student_id] = application
    reduction_of: dict[int, ReductionRequest] = {}
    for reduction in reductions:
        earlier_reduction = reduction_of.get(reduction.student_id)
        if earlier_reduction is None or earlier_reduction.status != RequestStatus.PENDING:
            reduction_of[reduction.student_id] = reduction
    ids = lio_ids | shown.keys() | reduction_of.keys()
    rows = [OverviewRow(sid, sid in lio_ids, shown.get(sid), reduction_of.get(sid)) for sid in ids]

    def is_open(row: OverviewRow) -> bool:
        return (row.application is not None and row.application.status == RequestStatus.PENDING) or (
            row.reduction is not None and row.reduction.status == RequestStatus.PENDING
        )

    rows.sort(key=lambda r: (not is_open(r), r.student_id))
    return Overview(
        rows[:limit],
        sum(1 for a in shown.values() if a.status == RequestStatus.PENDING),
        sum(1 for r in reduction_of.values() if r.status == RequestStatus.PENDING),
    )


# --- changes ---------------------------------------------------------------------------------------------


class NotOpen(Exception):
    """Someone decided already, or a newer request replaced this one."""

    def __init__(self, request: Request) -> None:
        super().__init__(request.status)
        self.request = request


class ReductionRefused(Exception):
    """Why a reduction cannot be requested: `code` is a key suffix `lio.reduction.refused.<code>`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _stored(job: Job) -> Job:
    """The job as an application keeps it."""
    return replace(job, employer=job.employer.strip()[:MAX_TEXT])


def apply(
    session: Session,
    student_id: int,
    job: Job,
    actor_id: int,
    now: datetime,
    *,
    proof_file_id: str | None = None,
) -> tuple[LioApplication, bool]:
    """A new application (True); an earlier one still waiting is superseded (its buttons then say so).
    The one waiting with these very facts and proof is the same submission again: it is returned (False).
    The caller checked `problems(job)` first. One application waits per student: of two at the same
    moment the database refuses the second (IntegrityError: roll back and apply again)."""
    for earlier in session.exec(
        select(LioApplication).where(
            LioApplication.student_id == student_id, LioApplication.status == RequestStatus.PENDING
        )
    ):
        if earlier.job() == _stored(job) and earlier.proof_file_id == proof_file_id:
            return earlier, False
        earlier.status = RequestStatus.SUPERSEDED
        session.add(earlier)
    session.flush()
    application = LioApplication(
        student_id=student_id,
        employer=job.employer.strip()[:MAX_TEXT],
        level=job.level.value,
        teacher_hours=job.teacher_hours,
        grades_2_3_hours=job.grades_2_3_hours,
        subject_x_hours=job.subject_x_hours,
        subject_y_hours=job.subject_y_hours,
        job_start=job.start,
        job_end=job.end,
        status=RequestStatus.PENDING,
        submitted_at=now,
        proof_file_id=proof_file_id,
    )
    session.add(application)
    session.flush()
    audit.log(
        session,
        now,
        "lio.applied",
        actor_id=actor_id,
        student_id=student_id,
        subject=application.subject,
        teacher_hours=job.teacher_hours,
        grades_2_3_hours=job.grades_2_3_hours,
        subject_hours=[job.subject_x_hours, job.subject_y_hours],
    )
    return application, True


def _close(
    session: Session, request: Request, approved: bool, reason: str | None, actor_id: int, now: datetime
) -> None:
    """Decide a pending request, first in the transaction: of two counsellors at the same moment the
    database lets one decide; the other gets NotOpen with the decision as it was taken."""
    status = RequestStatus.APPROVED if approved else RequestStatus.REJECTED
    if request.status != RequestStatus.PENDING or not once.transition(
        session, request, "status", RequestStatus.PENDING.value,
        status=status.value, reason=(reason or "").strip()[:MAX_REASON_LENGTH] or None,
        decided_by_id=actor_id, decided_at=now,
    ):  # fmt: skip
        raise NotOpen(request)


def record_planning_step(session: Session, student_id: int, outcome: Outcome | None, now: datetime) -> None:
    """An exempt student owes no planning; if they no longer are, the step opens again."""
    row = session.get(progress.StepProgress, (student_id, int(progress.Step.PLANNING)))
    if is_exempt(outcome):
        progress.record(session, student_id, progress.Step.PLANNING, progress.StepState.NOT_REQUIRED, now)
    elif row is not None and row.state == progress.StepState.NOT_REQUIRED:
        progress.record(session, student_id, progress.Step.PLANNING, progress.StepState.NOT_STARTED, now)


def decide_application(
    session: Session,
    rules: LioRules,
    application: LioApplication,
    *,
    approved: bool,
    reason: str | None,
    actor_id: int,
    now: datetime,
) -> Outcome:
    """The counsellor's decision. Approved: the student is LIO, an earlier approval is replaced (with its
    reductions, which were judged on the old job) and the planning step follows the new outcome."""
    _close(session, application, approved, reason, actor_id, now)
    outcome = assess(rules, application.job())
    if approved:
        for earlier in session.exec(
            select(LioApplication).where(
                LioApplication.student_id == application.student_id,
                LioApplication.status == RequestStatus.APPROVED,
                LioApplication.id != application.id,
            )
        ):
            earlier.status = RequestStatus.SUPERSEDED
            session.add(earlier)
        for reduction in session.exec(
            select(ReductionRequest).where(
                ReductionRequest.student_id == application.student_id,
                col(ReductionRequest.status).in_([RequestStatus.PENDING, RequestStatus.APPROVED]),
            )
        ):
            reduction.status = RequestStatus.SUPERSEDED
            session.add(reduction)
        student = session.get_one(Student, application.student_id)
        student.lio = True
        session.add(student)
        record_planning_step(session, application.student_id, outcome, now)
    audit.log(
        session,
        now,
        "lio.approved" if approved else "lio.rejected",
        actor_id=actor_id,
        student_id=application.student_id,
        subject=application.subject,
        exempt=outcome.exempt,
    )
    return outcome


def reduction_refusal(session: Session, rules: LioRules, student_id: int) -> str | None:
    """Why this student cannot ask for a reduction now (a code), or None when they can."""
    student = session.get(Student, student_id)
    if student is None or not student.lio:
        return "not_lio"
    found = standing(session, rules, student_id)
    if found is None:
        return "no_application"
    if found.outcome.exempt:
        return "exempt"
    if not found.outcome.reduction_subjects:
        return "enough_hours"
    if found.reduced:
        return "already_reduced"
    return None


def request_reduction(
    session: Session, rules: LioRules, student_id: int, motivation: str, actor_id: int, now: datetime
) -> tuple[ReductionRequest, bool]:
    """Only an LIO student whose approved job has too few hours in a matching subject may ask; a new
    request (True) replaces one still waiting, the one waiting with this very motivation is the same
    submission again (returned, False). One request waits per student: of two at the same moment the
    database refuses the second (IntegrityError: roll back and ask again)."""
    refusal = reduction_refusal(session, rules, student_id)
    if refusal is not None:
        raise ReductionRefused(refusal)
    found = standing(session, rules, student_id)
    assert found is not None
    if not motivation.strip():
        raise ReductionRefused("no_motivation")
    kept = motivation.strip()[:MAX_REASON_LENGTH]
    earlier = pending_reduction(session, student_id)
    if earlier is not None and earlier.motivation == kept:
        return earlier, False
    if earlier is not None:
        earlier.status = RequestStatus.SUPERSEDED
        session.add(earlier)
        session.flush()
    request = ReductionRequest(
        student_id=student_id,
        application_id=found.application.id or 0,
        motivation=kept,
        status=RequestStatus.PENDING,
        submitted_at=now,
    )
    session.add(request)
    session.flush()
    audit.log(
        session,
        now,
        "lio.reduction_requested",
        actor_id=actor_id,
        student_id=student_id,
        subject=request.subject,
    )
    return request, True


def decide_reduction(
    session: Session,
    request: ReductionRequest,
    *,
    approved: bool,
    reason: str | None,
    actor_id: int,
    now: datetime,
) -> None:
    _close(session, request, approved, reason, actor_id, now)
    audit.log(
        session,
        now,
        "lio.reduction_approved" if approved else "lio.reduction_rejected",
        actor_id=actor_id,
        student_id=request.student_id,
        subject=request.subject,
    )


def remember_review_messages(session: Session, request: Request, messages: list[list[Any]]) -> None:
    request.review_messages = messages
    session.add(request)
