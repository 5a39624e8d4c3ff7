"""People, their roles and student records in and out as CSV, keyed by Slack id; see docs/csv-formats.md.

A row replaces the person's roles and (for a student) their student record and former schools. People
who are not in the file are left alone: a file is a batch of changes, not the whole cohort.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.csv_import import (
    Columns,
    ImportResult,
    Problems,
    Row,
    assign,
    check_length,
    check_unique,
    fold,
    format_bool,
    max_length,
    optional_email,
    parse_bool,
    read_rows,
    required_text,
    split_list,
    write_rows,
)
from models.people import LANGUAGES, FormerSchool, Person, PersonRole, Role, Student
from models.schools import Institution, by_code

COLUMNS = Columns(
    names=(
        "slack_id",
        "name",
        "email",
        "roles",
        "language",
        "subject_x",
        "subject_y",
        "supervisor_x",
        "supervisor_y",
        "supervisor",
        "former_schools",
        "lio",
    ),
    required=frozenset({"slack_id", "name", "roles"}),
)
STUDENT_COLUMNS = COLUMNS.names[COLUMNS.names.index("subject_x") :]
SUPERVISOR_FIELDS = {
    "supervisor_x": "supervisor_x_id",
    "supervisor_y": "supervisor_y_id",
    "supervisor": "supervisor_id",
}
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{6,20}$")

ROLE_ALIASES: dict[str, Role] = {
    **{role.value: role for role in Role},
    "stagebegeleider": Role.SUPERVISOR,
    "vakstagebegeleider": Role.SUPERVISOR,
    "stagecoordinator": Role.COORDINATOR,
    "studietrajectbegeleider": Role.COUNSELLOR,
    "onderwijsleerbegeleider": Role.REFLECTION_COACH,
    "titularis": Role.COURSE_OWNER,
    "beheerder": Role.ADMIN,
}
ROLE_ORDER = {role: index for index, role in enumerate(Role)}

_person = Person.__table__.c  # type: ignore[attr-defined]
_student = Student.__table__.c  # type: ignore[attr-defined]
LIMITS = {
    "slack_id": max_length(_person["slack_user_id"]),
    "name": max_length(_person["name"]),
    "email": max_length(_person["email"]),
    "subject_x": max_length(_student["subject_x"]),
    "subject_y": max_length(_student["subject_y"]),
}


@dataclass
class _StudentRow:
    """The student part of a row; None in a field means "column not in the file": keep what is stored."""

    subject_x: str
    subject_y: str
    supervisors: dict[str, str | None]
    former_schools: list[str] | None
    lio: bool | None


@dataclass
class _PersonRow:
    slack_id: str
    name: str
    email: str | None
    language: str | None
    roles: list[Role]
    student: _StudentRow | None


@dataclass
class _Stored:
    """What the database already holds for the people a file names."""

    people: dict[str, Person]
    roles: dict[int, set[Role]]
    students: dict[int, Student]
    former_schools: dict[int, set[int]]

    def student_of(self, slack_id: str) -> Student | None:
        person = self.people.get(slack_id)
        return self.students.get(person.id) if person is not None and person.id is not None else None

    def has_role(self, slack_id: str, role: Role) -> bool:
        person = self.people.get(slack_id)
        return person is not None and person.id is not None and role in self.roles.get(person.id, set())


def import_people(session: Session, text: str) -> ImportResult:
    """Create or update the people in ``text``; people not in the file are left alone.

    Raises ``ImportRefused`` with every problem of the file, and then nothing has changed.
    """
    problems = Problems()
    rows = read_rows(text, COLUMNS, problems)
    check_unique(rows, "slack_id", problems)
    mentioned = {row.value("slack_id") for row in rows} | {
        row.value(column) for row in rows for column in SUPERVISOR_FIELDS if row.value(column)
    }
    stored = _load(session, mentioned - {""})
    schools = by_code(session, {code for row in rows for code in split_list(row.value("former_schools"))})

    parsed = [_validate(row, stored, problems) for row in rows]
    roles_in_file = {person.slack_id: set(person.roles) for person in parsed}
    for row, person in zip(rows, parsed, strict=True):
        if person.student is not None:
            _check_references(row, person.student, roles_in_file, stored, set(schools), problems)
    problems.raise_if_any()
    return _apply(session, parsed, stored, {code: s.id for code, s in schools.items() if s.id is not None})


def export_people(session: Session) -> str:
    """Everyone in the import format, by name; importing it again changes nothing."""
    people = list(session.exec(select(Person).order_by(col(Person.name), col(Person.id))))
    slack_ids = {person.id: person.slack_user_id for person in people}
    roles: dict[int, set[Role]] = defaultdict(set)
    for link in session.exec(select(PersonRole)):
        roles[link.person_id].add(Role(link.role))
    students = {student.person_id: student for student in session.exec(select(Student))}
    former: dict[int, list[str]] = defaultdict(list)
    for student_id, code in session.exec(
        select(FormerSchool.student_id, Institution.code)
        .join(Institution, col(Institution.id) == col(FormerSchool.institution_id))
        .order_by(Institution.code)
    ):
        former[student_id].append(code)

    def line(person: Person) -> list[str]:
        assert person.id is not None
        own_roles = sorted(roles[person.id], key=ROLE_ORDER.__getitem__)
        cells = [
            person.slack_user_id,
            person.name,
            person.email or "",
            ";".join(own_roles),
            person.language or "",
        ]
        student = students.get(person.id)
        if student is None or Role.STUDENT not in own_roles:
            return cells + [""] * len(STUDENT_COLUMNS)
        supervisors = (slack_ids.get(getattr(student, field), "") for field in SUPERVISOR_FIELDS.values())
        former_codes = ";".join(former[person.id])
        return [
            *cells,
            student.subject_x,
            student.subject_y,
            *supervisors,
            former_codes,
            format_bool(student.lio),
        ]

    return write_rows(COLUMNS, (line(person) for person in people))


def _load(session: Session, slack_ids: set[str]) -> _Stored:
    people = {
        person.slack_user_id: person
        for person in session.exec(select(Person).where(col(Person.slack_user_id).in_(sorted(slack_ids))))
    }
    ids = sorted(person.id for person in people.values() if person.id is not None)
    roles: dict[int, set[Role]] = defaultdict(set)
    for link in session.exec(select(PersonRole).where(col(PersonRole.person_id).in_(ids))):
        roles[link.person_id].add(Role(link.role))
    students = {s.person_id: s for s in session.exec(select(Student).where(col(Student.person_id).in_(ids)))}
    former: dict[int, set[int]] = defaultdict(set)
    for former_link in session.exec(select(FormerSchool).where(col(FormerSchool.student_id).in_(ids))):
        former[former_link.student_id].add(former_link.institution_id)
    return _Stored(people, roles, students, former)


def _validate(row: Row, stored: _Stored, problems: Problems) -> _PersonRow:
    """Checks that need only the row itself and the person's own stored record."""
    slack_id = required_text(row, "slack_id", LIMITS["slack_id"], problems)
    if slack_id and not SLACK_ID.match(slack_id):
        problems.add(row.line, "import.row.bad_slack_id", column="slack_id", value=slack_id)
    name = required_text(row, "name", LIMITS["name"], problems)
    email = optional_email(row, "email", LIMITS["email"], problems)
    language = row.get("language")
    if language is not None:
        language = language.lower()
        if language and language not in LANGUAGES:
            problems.add(row.line, "import.row.unknown_language", value=row.value("language"))

    roles: set[Role] = set()
    if not row.value("roles"):
        problems.add(row.line, "import.row.missing_value", column="roles")
    for item in split_list(row.value("roles")):
        role = ROLE_ALIASES.get(fold(item))
        if role is None:
            problems.add(row.line, "import.row.unknown_role", value=item)
        else:
            roles.add(role)

    student: _StudentRow | None = None
    existing = stored.student_of(slack_id)
    if Role.STUDENT in roles:
        student = _validate_student(row, existing, problems)
    elif roles:
        for column in STUDENT_COLUMNS:
            if row.value(column):
                problems.add(row.line, "import.row.student_columns_on_non_student", column=column)
        if existing is not None:
            problems.add(row.line, "import.row.student_role_removed", slack_id=slack_id)
    ordered = sorted(roles, key=ROLE_ORDER.__getitem__)
    return _PersonRow(slack_id, name, email, language, ordered, student)


def _validate_student(row: Row, existing: Student | None, problems: Problems) -> _StudentRow:
    subjects: dict[str, str] = {}
    for column in ("subject_x", "subject_y"):
        value = row.get(column)
        if value is None and existing is not None:
            value = getattr(existing, column)
        if not value:
            problems.add(row.line, "import.row.missing_value", column=column)
        else:
            check_length(row, column, value, LIMITS[column], problems)
        subjects[column] = value or ""
    if subjects["subject_x"] and subjects["subject_x"].casefold() == subjects["subject_y"].casefold():
        problems.add(row.line, "import.row.subjects_equal", value=subjects["subject_x"])
    former = row.get("former_schools")
    return _StudentRow(
        subject_x=subjects["subject_x"],
        subject_y=subjects["subject_y"],
        supervisors={column: row.get(column) for column in SUPERVISOR_FIELDS},
        former_schools=split_list(former) if former is not None else None,
        lio=parse_bool(row, "lio", problems),
    )


def _check_references(
    row: Row,
    student: _StudentRow,
    roles_in_file: dict[str, set[Role]],
    stored: _Stored,
    school_codes: set[str],
    problems: Problems,
) -> None:
    """Supervisors must be supervisors once the file is in (its roles win); former schools must exist."""
    for column, slack_id in student.supervisors.items():
        if not slack_id:
            continue
        if slack_id in roles_in_file:
            known = Role.SUPERVISOR in roles_in_file[slack_id]
        else:
            known = stored.has_role(slack_id, Role.SUPERVISOR)
        if not known:
            problems.add(row.line, "import.row.unknown_supervisor", column=column, value=slack_id)
    for code in student.former_schools or []:
        if code not in school_codes:
            problems.add(row.line, "import.row.unknown_former_school", value=code)


def _apply(
    session: Session, parsed: list[_PersonRow], stored: _Stored, schools: dict[str, int]
) -> ImportResult:
    """Write a file that passed validation; counts a row as updated only when something changed.

    Three flushes, parents first: the tables have foreign keys but no ORM relationships to order inserts.
    """
    people = dict(stored.people)
    dirty: dict[str, bool] = {}
    for row in parsed:
        person = people.get(row.slack_id)
        if person is None:
            person = people[row.slack_id] = Person(slack_user_id=row.slack_id, name=row.name)
        dirty[row.slack_id] = assign(person, "name", row.name)
        if row.email is not None:
            dirty[row.slack_id] |= assign(person, "email", row.email or None)
        if row.language is not None:
            dirty[row.slack_id] |= assign(person, "language", row.language or None)
        session.add(person)
    session.flush()

    ids = {slack_id: person.id for slack_id, person in people.items() if person.id is not None}
    for row in parsed:
        person_id = ids[row.slack_id]
        dirty[row.slack_id] |= _replace_roles(session, person_id, set(row.roles), stored.roles[person_id])
        if row.student is not None:
            dirty[row.slack_id] |= _upsert_student(session, person_id, row.student, stored, ids)
    session.flush()

    for row in parsed:
        if row.student is not None and row.student.former_schools is not None:
            person_id = ids[row.slack_id]
            wanted = {schools[code] for code in row.student.former_schools}
            dirty[row.slack_id] |= _replace_former_schools(
                session, person_id, wanted, stored.former_schools[person_id]
            )
    session.flush()

    created = sum(1 for row in parsed if row.slack_id not in stored.people)
    updated = sum(1 for row in parsed if row.slack_id in stored.people and dirty[row.slack_id])
    return ImportResult(created, updated)


def _replace_roles(session: Session, person_id: int, wanted: set[Role], current: set[Role]) -> bool:
    for role in current - wanted:
        link = session.get(PersonRole, (person_id, role.value))
        if link is not None:
            session.delete(link)
    for role in wanted - current:
        session.add(PersonRole(person_id=person_id, role=role.value))
    return wanted != current


def _upsert_student(
    session: Session, person_id: int, row: _StudentRow, stored: _Stored, ids: dict[str, int]
) -> bool:
    student = stored.students.get(person_id)
    dirty = student is None
    if student is None:
        student = Student(person_id=person_id, subject_x=row.subject_x, subject_y=row.subject_y)
    dirty |= assign(student, "subject_x", row.subject_x)
    dirty |= assign(student, "subject_y", row.subject_y)
    for column, field in SUPERVISOR_FIELDS.items():
        slack_id = row.supervisors[column]
        if slack_id is not None:
            dirty |= assign(student, field, ids[slack_id] if slack_id else None)
    if row.lio is not None:
        dirty |= assign(student, "lio", row.lio)
    session.add(student)
    return dirty


def _replace_former_schools(session: Session, person_id: int, wanted: set[int], current: set[int]) -> bool:
    for institution_id in current - wanted:
        link = session.get(FormerSchool, (person_id, institution_id))
        if link is not None:
            session.delete(link)
    for institution_id in wanted - current:
        session.add(FormerSchool(student_id=person_id, institution_id=institution_id))
    return wanted != current
