"""The cohort as sheets: one per view (steps, placements, plannings, documents, agreements, LIO), each
read with a fixed number of statements whatever the cohort size, and written as .xlsx or CSV.

Values that need words (a step's state, a status code, a column's header) are message keys passed through
the caller's `label`, so the same sheets come out in Dutch or English; dates stay real dates.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import cast
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Table, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from models.agreements import DigitalContract, FrameworkAgreement
from models.catalogue import Catalogue
from models.csv_import import neutralise
from models.documents import Document, DocumentConfig, DocumentDecision
from models.lio import LioApplication, ReductionRequest
from models.people import Person, Student
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.progress import Step, StepProgress, StepState
from models.schools import Institution

Cell = str | int | float | bool | date | datetime | None
Label = Callable[[str], str]  # a message key -> its text in the reader's language
Progress = Callable[[int, int], None]  # (sheets done, sheets in all)

TEXT, NUMBER, DAY, MOMENT, YES_NO, KEYED = "text", "number", "date", "datetime", "bool", "keyed"
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
APPROVED_VERSIONS = ("approved", "superseded")  # a superseded version was approved, then replaced
SHEET_KEYS = ("steps", "placements", "plannings", "documents", "agreements", "lio")


@dataclass(frozen=True)
class Column:
    key: str  # its header: the message key export.column.<key>
    kind: str = TEXT  # KEYED: the cell is a message key, shown as its text
    width: int = 14


@dataclass
class Sheet:
    key: str  # its title: the message key export.sheet.<key>
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What reading the sheets needs besides the session: names in the reader's language, the time zone
    the moments are shown in, and (optionally) the students to keep."""

    catalogue: Catalogue
    documents: DocumentConfig
    language: str
    timezone: str
    student_ids: frozenset[int] | None = None


def _table(model: type[SQLModel]) -> Table:
    """A model's table, to read its rows as plain tuples (much cheaper than ORM objects by the thousand)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]  # set on table models


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Spreadsheets know no time zones: the wall-clock time where the programme is."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def value_key(code: str | None) -> str | None:
    return f"export.value.{code}" if code else None


def _students(session: Session, ctx: Context) -> dict[int, tuple[str, str, str, str]]:
    """Every student (or the chosen ones): id -> (name, Slack id, subject X, subject Y), in name order."""
    query = (
        select(Person, Student)
        .join(Student, col(Student.person_id) == col(Person.id))
        .order_by(col(Person.name), col(Person.id))
    )
    return {
        student.person_id: (person.name, person.slack_user_id, student.subject_x, student.subject_y)
        for person, student in session.exec(query)
        if ctx.student_ids is None or student.person_id in ctx.student_ids
    }


def _schools(session: Session) -> dict[int, tuple[str, str]]:
    return {i.id or 0: (i.code, i.name) for i in session.exec(select(Institution))}


def _order(students: dict[int, tuple[str, str, str, str]]) -> dict[int, int]:
    return {sid: n for n, sid in enumerate(students)}


def steps_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    tz = ZoneInfo(ctx.timezone)
    columns = [Column("student", width=28), Column("slack_id"), Column("subject_x"), Column("subject_y")]
    for number in Step:
        columns += [Column(f"step{int(number)}", KEYED, 16), Column(f"step{int(number)}_date", MOMENT, 17)]
    states: dict[int, dict[int, tuple[str, datetime | None]]] = {sid: {} for sid in students}
    moment: datetime | None
    for sid, step, state, moment in session.exec(
        select(StepProgress.student_id, StepProgress.step, StepProgress.state, StepProgress.updated_at)
    ):
        if sid in states:
            states[sid][step] = (state, moment)
    sheet = Sheet("steps", columns)
    for sid, (name, slack_id, x, y) in students.items():
        row: list[Cell] = [name, slack_id, x, y]
        for number in Step:
            state, updated = states[sid].get(int(number), (StepState.NOT_STARTED.value, None))
            row += [f"state.{state}", _local(updated, tz)]
        sheet.rows.append(row)
    return sheet


def placements_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    tz = ZoneInfo(ctx.timezone)
    schools, order = _schools(session), _order(students)
    columns = [
        Column("student", width=28), Column("school_code", width=10), Column("school", width=30),
        Column("course", width=30), Column("activities", width=30), Column("semester", NUMBER, 9),
        Column("start", DAY, 12), Column("end", DAY, 12), Column("hours", NUMBER, 8),
        Column("level", width=10), Column("grade", NUMBER, 8), Column("status", KEYED, 14),
        Column("approval", KEYED, 14),
        Column("request", KEYED, 14), Column("answer", KEYED, 14), Column("placed_at", MOMENT, 17),
    ]  # fmt: skip
    rows = [p for p in session.execute(sa_select(_table(Placement))) if p.student_id in students]
    rows.sort(key=lambda p: (order[p.student_id], p.semester, p.start, p.id or 0))
    sheet = Sheet("placements", columns)
    for p in rows:  # table rows, not ORM objects: a cohort of 3,000 has some 18,000 placements
        course = ctx.catalogue.course(p.course_code)
        code, school = schools.get(p.institution_id, ("", ""))
        sheet.rows.append([
            students[p.student_id][0], code, school,
            course.name.get(ctx.language, p.course_code) if course else p.course_code,
            ", ".join(p.activities), p.semester, p.start, p.end, p.hours, p.level, p.grade,
            value_key(p.status), value_key(p.approval), value_key(p.request_channel), value_key(p.answer),
            _local(p.placed_at, tz),
        ])  # fmt: skip
    return sheet


def plannings_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    """One row per version of a planning: its lessons (how many, first and last day) and its decision."""
    tz = ZoneInfo(ctx.timezone)
    schools, order = _schools(session), _order(students)
    columns = [
        Column("student", width=28), Column("school", width=30), Column("course", width=30),
        Column("version", NUMBER, 8), Column("status", KEYED, 16), Column("lessons", NUMBER, 8),
        Column("first_lesson", DAY, 12), Column("last_lesson", DAY, 12), Column("submitted_at", MOMENT, 17),
        Column("late", YES_NO, 8), Column("approved", YES_NO, 10), Column("decided_at", MOMENT, 17),
    ]  # fmt: skip
    lessons = {
        int(vid): (n, first, last)
        for vid, n, first, last in session.exec(
            select(
                PlannedLesson.version_id,
                func.count(),
                func.min(PlannedLesson.day),
                func.max(PlannedLesson.day),
            ).group_by(col(PlannedLesson.version_id))
        )
    }
    placement = _table(Placement)
    query = sa_select(_table(PlanningVersion), placement.c.institution_id, placement.c.course_code).join(
        placement, placement.c.id == _table(PlanningVersion).c.placement_id
    )
    rows = [r for r in session.execute(query) if r.student_id in students]
    rows.sort(key=lambda r: (order[r.student_id], r.placement_id, r.number))
    sheet = Sheet("plannings", columns)
    for version in rows:
        institution_id, course_code = version.institution_id, version.course_code
        course = ctx.catalogue.course(course_code)
        count, first, last = lessons.get(version.id or 0, (0, None, None))
        sheet.rows.append([
            students[version.student_id][0], schools.get(institution_id, ("", ""))[1],
            course.name.get(ctx.language, course_code) if course else course_code,
            version.number, value_key(version.status), count, _day(first), _day(last),
            _local(version.submitted_at, tz), version.late,
            version.status in APPROVED_VERSIONS,
            _local(version.decided_at, tz),
        ])  # fmt: skip
    return sheet


def _day(value: date | str | None) -> date | None:
    """An aggregate over a date column comes back as text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def documents_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    """Every version of every document with its decision: what and when, never the contents."""
    tz = ZoneInfo(ctx.timezone)
    order = _order(students)
    names = {t.code: t.name.get(ctx.language) or t.code for t in ctx.documents.types}
    columns = [
        Column("student", width=28), Column("document", width=30), Column("version", NUMBER, 8),
        Column("status", KEYED, 16), Column("format", width=8), Column("issue_date", DAY, 12),
        Column("uploaded_at", MOMENT, 17), Column("decided_at", MOMENT, 17),
        Column("expires_too_soon", YES_NO, 10),
    ]  # fmt: skip
    document, decision = _table(Document), _table(DocumentDecision)
    query = sa_select(document, decision.c.decided_at).outerjoin(
        decision, decision.c.document_id == document.c.id
    )
    rows = [r for r in session.execute(query) if r.student_id in students]
    rows.sort(key=lambda r: (order[r.student_id], r.type_code, r.version))
    sheet = Sheet("documents", columns)
    for doc in rows:
        decided_at = doc.decided_at
        sheet.rows.append([
            students[doc.student_id][0], names.get(doc.type_code, doc.type_code), doc.version,
            value_key(doc.status), doc.kind, doc.issue_date, _local(doc.uploaded_at, tz),
            _local(decided_at, tz), doc.expires_too_soon,
        ])  # fmt: skip
    return sheet


def agreements_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    """Framework agreements per institution, then each student's lerarenstage.be contract."""
    schools, order = _schools(session), _order(students)
    columns = [
        Column("kind", KEYED, 16), Column("school_code", width=10), Column("school", width=30),
        Column("student", width=28), Column("valid_from", DAY, 12), Column("valid_until", DAY, 12),
        Column("status", KEYED, 12), Column("sent_on", DAY, 12), Column("student_signed_on", DAY, 12),
        Column("school_signed_on", DAY, 12), Column("university_signed_on", DAY, 12),
    ]  # fmt: skip
    sheet = Sheet("agreements", columns)
    frameworks = list(session.exec(select(FrameworkAgreement)))
    frameworks.sort(key=lambda a: (schools.get(a.institution_id, ("", ""))[0], a.valid_from, a.id or 0))
    for a in frameworks:
        code, name = schools.get(a.institution_id, ("", ""))
        sheet.rows.append([
            "export.value.framework", code, name, None, a.valid_from, a.valid_until, value_key(a.status),
            a.sent_on, None, a.school_signed_on, a.university_signed_on,
        ])  # fmt: skip
    contracts = [c for c in session.exec(select(DigitalContract)) if c.student_id in students]
    contracts.sort(key=lambda c: (order[c.student_id], c.start, c.id or 0))
    for c in contracts:
        code, name = schools.get(c.institution_id, ("", ""))
        signed = all((c.student_signed_on, c.school_signed_on, c.university_signed_on))
        sheet.rows.append([
            "export.value.contract", code, name, students[c.student_id][0], c.start, c.end,
            "export.value.signed" if signed else "export.value.unsigned", None, c.student_signed_on,
            c.school_signed_on, c.university_signed_on,
        ])  # fmt: skip
    return sheet


def lio_sheet(session: Session, ctx: Context, students: dict[int, tuple[str, str, str, str]]) -> Sheet:
    """Every LIO application with the counsellor's decision and the latest reduction request."""
    tz = ZoneInfo(ctx.timezone)
    order = _order(students)
    columns = [
        Column("student", width=28), Column("employer", width=28), Column("level", width=14),
        Column("teacher_hours", NUMBER, 10), Column("grades_2_3_hours", NUMBER, 10),
        Column("subject_x_hours", NUMBER, 10), Column("subject_y_hours", NUMBER, 10),
        Column("job_start", DAY, 12), Column("job_end", DAY, 12), Column("status", KEYED, 14),
        Column("submitted_at", MOMENT, 17), Column("decided_at", MOMENT, 17), Column("reduction", KEYED, 14),
    ]  # fmt: skip
    reductions: dict[int, str] = {}
    for r in session.exec(select(ReductionRequest).order_by(col(ReductionRequest.submitted_at))):
        reductions[r.application_id] = r.status  # the newest stays
    applications = [a for a in session.exec(select(LioApplication)) if a.student_id in students]
    applications.sort(key=lambda a: (order[a.student_id], a.submitted_at))
    sheet = Sheet("lio", columns)
    for a in applications:
        sheet.rows.append([
            students[a.student_id][0], a.employer, a.level, a.teacher_hours, a.grades_2_3_hours,
            a.subject_x_hours, a.subject_y_hours, a.job_start, a.job_end, value_key(a.status),
            _local(a.submitted_at, tz), _local(a.decided_at, tz), value_key(reductions.get(a.id or 0)),
        ])  # fmt: skip
    return sheet


READERS = (steps_sheet, placements_sheet, plannings_sheet, documents_sheet, agreements_sheet, lio_sheet)


def cohort_sheets(session: Session, ctx: Context, progress: Progress | None = None) -> list[Sheet]:
    """The six sheets; `progress` hears after each one (for a message updated while a big cohort is read)."""
    students = _students(session, ctx)
    sheets = []
    for n, reader in enumerate(READERS, start=1):
        sheets.append(reader(session, ctx, students))
        if progress is not None:
            progress(n, len(READERS) + 1)
    return sheets


def list_sheet(rows: Iterable[tuple[str, str, str]]) -> Sheet:
    """The students a question found: name, Slack id and what the answer said of each."""
    sheet = Sheet("list", [Column("student", width=28), Column("slack_id"), Column("detail", width=50)])
    sheet.rows = [list(r) for r in rows]
    return sheet


# --- writing ------------------------------------------------------------------------------------------------


def _shown(column: Column, value: Cell, label: Label) -> Cell:
    if column.kind == KEYED:
        return label(str(value)) if value else None
    if column.kind == YES_NO:
        return label("export.value.yes" if value else "export.value.no")
    return value


def to_xlsx(sheets: list[Sheet], label: Label) -> bytes:
    """A workbook: bold frozen header row, a filter over every column, widths set, dates as dates.

    openpyxl writes the workbook (sheets, header, styles, views, filters) with one sample row whose date
    cells give the style ids; the data rows then replace that row as XML written here, because openpyxl
    builds an object per cell and takes tens of seconds for a cohort of thousands (bench/README.md)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(label(f"export.sheet.{sheet.key}")[:31])
        ws.freeze_panes = "A2"
        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        for n, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(n)].width = column.width
            ws.cell(row=1, column=n, value=label(f"export.column.{column.key}")).font = bold
        ws.cell(row=2, column=1, value=date(2000, 1, 1)).number_format = DATE_FORMAT
        ws.cell(row=2, column=2, value=datetime(2000, 1, 1)).number_format = DATETIME_FORMAT
    out = io.BytesIO()
    book.save(out)
    return _with_rows(out.getvalue(), sheets, label)


_SAMPLE_ROW = re.compile(r"<row r=\"2\"[^>]*>.*?</row>", re.S)
_DIMENSION = re.compile(r"<dimension ref=\"[^\"]*\"\s*/>")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)


def _style(row_xml: str, ref: str) -> str:
    found = re.search(rf"<c r=\"{ref}\"[^>]*?\ss=\"(\d+)\"", row_xml)
    return found[1] if found else "0"


def _with_rows(workbook: bytes, sheets: list[Sheet], label: Label) -> bytes:
    """The workbook with each sheet's sample row replaced by its data rows."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet") and item.filename.endswith(".xml"):
                number = int(item.filename.removeprefix("xl/worksheets/sheet").removesuffix(".xml"))
                data = _sheet_xml(data.decode("utf-8"), sheets[number - 1], label).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _sheet_xml(xml: str, sheet: Sheet, label: Label) -> str:
    sample = _SAMPLE_ROW.search(xml)
    assert sample is not None, "the sample row is where the data goes"
    styles = {DAY: _style(sample[0], "A2"), MOMENT: _style(sample[0], "B2")}
    letters = [get_column_letter(n) for n in range(1, len(sheet.columns) + 1)]
    rows = []
    for r, row in enumerate(sheet.rows, start=2):
        cells = []
        for letter, column, value in zip(letters, sheet.columns, row, strict=True):
            cell = _xml_cell(f"{letter}{r}", _shown(column, value, label), styles.get(column.kind))
            if cell:
                cells.append(cell)
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    last = f"{letters[-1]}{len(sheet.rows) + 1}"
    xml = xml[: sample.start()] + "".join(rows) + xml[sample.end() :]
    return _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', xml, count=1)


def _xml_cell(ref: str, value: Cell, style: str | None) -> str:
    """One cell as SpreadsheetML: text inline (never a formula), numbers, and dates as serial numbers in
    the date style (so a spreadsheet sorts and filters them as dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{style or 0}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style or 0}"><v>{(value - _EPOCH.date()).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = xml_escape(_ILLEGAL.sub("", value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def to_csv(sheet: Sheet, label: Label) -> str:
    """One sheet as CSV: ISO dates, and cells a spreadsheet would run as a formula neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label(f"export.column.{c.key}") for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(_shown(c, v, label)) for c, v in zip(sheet.columns, row, strict=True)])
    return buffer.getvalue()


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_name(sheet: Sheet) -> str:
    return f"{sheet.key}.csv"


def write_csv_dir(sheets: list[Sheet], label: Label, target: Path) -> list[Path]:
    """The sheets as one CSV file each in `target` (made if missing), named by sheet."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in sheets:
        path = target / csv_name(sheet)
        path.write_text(to_csv(sheet, label), encoding="utf-8")
        written.append(path)
    return written
