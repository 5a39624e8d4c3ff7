"""Schools (stageplaatsen) in and out as CSV, keyed by their code; see docs/csv-formats.md."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

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
from models.schools import GRADES, SECONDARY_LEVELS, Institution, Level, all_institutions, by_code

COLUMNS = Columns(
    names=(
        "code",
        "name",
        "city",
        "levels",
        "grades",
        "lerarenstage",
        "contact_name",
        "contact_email",
        "contact_phone",
    ),
    required=frozenset({"code", "name", "city"}),
)

LEVEL_ALIASES: dict[str, Level] = {
    **{level.value: level for level in Level},
    "special": Level.SPECIAL_SECONDARY,
    "buso": Level.SPECIAL_SECONDARY,
    "buitengewoon_secundair": Level.SPECIAL_SECONDARY,
    "buitengewoon_secundair_onderwijs": Level.SPECIAL_SECONDARY,
    "sense": Level.SE_N_SE,
    "hbo5": Level.HBO,
    "hoger": Level.HIGHER_ADULT,
    "hoger_onderwijs": Level.HIGHER_ADULT,
    "volwassenen": Level.HIGHER_ADULT,
    "volwassenenonderwijs": Level.HIGHER_ADULT,
    "hoger_en_volwassenen": Level.HIGHER_ADULT,
    "hoger_en_volwassenenonderwijs": Level.HIGHER_ADULT,
    "cvo": Level.HIGHER_ADULT,
    "alternatief": Level.ALTERNATIVE,
    "alternatieve_stage": Level.ALTERNATIVE,
}
LEVEL_ORDER = {level: index for index, level in enumerate(Level)}

_table = Institution.__table__.c  # type: ignore[attr-defined]
LIMITS = {
    name: max_length(_table[name])
    for name in ("code", "name", "city", "contact_name", "contact_email", "contact_phone")
}


@dataclass
class _SchoolRow:
    """A validated row; None means "column not in the file": keep what is stored."""

    code: str
    name: str
    city: str
    levels: list[str] | None
    grades: list[int] | None
    uses_lerarenstage: bool | None
    contacts: dict[str, str | None]


def import_schools(session: Session, text: str) -> ImportResult:
    """Create or update the schools in ``text``; schools not in the file are left alone.

    Raises ``ImportRefused`` with every problem of the file, and then nothing has changed.
    """
    problems = Problems()
    rows = read_rows(text, COLUMNS, problems)
    check_unique(rows, "code", problems)
    existing = by_code(session, {row.value("code") for row in rows if row.value("code")})
    parsed = [_validate(row, existing.get(row.value("code")), problems) for row in rows]
    problems.raise_if_any()

    created = updated = 0
    for school in parsed:
        institution = existing.get(school.code)
        if institution is None:
            institution = Institution(code=school.code, name=school.name, city=school.city)
            _apply(institution, school)
            session.add(institution)
            created += 1
        elif _apply(institution, school):
            session.add(institution)
            updated += 1
    session.flush()
    return ImportResult(created, updated)


def export_schools(session: Session) -> str:
    """Every school in the import format, by code; importing it again changes nothing."""
    return write_rows(
        COLUMNS,
        (
            [
                school.code,
                school.name,
                school.city,
                ";".join(school.levels),
                ";".join(str(grade) for grade in school.grades),
                format_bool(school.uses_lerarenstage),
                school.contact_name or "",
                school.contact_email or "",
                school.contact_phone or "",
            ]
            for school in all_institutions(session)
        ),
    )


def _validate(row: Row, stored: Institution | None, problems: Problems) -> _SchoolRow:
    code = required_text(row, "code", LIMITS["code"], problems)
    name = required_text(row, "name", LIMITS["name"], problems)
    city = required_text(row, "city", LIMITS["city"], problems)
    before = len(problems.items)
    levels = _parse_levels(row, problems)
    grades = _parse_grades(row, problems)
    if len(problems.items) == before:  # after an unknown level or grade, this rule would only add noise
        _check_grades_fit_levels(row, levels, grades, stored, problems)

    contacts: dict[str, str | None] = {
        "contact_email": optional_email(row, "contact_email", LIMITS["contact_email"], problems)
    }
    for column in ("contact_name", "contact_phone"):
        value = row.get(column)
        if value:
            check_length(row, column, value, LIMITS[column], problems)
        contacts[column] = value
    return _SchoolRow(code, name, city, levels, grades, parse_bool(row, "lerarenstage", problems), contacts)


def _check_grades_fit_levels(
    row: Row,
    levels: list[str] | None,
    grades: list[int] | None,
    stored: Institution | None,
    problems: Problems,
) -> None:
    """Grades feed the 2nd/3rd-grade rule: a secondary school needs them, other schools have none."""
    levels = levels if levels is not None else (stored.levels if stored else [])
    grades = grades if grades is not None else (stored.grades if stored else [])
    secondary = any(level in SECONDARY_LEVELS for level in levels)
    if secondary and not grades:
        problems.add(row.line, "import.row.grades_required")
    if grades and not secondary:
        problems.add(row.line, "import.row.grades_not_secondary")


def _parse_levels(row: Row, problems: Problems) -> list[str] | None:
    """Canonical level values in a fixed order, so an export reads back as the same list."""
    value = row.get("levels")
    if value is None:
        return None
    levels: set[Level] = set()
    for item in split_list(value):
        level = LEVEL_ALIASES.get(fold(item))
        if level is None:
            problems.add(row.line, "import.row.unknown_level", value=item)
        else:
            levels.add(level)
    return [level.value for level in sorted(levels, key=LEVEL_ORDER.__getitem__)]


def _parse_grades(row: Row, problems: Problems) -> list[int] | None:
    value = row.get("grades")
    if value is None:
        return None
    grades: set[int] = set()
    for item in split_list(value):
        if item.isdigit() and int(item) in GRADES:
            grades.add(int(item))
        else:
            problems.add(row.line, "import.row.unknown_grade", value=item)
    return sorted(grades)


def _apply(institution: Institution, school: _SchoolRow) -> bool:
    """Copy the row onto the record; True when anything changed."""
    wanted: dict[str, object] = {"name": school.name, "city": school.city}
    if school.levels is not None:
        wanted["levels"] = school.levels
    if school.grades is not None:
        wanted["grades"] = school.grades
    if school.uses_lerarenstage is not None:
        wanted["uses_lerarenstage"] = school.uses_lerarenstage
    for column, value in school.contacts.items():
        if value is not None:
            wanted[column] = value or None
    changes = [assign(institution, attribute, value) for attribute, value in wanted.items()]
    return any(changes)
