"""The mentor's evaluation of an internship activity: the forms (configuration, a YAML per activity kind,
checked on load with the line of each problem) and the evaluation's life.

An evaluation is one (placement, activity) whose activity has a form. Its life: pending (the mentor may
save drafts) -> submitted (read-only; the supervisor reviews it) -> acknowledged (the supervisor read it;
the student sees it from then on), or -> question (the supervisor asked the mentor something; the mentor
amends and submits again). Each move is a conditional update, so a double click or a replayed form moves
nothing a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, once
from models.catalogue import (
    CATALOGUE_DIR,
    ActivityKind,
    Catalogue,
    CatalogueError,
    CatalogueProblem,
    _LineLoader,
)
from models.db import AwareDateTime
from models.placements import Placement

FORMS_DIR = CATALOGUE_DIR / "evaluations"
MAX_TEXT = 2000  # characters of one free comment
MAX_QUESTION = 2000


# --- the forms -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    name: dict[str, str]


@dataclass(frozen=True)
class Criterion:
    code: str
    name: dict[str, str]
    kind: str = "scale"  # or "text": a free comment
    required: bool = True


@dataclass(frozen=True)
class Section:
    code: str
    name: dict[str, str]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Form:
    activity: str
    title: dict[str, str]
    expectations: dict[str, str]
    scale: tuple[Choice, ...]
    sections: tuple[Section, ...]

    def field(self, section: Section, criterion: Criterion) -> str:
        """The name of a criterion's answer in the stored answers and in the page's form."""
        return f"{section.code}.{criterion.code}"

    def fields(self) -> list[tuple[Section, Criterion, str]]:
        return [(s, c, self.field(s, c)) for s in self.sections for c in s.criteria]


class _FormReader:
    def __init__(self) -> None:
        self.problems: list[CatalogueProblem] = []

    def fail(self, line: int, reason: str) -> None:
        self.problems.append(CatalogueProblem(line, reason))

    def names(self, node: dict[str, Any], key: str, line: int) -> dict[str, str]:
        value = node.get(key)
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k), str) and value[k].strip() for k in ("nl", "en")
        ):
            self.fail(line, f"'{key}' needs both 'nl' and 'en'")
            return {}
        return {"nl": value["nl"].strip(), "en": value["en"].strip()}

    def code(self, node: dict[str, Any], key: str, line: int) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip() or "." in value:
            self.fail(line, f"'{key}' is missing, empty or has a dot in it")
            return ""
        return value.strip()

    def criterion(self, node: Any, line: int) -> Criterion | None:
        if not isinstance(node, dict):
            self.fail(line, "a criterion is written as {code: ..., name: {nl: ..., en: ...}}")
            return None
        line = node["__line__"]
        kind = node.get("kind", "scale")
        if kind not in ("scale", "text"):
            self.fail(line, f"a criterion's kind is 'scale' or 'text', not '{kind}'")
        required = node.get("required", True)
        if not isinstance(required, bool):
            self.fail(line, "'required' is true or false")
            required = True
        return Criterion(self.code(node, "code", line), self.names(node, "name", line), str(kind), required)

    def section(self, node: Any, line: int) -> Section | None:
        if not isinstance(node, dict):
            self.fail(line, "a section is a mapping with code, name and criteria")
            return None
        line = node["__line__"]
        raw = node.get("criteria")
        if not isinstance(raw, list) or not raw:
            self.fail(line, "a section needs at least one criterion")
            raw = []
        criteria = [self.criterion(c, line) for c in raw]
        codes = [c.code for c in criteria if c]
        for twice in sorted({c for c in codes if codes.count(c) > 1}):
            self.fail(line, f"criterion code '{twice}' is used twice in this section")
        found = tuple(c for c in criteria if c)
        return Section(self.code(node, "code", line), self.names(node, "name", line), found)

    def form(self, root: Any, stem: str) -> Form | None:
        if not isinstance(root, dict):
            self.fail(1, "the file must be a mapping with activity, title, expectations, scale and sections")
            return None
        line = root["__line__"]
        activity = root.get("activity")
        known = ", ".join(k.value for k in ActivityKind)
        if activity not in {k.value for k in ActivityKind}:
            self.fail(line, f"unknown activity '{activity}' (known: {known})")
        elif activity != stem:
            self.fail(line, f"the file of activity '{activity}' is named {activity}.yaml")
        scale = []
        for item in root.get("scale") or []:
            if not isinstance(item, dict) or not isinstance(item.get("value"), str):
                self.fail(line, "a scale answer is written as {value: ..., name: {nl: ..., en: ...}}")
                continue
            scale.append(Choice(item["value"], self.names(item, "name", item["__line__"])))
        if len(scale) < 2:
            self.fail(line, "the scale needs at least two answers")
        raw = root.get("sections")
        if not isinstance(raw, list) or not raw:
            self.fail(line, "the form has no sections")
            raw = []
        sections = [self.section(s, line) for s in raw]
        codes = [s.code for s in sections if s]
        for twice in sorted({c for c in codes if codes.count(c) > 1}):
            self.fail(line, f"section code '{twice}' is used twice")
        title = self.names(root, "title", line)
        expectations = self.names(root, "expectations", line)
        if self.problems:
            return None
        return Form(str(activity), title, expectations, tuple(scale), tuple(s for s in sections if s))


def parse_form(text: str, path: str = "<form>", stem: str | None = None) -> Form:
    """One form from its YAML; CatalogueError names every problem with its line."""
    try:
        root = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise CatalogueError(path, [CatalogueProblem(line, f"not valid YAML: {error}")]) from error
    reader = _FormReader()
    form = reader.form(root, stem if stem is not None else Path(path).stem)
    if form is None:
        raise CatalogueError(path, sorted(reader.problems, key=lambda p: p.line))
    return form


def load_forms(directory: Path = FORMS_DIR) -> dict[str, Form]:
    """Every form in the directory, by activity kind."""
    forms = {}
    for path in sorted(directory.glob("*.yaml")):
        form = parse_form(path.read_text(encoding="utf-8"), str(path))
        forms[form.activity] = form
    return forms


@cache
def forms() -> dict[str, Form]:
    """The configured forms, read once per process."""
    return load_forms()


def read_answers(form: Form, typed: dict[str, str]) -> dict[str, str]:
    """The answers a posted page holds: only the form's fields, spaces tidied, each at most MAX_TEXT."""
    values = {choice.value for choice in form.scale}
    answers = {}
    for _, criterion, name in form.fields():
        value = typed.get(name, "")
        if criterion.kind == "scale":
            value = value if value in values else ""
        else:
            value = value.replace("\r\n", "\n").strip()[: MAX_TEXT + 1]
        if value:
            answers[name] = value
    return answers


def problems(form: Form, answers: dict[str, str]) -> list[tuple[str, str]]:
    """What keeps the answers from being submitted: (field, message key)."""
    found = []
    for _, criterion, name in form.fields():
        value = answers.get(name, "")
        if criterion.required and not value:
            found.append((name, "evaluation.error.required"))
        elif len(value) > MAX_TEXT:
            found.append((name, "evaluation.error.long"))
    return found


# --- the evaluation --------------------------------------------------------------------------------------


class Status(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    QUESTION = "question"
    ACKNOWLEDGED = "acknowledged"


EDITABLE = (Status.PENDING, Status.QUESTION)


class Evaluation(SQLModel, table=True):
    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("placement_id", "activity", name="uq_evaluation_placement_activity"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True, ondelete="CASCADE")
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id")
    activity: str = Field(max_length=32)
    status: str = Field(default=Status.PENDING.value, max_length=16, index=True)
    mentor_name: str = Field(default="", max_length=200)
    mentor_email: str = Field(default="", max_length=200)
    answers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=AwareDateTime)
    invited_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    saved_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    question: str | None = Field(default=None, max_length=MAX_QUESTION)
    review_messages: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def create_for(session: Session, placement: Placement, now: datetime) -> list[Evaluation]:
    """An evaluation for each of the placement's activities that has a form (once: a second call adds
    nothing)."""
    assert placement.id is not None
    have = {
        e.activity for e in session.exec(select(Evaluation).where(Evaluation.placement_id == placement.id))
    }
    made = []
    for activity in placement.activities:
        if activity in forms() and activity not in have:
            evaluation = Evaluation(
                placement_id=placement.id, student_id=placement.student_id,
                institution_id=placement.institution_id, activity=activity, created_at=now,
            )  # fmt: skip
            session.add(evaluation)
            made.append(evaluation)
    session.flush()
    return made


def of_student(session: Session, student_id: int) -> list[Evaluation]:
    return list(
        session.exec(
            select(Evaluation).where(Evaluation.student_id == student_id).order_by(col(Evaluation.id))
        )
    )


def forget_replaced_mentors(
    session: Session, student_id: int, institution_id: int, mentors: frozenset[str]
) -> None:
    """An open evaluation whose mentor is no longer recorded waits for the new one (the scheduler's next
    tick mails them); the old mentor's links were revoked with the change."""
    kept = {m.lower() for m in mentors}
    for evaluation in session.exec(
        select(Evaluation).where(
            Evaluation.student_id == student_id,
            Evaluation.institution_id == institution_id,
            col(Evaluation.status).in_([s.value for s in EDITABLE]),
        )
    ):
        if evaluation.mentor_email and evaluation.mentor_email.lower() not in kept:
            evaluation.mentor_name, evaluation.mentor_email, evaluation.invited_at = "", "", None
            session.add(evaluation)


def save_draft(session: Session, evaluation: Evaluation, answers: dict[str, str], now: datetime) -> bool:
    """Keep what the mentor typed; False once it was submitted (a draft never overwrites a submission)."""
    if evaluation.status not in EDITABLE:
        return False
    evaluation.answers = answers
    evaluation.saved_at = now
    session.add(evaluation)
    return True


def submit(session: Session, evaluation: Evaluation, answers: dict[str, str], now: datetime) -> bool:
    """Submit once: False when it was not open for the mentor (submitted a moment ago, or decided)."""
    status = evaluation.status
    if status not in EDITABLE:
        return False
    if not once.transition(
        session, evaluation, "status", status, status=Status.SUBMITTED.value, answers=answers,
        submitted_at=now, saved_at=now, review_messages=[],
    ):  # fmt: skip
        return False
    audit.log(
        session, now, "evaluation.submitted", actor_id=None, student_id=evaluation.student_id,
        subject=f"evaluation:{evaluation.id}", mentor=evaluation.mentor_email,
    )  # fmt: skip
    return True


def decide(
    session: Session, evaluation: Evaluation, *, acknowledged: bool, actor_id: int, now: datetime,
    question: str | None,
) -> bool:  # fmt: skip
    """The supervisor acknowledges (the student may see it) or asks the mentor a question; once."""
    new = Status.ACKNOWLEDGED if acknowledged else Status.QUESTION
    if not once.transition(
        session, evaluation, "status", Status.SUBMITTED.value, status=new.value, decided_at=now,
        decided_by_id=actor_id, question=None if acknowledged else question,
    ):  # fmt: skip
        return False
    audit.log(
        session, now, "evaluation.acknowledged" if acknowledged else "evaluation.question",
        actor_id=actor_id, student_id=evaluation.student_id, subject=f"evaluation:{evaluation.id}",
    )  # fmt: skip
    return True


def period_end(placement: Placement) -> date:
    return placement.end


def due_on(catalogue: Catalogue, placement: Placement) -> date:
    """When the mentor's evaluation is due: N days after the period ends (the catalogue's reminders)."""
    return period_end(placement) + timedelta(days=catalogue.reminders.evaluation_due_days)
