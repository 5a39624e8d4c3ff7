"""Institutions' capacity in as CSV (`stagebot import capacity FILE.csv`), keyed by (school, subject,
semester, activity); every row is checked before anything is stored, as for the other imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from models import capacity
from models.capacity import Declared, InstitutionCapacity
from models.csv_import import (
    Columns,
    ImportResult,
    Problems,
    read_rows,
    required_text,
    split_list,
    write_rows,
)
from models.schools import all_institutions, by_code
from models.schools_csv import LEVEL_ALIASES

COLUMNS = Columns(
    names=("school", "subject", "semester", "activity", "places", "levels", "grades"),
    required=frozenset({"school", "semester", "activity", "places", "levels"}),
)


def import_capacity(session: Session, text: str, now: datetime | None = None) -> ImportResult:
    """Create or update the declarations in ``text``; on any problem raise ImportRefused, store nothing."""
    from models.db import utcnow

    now = now or utcnow()
    problems = Problems()
    rows = read_rows(text, COLUMNS, problems)
    schools = by_code(session, {row.value("school") for row in rows if row.value("school")})
    wanted: list[Declared] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        code = required_text(row, "school", None, problems)
        school = schools.get(code)
        if code and school is None:
            problems.add(row.line, "capacity.import.unknown_school", value=code)
        key = (code, capacity.subject_key(row.value("subject")), row.value("semester"), row.value("activity"))
        if key in seen:
            problems.add(row.line, "capacity.import.duplicate", first_line=seen[key])
        seen.setdefault(key, row.line)
        declared, found = declaration(school.id if school and school.id else 0, row.value)
        for key_, params in found:
            problems.add(row.line, key_, **params)
        wanted.append(declared)
    problems.raise_if_any()
    created = updated = 0
    for declared in wanted:
        existed = capacity.find(
            session, declared.institution_id, declared.subject, declared.semester, declared.activity
        )
        if capacity.declare(session, declared, actor_id=None, now=now):
            created += existed is None
            updated += existed is not None
        session.flush()
    return ImportResult(created, updated)


def declaration(
    institution_id: int, value: Callable[[str], str]
) -> tuple[Declared, list[tuple[str, dict[str, str]]]]:
    """One declaration from its column values (a CSV row, or the coordinator's command), with its problems."""
    found: list[tuple[str, dict[str, str]]] = []
    numbers = {}
    for column in ("semester", "places"):
        text = value(column).strip()
        if not text.isdigit():
            found.append(("capacity.import.number", {"column": column, "value": text}))
        numbers[column] = int(text) if text.isdigit() else 0
    levels = []
    for item in split_list(value("levels")):
        level = LEVEL_ALIASES.get(item.strip().lower().replace(" ", "_"))
        levels.append(level.value if level else item)
    grades = [int(g) if g.isdigit() else -1 for g in split_list(value("grades"))]
    declared = Declared(
        institution_id, value("subject").strip(), numbers["semester"], value("activity").strip().lower(),
        numbers["places"], tuple(levels), tuple(grades),
    )  # fmt: skip
    return declared, found + capacity.problems(declared)


def export_capacity(session: Session) -> str:
    codes = {s.id: s.code for s in all_institutions(session)}
    rows: list[InstitutionCapacity] = capacity.all_capacity(session)
    return write_rows(
        COLUMNS,
        (
            [codes.get(r.institution_id, ""), r.subject, str(r.semester), r.activity, str(r.places),
             ";".join(r.levels), ";".join(str(g) for g in r.grades)]
            for r in rows
        ),
    )  # fmt: skip
