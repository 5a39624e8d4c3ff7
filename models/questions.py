"""Questions about the cohort in plain words (`/stage wie …`, `/stage who …`), without a language model.

`parse` is a small grammar over the facts the bot keeps: it finds what the question is about (students or
schools), the fact asked for (a document, a step, a placement, an agreement, a planning, LIO, a deadline),
whether it is asked in the negative ("geen", "mist", "not", "without"), and filters (a subject, a semester,
a school). It answers a Query or a Refusal; `answer` evaluates a Query over the session with a fixed number
of statements whatever the cohort size.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, cast

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.agreements import DigitalContract, FrameworkAgreement, coverage
from models.catalogue import Catalogue
from models.documents import Document, DocumentConfig, DocumentStatus
from models.lio import LioApplication, RequestStatus
from models.people import Person, Student, supervised_by
from models.placements import Answer as SchoolAnswer
from models.placements import Placement, PlacementStatus
from models.planning import PlanningVersion, VersionStatus
from models.progress import FINISHED, Step, StepProgress, StepState
from models.schools import Institution

MAX_QUESTION = 300  # characters: a question longer than this is no question (and must fit a button's value)


class Topic(StrEnum):
    DOCUMENT = "document"  # an approved document of one type
    STEP = "step"  # one of the eight steps finished
    PLACEMENT = "placement"  # an active placement (filters: subject, semester, school)
    AGREEMENT = "agreement"  # students: step 5 finished; schools: a valid agreement for every placed student
    PLANNING_SUBMITTED = "planning_submitted"  # every placement's planning submitted (or approved)
    PLANNING_APPROVED = "planning_approved"  # every placement's planning approved
    PLANNING_LATE = "planning_late"  # a planning deadline passed without a submitted planning
    LATE = "late"  # any deadline passed on an unfinished step (the planning's included)
    LIO = "lio"  # on the LIO track
    LIO_PENDING = "lio_pending"  # an LIO application waiting for the counsellor


@dataclass(frozen=True)
class Query:
    topic: Topic
    negated: bool = False  # "who has NOT …": the students (schools) for whom the fact does not hold
    schools: bool = False  # about institutions ("welke scholen …") rather than students
    document: str | None = None  # a document type code
    step: Step | None = None
    subject: str | None = None  # a subject didactics, as the students' records spell it
    semester: int | None = None
    school: int | None = None  # an institution id


@dataclass(frozen=True)
class Refusal:
    reason: (
        str  # questions.refused.<reason>: not_understood, too_long, empty, unknown_subject, unknown_school
    )
    word: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """What the grammar must know of the data to read a question: subjects and schools by name."""

    subjects: tuple[str, ...] = ()
    schools: tuple[tuple[int, str, str], ...] = ()  # (id, code, name)

    @cached_property
    def subject_names(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each subject with the normalised names it goes by, longest first."""
        ordered = sorted(self.subjects, key=len, reverse=True)
        return tuple((s, (normalise(s), *SUBJECT_NAMES.get(normalise(s), ()))) for s in ordered)

    @cached_property
    def school_names(self) -> tuple[tuple[int, str, str], ...]:
        """(id, normalised code, normalised name), longest name first: read once, not per question."""
        found = [(i, normalise(code), normalise(name)) for i, code, name in self.schools]
        return tuple(sorted(found, key=lambda s: -len(s[2])))


# --- reading ------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Wie mist nog een uittreksel?" -> "wie mist nog een
    uittreksel"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.replace("'", "")).split())


NEGATIONS = (
    "geen", "niet", "nog niet", "mist", "missen", "missende", "zonder", "ontbreekt", "ontbreken", "nooit",
    "not", "no", "without", "missing", "lacks", "lack", "hasnt", "havent", "doesnt", "dont", "isnt",
    "arent", "cannot", "cant", "never", "yet to",
)  # fmt: skip
SCHOOL_WORDS = ("scholen", "school", "instellingen", "instelling", "schools", "institutions", "institution")
LATE_WORDS = ("te laat", "laattijdig", "achterstand", "late", "overdue", "behind")
DOCUMENT_WORDS: tuple[tuple[str, str], ...] = (
    ("uittreksel", "criminal_record"), ("strafregister", "criminal_record"), ("extract", "criminal_record"),
    ("criminal record", "criminal_record"), ("verbintenisverklaring", "commitment"),
    ("verbintenis", "commitment"), ("commitment", "commitment"), ("declaration", "commitment"),
    ("bewijs lio", "lio_proof"), ("lio proof", "lio_proof"),
)  # fmt: skip
STEP_WORDS: tuple[tuple[str, Step], ...] = (
    ("intakegesprek", Step.INTAKE), ("intake", Step.INTAKE), ("documenten", Step.DOCUMENTS),
    ("documents", Step.DOCUMENTS), ("aanvraag", Step.REQUEST), ("request", Step.REQUEST),
    ("contact", Step.CONTACT), ("starten", Step.APPROVAL), ("beginnen", Step.APPROVAL),
    ("start", Step.APPROVAL), ("begin", Step.APPROVAL), ("matching", Step.MATCHING),
)  # fmt: skip
PLACEMENT_WORDS = (
    "stageplaatsen", "stageplaats", "stageschool", "geplaatst", "plaats", "placements", "placement",
    "placed", "internship place", "school place",
)  # fmt: skip
AGREEMENT_WORDS = (
    "raamovereenkomst",
    "overeenkomsten",
    "overeenkomst",
    "contract",
    "agreements",
    "agreement",
)
PLANNING_WORDS = ("stagerooster", "planningen", "planning", "rooster", "plannings", "timetable", "schedule")
SUBMITTED_WORDS = ("ingediend", "indienen", "ingeleverd", "submitted", "submit", "handed in")
APPROVED_WORDS = ("goedgekeurd", "goedgekeurde", "goedkeuring", "approved", "approval")
PENDING_WORDS = ("wacht", "wachten", "open", "beslissing", "waiting", "pending", "decision", "undecided")
SEMESTER = re.compile(
    r"\b(?:(?:semester|sem|s)\s*([12])|([12])\s*(?:e|de|ste|st|nd)?\s*semester|"
    r"(eerste|tweede|first|second)\s+semester)\b"
)
ORDINALS = {"eerste": 1, "first": 1, "tweede": 2, "second": 2}
SUBJECT_NAMES: dict[str, tuple[str, ...]] = {  # a subject as records spell it (lower case) -> other names
    "wiskunde": ("mathematics", "maths", "math"),
    "fysica": ("physics", "natuurkunde"),
    "chemie": ("chemistry",),
    "biologie": ("biology",),
    "engels": ("english",),
    "frans": ("french",),
    "nederlands": ("dutch",),
    "duits": ("german",),
    "spaans": ("spanish",),
    "geschiedenis": ("history",),
    "aardrijkskunde": ("geography",),
    "economie": ("economics",),
    "informatica": ("computer science", "computing"),
    "latijn": ("latin",),
    "muziek": ("music",),
    "lichamelijke opvoeding": ("physical education", "lo", "pe"),
}
SCHOOL_PREPOSITIONS = ("bij", "op", "in", "at", "with")


def _has(text: str, words: Iterable[str]) -> bool:
    """Whole words only; `text` is normalised (single spaces, letters and digits)."""
    padded = f" {text} "
    return any(f" {w} " in padded for w in words)


def _find(text: str, words: Iterable[tuple[str, object]]) -> object | None:
    padded = f" {text} "
    return next((value for w, value in words if f" {w} " in padded), None)


def _subject(text: str, vocabulary: Vocabulary) -> str | None:
    for subject, names in vocabulary.subject_names:
        if _has(text, names):
            return subject
    return None


def _school(text: str, vocabulary: Vocabulary) -> int | None:
    """A school named after "bij/op/at": by its code or by (most of) its name."""
    for school_id, code, _ in vocabulary.school_names:
        if len(code) >= 2 and _after_preposition(text, code):
            return school_id
    for school_id, _, name in vocabulary.school_names:
        if name and _has(text, (name,)):
            return school_id
    return None


def _after_preposition(text: str, word: str) -> bool:
    return _has(text, (f"{p} {word}" for p in SCHOOL_PREPOSITIONS))


def _semester(text: str) -> int | None:
    match = SEMESTER.search(text)
    if not match:
        return None
    digit = match[1] or match[2]
    return int(digit) if digit else ORDINALS[match[3]]


def parse(text: str, vocabulary: Vocabulary) -> Query | Refusal:
    """Read a question (Dutch or English); the first matching reading wins, most specific first."""
    if len(text) > MAX_QUESTION:
        return Refusal("too_long")
    words = normalise(text)
    if not words:
        return Refusal("empty")
    negated = _has(words, NEGATIONS)
    schools = _has(" ".join(words.split()[:3]), SCHOOL_WORDS) and not _has(words, PLACEMENT_WORDS)
    subject, semester, school = _subject(words, vocabulary), _semester(words), _school(words, vocabulary)
    late = _has(words, LATE_WORDS)
    if _has(words, AGREEMENT_WORDS):
        return Query(
            Topic.AGREEMENT,
            negated=negated,
            schools=schools,
            subject=subject,
            semester=semester,
            school=school,
        )
    if schools:
        return Refusal("not_understood")  # only agreements are asked of schools
    if _has(words, PLANNING_WORDS):
        if late:
            return Query(Topic.PLANNING_LATE, subject=subject, semester=semester, school=school)
        topic = Topic.PLANNING_APPROVED if _has(words, APPROVED_WORDS) else Topic.PLANNING_SUBMITTED
        return Query(topic, negated=negated, subject=subject, semester=semester, school=school)
    if late:
        return Query(Topic.LATE, subject=subject)
    document = _find(words, DOCUMENT_WORDS)
    if isinstance(document, str):
        return Query(Topic.DOCUMENT, negated=negated, document=document, subject=subject)
    if _has(words, ("lio",)):
        if _has(words, PENDING_WORDS):
            return Query(Topic.LIO_PENDING, subject=subject)
        return Query(Topic.LIO, negated=negated, subject=subject)
    if _has(words, PLACEMENT_WORDS):
        return Query(Topic.PLACEMENT, negated=negated, subject=subject, semester=semester, school=school)
    step = _find(words, STEP_WORDS)
    if isinstance(step, Step):
        return Query(Topic.STEP, negated=negated, step=step, subject=subject)
    return Refusal("not_understood")


# --- answering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One student (or school) in an answer, with what the answer says of them: a message key and its
    parameters, or nothing."""

    name: str
    slack_user_id: str | None = None
    student_id: int | None = None
    detail: str | None = None
    params: dict[str, str | int | date] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    catalogue: Catalogue
    documents: DocumentConfig
    today: date
    language: str = "nl"  # for the names of courses in the details
    supervisor_id: int | None = None  # a supervisor asks about their own students only


@dataclass(frozen=True)
class _Student:
    id: int
    name: str
    slack_user_id: str
    subjects: tuple[str, str]
    lio: bool


def vocabulary(session: Session) -> Vocabulary:
    """The subjects the students' records name and every school (two statements)."""
    rows = session.exec(select(Student.subject_x, Student.subject_y).distinct()).all()
    subjects = sorted({s for pair in rows for s in pair if s})
    schools = tuple((i.id or 0, i.code, i.name) for i in session.exec(select(Institution)))
    return Vocabulary(tuple(subjects), schools)


def _students(session: Session, facts: Facts, subject: str | None) -> list[_Student]:
    query = (
        sa_select(
            col(Student.person_id), col(Person.name), col(Person.slack_user_id), col(Student.subject_x),
            col(Student.subject_y), col(Student.lio),
        )
        .join(Person, col(Student.person_id) == col(Person.id))
        .order_by(col(Person.name), col(Person.id))
    )  # fmt: skip
    if facts.supervisor_id is not None:
        query = query.where(supervised_by(facts.supervisor_id))
    rows: list[tuple[Any, ...]] = [tuple(row) for row in session.execute(query)]
    found = [_Student(i, n, slack, (x, y), bool(lio)) for i, n, slack, x, y, lio in rows]
    if subject is not None:
        found = [s for s in found if subject in s.subjects]
    return found


def _found(student: _Student, detail: str | None = None, **params: str | int | date) -> Found:
    return Found(student.name, student.slack_user_id, student.id, detail, dict(params))


def answer(session: Session, facts: Facts, query: Query) -> list[Found]:
    """The students (or schools) the question asks for, in name order."""
    if query.schools:
        return _schools_without_agreement(session, facts, query)
    students = _students(session, facts, query.subject)
    evaluate = {
        Topic.DOCUMENT: _documents,
        Topic.STEP: _step,
        Topic.AGREEMENT: _step,
        Topic.PLACEMENT: _placements,
        Topic.PLANNING_SUBMITTED: _plannings,
        Topic.PLANNING_APPROVED: _plannings,
        Topic.PLANNING_LATE: _plannings_late,
        Topic.LATE: _late,
        Topic.LIO: _lio,
        Topic.LIO_PENDING: _lio,
    }[query.topic]
    return evaluate(session, facts, query, students) if students else []


def _documents(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    """Without an approved, still valid document of the type (only students who must have one)."""
    doctype = next((t for t in facts.documents.types if t.code == query.document), None)
    latest: dict[int, tuple[int, str, bool]] = {}  # per student its newest version that counts
    rows = session.exec(
        select(Document.student_id, Document.version, Document.status, Document.renewal_asked_at).where(
            Document.type_code == query.document
        )
    )
    for sid, version, status, renewal in rows:
        if status != DocumentStatus.SUPERSEDED and (sid not in latest or version > latest[sid][0]):
            latest[sid] = (version, status, renewal is not None)
    result = []
    for s in students:
        if doctype is not None and not doctype.required(s.lio) and query.negated:
            continue
        found = latest.get(s.id)
        approved = (
            found is not None and found[1] == DocumentStatus.APPROVED and not found[2]
        )  # see needs_renewal
        if approved != query.negated:
            state = "missing" if found is None else found[1]
            result.append(_found(s, f"questions.detail.document.{state}") if query.negated else _found(s))
    return result


def _states(session: Session, step: Step) -> dict[int, str]:
    return dict(
        session.exec(
            select(StepProgress.student_id, StepProgress.state).where(StepProgress.step == int(step))
        ).all()
    )


def _step(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    step = Step.AGREEMENT if query.topic is Topic.AGREEMENT else query.step
    assert step is not None
    states = _states(session, step)
    result = []
    for s in students:
        state = StepState(states.get(s.id, StepState.NOT_STARTED.value))
        if (state in FINISHED) != query.negated:
            result.append(_found(s, f"state.{state.value}") if query.negated else _found(s))
    return result


@dataclass(frozen=True, slots=True)
class _Placed:
    """What the questions read of an active placement (columns, not ORM objects: 18,000 of them for a
    cohort of 3,000)."""

    id: int
    student_id: int
    institution_id: int
    course_code: str
    semester: int
    start: date
    end: date


def _live_placements(session: Session) -> dict[int, list[_Placed]]:
    by_student: dict[int, list[_Placed]] = {}
    query = (
        sa_select(
            col(Placement.id), col(Placement.student_id), col(Placement.institution_id),
            col(Placement.course_code), col(Placement.semester), col(Placement.start), col(Placement.end),
        )
        .where(col(Placement.status) == PlacementStatus.ACTIVE.value)
        .where(col(Placement.answer) != SchoolAnswer.REFUSED.value)
    )  # fmt: skip
    rows: list[tuple[Any, ...]] = [tuple(row) for row in session.execute(query)]
    for row in rows:
        placed = _Placed(*row)
        by_student.setdefault(placed.student_id, []).append(placed)
    return by_student


def _matches(facts: Facts, query: Query, student: _Student, placement: _Placed) -> bool:
    """Does the placement count for the question's subject, semester and school?"""
    if query.semester is not None and placement.semester != query.semester:
        return False
    if query.school is not None and placement.institution_id != query.school:
        return False
    if query.subject is not None:
        course = facts.catalogue.course(placement.course_code)
        slot = course.subject if course else None
        wanted = {"X": student.subjects[0], "Y": student.subjects[1]}.get(slot or "")
        return wanted == query.subject
    return True


def _placements(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    placed = _live_placements(session)
    schools = _school_names(session, {p.institution_id for ps in placed.values() for p in ps})
    result = []
    for s in students:
        own = [p for p in placed.get(s.id, []) if _matches(facts, query, s, p)]
        if bool(own) != query.negated:
            if own:
                names = ", ".join(sorted({schools.get(p.institution_id, "?") for p in own}))
                result.append(_found(s, "questions.detail.placed", schools=names))
            else:
                result.append(_found(s))
    return result


def _school_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Institution).where(col(Institution.id).in_(sorted(ids))))
    return {i.id or 0: i.name for i in rows}


def _versions(session: Session) -> dict[int, list[str]]:
    """Per placement the statuses of its planning versions, newest first."""
    by_placement: dict[int, list[str]] = {}
    query = select(PlanningVersion.placement_id, PlanningVersion.status).order_by(
        col(PlanningVersion.number).desc()
    )
    for placement_id, status in session.exec(query):
        by_placement.setdefault(placement_id, []).append(status)
    return by_placement


SUBMITTED = frozenset({VersionStatus.SUBMITTED.value, VersionStatus.APPROVED.value})
APPROVED = frozenset(
    {VersionStatus.APPROVED.value, VersionStatus.SUPERSEDED.value}
)  # superseded: was approved
SUPERSEDED = VersionStatus.SUPERSEDED.value


def _submitted(versions: list[str]) -> bool:
    """The newest version that counts is submitted or approved, or an approved one exists."""
    if VersionStatus.APPROVED.value in versions:
        return True
    live = next((v for v in versions if v != SUPERSEDED), None)
    return live in SUBMITTED


def _approved(versions: list[str]) -> bool:
    return not APPROVED.isdisjoint(versions)


def _planning_owed(session: Session, students: list[_Student]) -> set[int]:
    """Students who owe a planning (an exempt LIO student's step 7 is not required)."""
    states = _states(session, Step.PLANNING)
    return {s.id for s in students if states.get(s.id) != StepState.NOT_REQUIRED.value}


def _plannings(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    """Per student, the placements (matching the filters) whose planning is (not) submitted / approved; a
    student without a placement owes no planning yet and is in neither answer."""
    placed, versions = _live_placements(session), _versions(session)
    owed = _planning_owed(session, students)
    holds = _approved if query.topic is Topic.PLANNING_APPROVED else _submitted
    courses = {c.code: c.name for c in facts.catalogue.courses}
    result = []
    for s in students:
        own = [p for p in placed.get(s.id, []) if _matches(facts, query, s, p)]
        if s.id not in owed or not own:
            continue
        missing = [p for p in own if not holds(versions.get(p.id or 0, []))]
        if query.negated and missing:
            names = ", ".join(
                courses.get(p.course_code, {}).get(facts.language, p.course_code) for p in missing
            )
            result.append(_found(s, "questions.detail.planning_missing", courses=names))
        elif not query.negated and not missing:
            result.append(_found(s))
    return result


def _planning_deadline(facts: Facts, placement: _Placed) -> date:
    return placement.start - timedelta(days=facts.catalogue.planning_lead_days)


def _late_plannings(
    facts: Facts, placed: dict[int, list[_Placed]], versions: dict[int, list[str]], s: _Student
) -> list[date]:
    return sorted(
        _planning_deadline(facts, p)
        for p in placed.get(s.id, [])
        if _planning_deadline(facts, p) < facts.today and not _submitted(versions.get(p.id or 0, []))
    )


def _plannings_late(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    """A planning deadline (two weeks before the placement starts) passed without a submitted planning."""
    placed, versions = _live_placements(session), _versions(session)
    owed = _planning_owed(session, students)
    narrowed = {s.id: [p for p in placed.get(s.id, []) if _matches(facts, query, s, p)] for s in students}
    result = []
    for s in students:
        if s.id not in owed:
            continue
        late = _late_plannings(facts, narrowed, versions, s)
        if late:
            result.append(_found(s, "questions.detail.late_since", day=late[0]))
    return result


def _late(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    """A step not finished (and not waiting for a reviewer) whose catalogue deadline passed, or a late
    planning: the same as *te laat* in the overviews."""
    rows = session.exec(select(StepProgress.student_id, StepProgress.step, StepProgress.state)).all()
    states: dict[int, dict[int, str]] = {}
    for sid, step, state in rows:
        states.setdefault(sid, {})[step] = state
    passed: dict[int, date] = {}
    for deadline in facts.catalogue.all_deadlines():
        if deadline.period_start is None and deadline.due < facts.today:
            passed[deadline.step] = deadline.due
    placed, versions = _live_placements(session), _versions(session)
    waiting = {s.value for s in FINISHED} | {StepState.AWAITING_REVIEW.value}
    result = []
    for s in students:
        own = states.get(s.id, {})
        steps = sorted(step for step in passed if own.get(step, StepState.NOT_STARTED.value) not in waiting)
        if own.get(Step.PLANNING) != StepState.NOT_REQUIRED.value and _late_plannings(
            facts, placed, versions, s
        ):
            steps = sorted({*steps, int(Step.PLANNING)})
        if steps:
            result.append(_found(s, "questions.detail.late_steps", steps=", ".join(str(n) for n in steps)))
    return result


def _lio(session: Session, facts: Facts, query: Query, students: list[_Student]) -> list[Found]:
    statuses: dict[int, str] = {}
    for sid, code in session.exec(
        select(LioApplication.student_id, LioApplication.status).order_by(col(LioApplication.submitted_at))
    ):
        statuses[sid] = code  # the newest stays
    result = []
    for s in students:
        status = statuses.get(s.id)
        if query.topic is Topic.LIO_PENDING:
            if status == RequestStatus.PENDING.value:
                result.append(_found(s))
            continue
        on_track = s.lio or status == RequestStatus.APPROVED.value
        if on_track != query.negated:
            result.append(_found(s, f"questions.detail.lio.{status}") if status else _found(s))
    return result


def _schools_without_agreement(session: Session, facts: Facts, query: Query) -> list[Found]:
    """Institutions with placed students (a supervisor's: theirs) none of whose agreements covers them,
    or, asked in the positive, those where every placed student is covered. Four statements."""
    students = {s.id: s for s in _students(session, facts, query.subject)}
    placed = {sid: ps for sid, ps in _live_placements(session).items() if sid in students}
    institution_ids = {p.institution_id for ps in placed.values() for p in ps}
    frameworks = list(session.exec(select(FrameworkAgreement))) if institution_ids else []
    contracts: dict[int, list[DigitalContract]] = {}
    if placed:
        for c in session.exec(select(DigitalContract)):
            contracts.setdefault(c.student_id, []).append(c)
    frameworks_at: dict[int, list[FrameworkAgreement]] = {}
    for f in frameworks:
        frameworks_at.setdefault(f.institution_id, []).append(f)
    waiting: dict[int, int] = {}
    covered: set[int] = set()
    for sid, own in placed.items():
        own = [p for p in own if query.school is None or p.institution_id == query.school]
        relevant = [f for i in {p.institution_id for p in own} for f in frameworks_at.get(i, [])]
        # coverage reads a placement's institution, start and end: the light rows have them
        for cover in coverage(cast(list[Placement], own), relevant, contracts.get(sid, [])):
            if cover.covered:
                covered.add(cover.institution_id)
            else:
                waiting[cover.institution_id] = waiting.get(cover.institution_id, 0) + 1
    names = _school_names(session, institution_ids)
    if query.negated:
        detail = "questions.detail.waiting"
        found = [Found(names.get(i, "?"), None, None, detail, {"count": n}) for i, n in waiting.items()]
    else:
        found = [Found(names.get(i, "?")) for i in covered - set(waiting)]
    return sorted(found, key=lambda f: f.name.lower())
