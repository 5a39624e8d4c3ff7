"""Framework agreements as CSV (`stagebot import agreements FILE.csv`), keyed by institution and start.

Each row is an agreement the university already has with an institution; an imported agreement is signed
by both parties. Importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from models.agreements import FrameworkAgreement, FrameworkStatus, framework_signed
from models.csv_import import Columns, ImportResult, Problems, Row, assign, read_rows, write_rows
from models.db import utcnow
from models.schools import Institution, by_code

COLUMNS = Columns(
    names=("institution", "valid_from", "valid_until", "signed_on"),
    required=frozenset({"institution", "valid_from"}),
)


@dataclass(frozen=True)
class _AgreementRow:
    line: int
    institution: Institution | None
    valid_from: date | None
    valid_until: date | None
    signed_on: date | None


def parse_date(row: Row, column: str, problems: Problems, *, required: bool) -> date | None:
    """A day written as YYYY-MM-DD (or DD/MM/YYYY, as Belgian spreadsheets write it)."""
    value = row.value(column)
    if not value:
        if required:
            problems.add(row.line, "import.row.missing_value", column=column)
        return None
    try:
        if "/" in value:
            day, month, year = (int(part) for part in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        problems.add(row.line, "agreements.import.bad_date", column=column, value=value)
        return None


def import_agreements(session: Session, text: str) -> ImportResult:
    """Create or update framework agreements; raises ``ImportRefused`` and changes nothing on any problem."""
    problems = Problems()
    rows = read_rows(text, COLUMNS, problems)
    schools = by_code(session, {row.value("institution") for row in rows if row.value("institution")})
    parsed = [_validate(row, schools, problems) for row in rows]
    seen: dict[tuple[int, date], int] = {}
    for item in parsed:
        if item.institution is not None and item.valid_from is not None:
            key = (item.institution.id or 0, item.valid_from)
            if key in seen:
                problems.add(
                    item.line,
                    "import.row.duplicate_key",
                    column="institution+valid_from",
                    value=f"{item.institution.code} {item.valid_from.isoformat()}",
                    first_line=seen[key],
                )
            seen[key] = item.line
    problems.raise_if_any()

    existing = {
        (a.institution_id, a.valid_from): a
        for a in session.exec(
            select(FrameworkAgreement).where(
                col(FrameworkAgreement.institution_id).in_([i.id for i in schools.values()])
            )
        )
    }
    created = updated = 0
    for item in parsed:
        assert item.institution is not None and item.institution.id is not None and item.valid_from
        signed = item.signed_on or item.valid_from
        agreement = existing.get((item.institution.id, item.valid_from))
        if agreement is None:
            session.add(
                FrameworkAgreement(
                    institution_id=item.institution.id,
                    valid_from=item.valid_from,
                    valid_until=item.valid_until,
                    status=FrameworkStatus.SIGNED.value,
                    school_signed_on=signed,
                    university_signed_on=signed,
                    created_at=utcnow(),
                )
            )
            created += 1
            continue
        changes = [
            assign(agreement, "valid_until", item.valid_until),
            assign(agreement, "school_signed_on", agreement.school_signed_on or signed),
            assign(agreement, "university_signed_on", agreement.university_signed_on or signed),
        ]
        if framework_signed(agreement):
            changes.append(assign(agreement, "status", FrameworkStatus.SIGNED.value))
        if any(changes):
            session.add(agreement)
            updated += 1
    session.flush()
    return ImportResult(created, updated)


def export_agreements(session: Session) -> str:
    rows = session.exec(
        select(Institution.code, FrameworkAgreement)
        .join(Institution, col(Institution.id) == col(FrameworkAgreement.institution_id))
        .order_by(col(Institution.code), col(FrameworkAgreement.valid_from))
    )
    return write_rows(
        COLUMNS,
        (
            [
                code,
                a.valid_from.isoformat(),
                a.valid_until.isoformat() if a.valid_until else "",
                a.university_signed_on.isoformat() if framework_signed(a) and a.university_signed_on else "",
            ]
            for code, a in rows
        ),
    )


def _validate(row: Row, schools: dict[str, Institution], problems: Problems) -> _AgreementRow:
    code = row.value("institution")
    institution = schools.get(code)
    if not code:
        problems.add(row.line, "import.row.missing_value", column="institution")
    elif institution is None:
        problems.add(row.line, "agreements.import.unknown_institution", value=code)
    valid_from = parse_date(row, "valid_from", problems, required=True)
    valid_until = parse_date(row, "valid_until", problems, required=False)
    signed_on = parse_date(row, "signed_on", problems, required=False)
    if valid_from and valid_until and valid_until < valid_from:
        problems.add(row.line, "agreements.import.dates_order")
    return _AgreementRow(row.line, institution, valid_from, valid_until, signed_on)
