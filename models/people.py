"""People, their roles and the student record: who is who (domain.md, "Who is who")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, utcnow


class Role(StrEnum):
    STUDENT = "student"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"
    COUNSELLOR = "counsellor"
    REFLECTION_COACH = "reflection_coach"
    COURSE_OWNER = "course_owner"
    ADMIN = "admin"


STAFF_ROLES = frozenset(Role) - {Role.STUDENT}
LANGUAGES = ("nl", "en")


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=5, description="chosen with /stage language")
    slack_locale: str | None = Field(default=None, max_length=16, description="from users.info")
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=32, primary_key=True)


class Student(SQLModel, table=True):
    """The student record: two subject didactics (X and Y), a supervisor per subject and a general one."""

    __tablename__ = "student"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    subject_x: str = Field(max_length=100)
    subject_y: str = Field(max_length=100)
    supervisor_x_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    supervisor_y_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    supervisor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    lio: bool = False


class FormerSchool(SQLModel, table=True):
    """A school the student attended: as a rule not allowed as a placement (domain.md, step 3)."""

    __tablename__ = "former_school"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id", primary_key=True, ondelete="CASCADE")


@dataclass(frozen=True)
class Actor:
    """Who is acting in a request: resolved once by the middleware, read by every listener."""

    person_id: int
    slack_user_id: str
    name: str
    roles: frozenset[Role]
    language: str | None
    slack_locale: str | None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_student(self) -> bool:
        return Role.STUDENT in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


def resolve_actor(session: Session, slack_user_id: str) -> Actor | None:
    """One statement: the person and their roles, or None for someone the programme has not registered."""
    rows = session.exec(
        select(Person, PersonRole.role)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id), isouter=True)
        .where(Person.slack_user_id == slack_user_id)
    ).all()
    if not rows:
        return None
    person = rows[0][0]
    assert person.id is not None
    roles = frozenset(Role(role) for _, role in rows if role)
    return Actor(person.id, person.slack_user_id, person.name, roles, person.language, person.slack_locale)


def set_language(session: Session, person_id: int, language: str | None) -> None:
    person = session.get_one(Person, person_id)
    person.language = language
    session.add(person)


def remember_slack_locale(session: Session, person_id: int, locale: str) -> None:
    person = session.get_one(Person, person_id)
    person.slack_locale = locale
    session.add(person)


def people_with_role(session: Session, role: Role) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
            .where(PersonRole.role == role.value)
            .order_by(Person.name)
        )
    )


def supervisors_of(session: Session, student_id: int) -> dict[str, Person]:
    """The student's supervisors by subject key ("x", "y", "general"); missing ones are left out."""
    student = session.get(Student, student_id)
    if student is None:
        return {}
    wanted = {"x": student.supervisor_x_id, "y": student.supervisor_y_id, "general": student.supervisor_id}
    ids = {pid for pid in wanted.values() if pid is not None}
    found = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))} if ids else {}
    return {key: found[pid] for key, pid in wanted.items() if pid in found}


def supervised_by(supervisor_id: int) -> ColumnElement[bool]:
    """Students for whom this person is a supervisor in any capacity (per subject or general)."""
    return or_(
        col(Student.supervisor_x_id) == supervisor_id,
        col(Student.supervisor_y_id) == supervisor_id,
        col(Student.supervisor_id) == supervisor_id,
    )


def supervises(session: Session, supervisor_id: int, student_id: int) -> bool:
    student = session.get(Student, student_id)
    return student is not None and supervisor_id in {
        student.supervisor_x_id,
        student.supervisor_y_id,
        student.supervisor_id,
    }


# --- which student a typed argument names ------------------------------------------------------------------

_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def find_student(session: Session, text: str) -> tuple[Person | None, str | None]:
    """The student a command or a user picker names (a mention <@U…>, a Slack id, or part of a name, "@"
    allowed): (the student, None), or (None, a message key: documents.student.not_found / .ambiguous)."""
    text = text.strip()
    if match := _MENTION.match(text):
        text = match[1]
    query = select(Person).join(Student, col(Student.person_id) == col(Person.id))
    if _SLACK_ID.match(text):
        found = session.exec(query.where(Person.slack_user_id == text)).first()
        return (found, None) if found else (None, "documents.student.not_found")
    name = text.removeprefix("@").strip().lower()
    if not name:
        return None, "documents.student.not_found"
    students = list(session.exec(query))
    exact = [p for p in students if p.name.lower() == name]
    partial = exact or [p for p in students if name in p.name.lower()]
    if len(partial) == 1:
        return partial[0], None
    return None, "documents.student.ambiguous" if partial else "documents.student.not_found"
