"""The planning as a spreadsheet: the template the bot hands out (.xlsx) and reading it back (.xlsx or .csv).

Every row becomes one line of the preview, numbered as in the spreadsheet, with the same problems as a
typed line; cells may hold real dates and times (Excel) or text ("15/2", "10u", "10:00").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from models.date_text import LineProblem, read_date
from models.lesson_text import ACTIVITY_WORDS, BellSchedule, LessonReading, LineReading, parse_clock

# column -> the names a header may use (Dutch first, as in the template)
COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("datum", "date", "dag", "day"),
    "start": ("van", "start", "begin", "from"),
    "end": ("tot", "einde", "end", "to", "until"),
    "activity": ("activiteit", "activity"),
    "class_name": ("klas", "class"),
    "room": ("lokaal", "room"),
    "topic": ("onderwerp", "topic", "lesonderwerp"),
    "mentor": ("mentor", "vakmentor"),
}
TEMPLATE_HEADERS = ["datum", "van", "tot", "activiteit", "klas", "lokaal", "onderwerp", "mentor"]
EXAMPLE_ROW = ["15/02/2027", "10:00", "10:50", "begeleid", "5B", "204", "breuken", "An Peeters"]
MAX_ROWS = 500


class SheetError(Exception):
    """The file as a whole cannot be read; ``key`` says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Sheet:
    """The rows under the header, each with its row number in the file."""

    rows: list[tuple[int, dict[str, Any]]]


def template() -> bytes:
    """The .xlsx the student fills in: one header row and one example row to overwrite."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "planning"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(EXAMPLE_ROW)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (12, 8, 8, 14, 8, 8, 30, 20), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(filename: str, content: bytes) -> Sheet:
    """The rows of an .xlsx (first sheet) or a .csv (comma or semicolon, UTF-8 with or without BOM)."""
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SheetError("planning.sheet.encoding") from error
        dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        table: list[list[Any]] = list(csv.reader(io.StringIO(text), delimiter=dialect))
    else:
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise SheetError("planning.sheet.unreadable") from error
    if not table:
        raise SheetError("planning.sheet.empty")
    columns = _columns(table[0])
    if not {"day", "start", "end"} <= set(columns.values()):
        raise SheetError("planning.sheet.header")
    rows = []
    for number, row in enumerate(table[1 : MAX_ROWS + 1], start=2):
        values = {name: row[i] if i < len(row) else None for i, name in columns.items()}
        if any(v not in (None, "") for v in values.values()):
            rows.append((number, values))
    return Sheet(rows)


def _columns(header: list[Any]) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(header):
        name = str(cell or "").strip().lower()
        for column, names in COLUMNS.items():
            if name in names and column not in found.values():
                found[i] = column
    return found


def readings(
    sheet: Sheet,
    today: date,
    bells: BellSchedule | None = None,
    day_text: Callable[[date], str] | None = None,
) -> list[LineReading]:
    """Each row read as a lesson; `day_text` writes a date cell in the reader's locale when the row is
    echoed in the preview (by default day/month/year)."""
    return [_reading(number, values, today, day_text or _day_text) for number, values in sheet.rows]


def _day_text(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value or "").strip()


def _echo(column: str, value: Any, day_text: Callable[[date], str]) -> str:
    """A cell as the preview repeats it: a date cell (a spreadsheet keeps it as a date at midnight) as the
    date alone, a time cell as the time alone."""
    if column == "day" and isinstance(value, date):
        return day_text(value.date() if isinstance(value, datetime) else value)
    if column in ("start", "end") and isinstance(value, datetime):
        return value.strftime("%H:%M")
    return _cell_text(value)


def _reading(
    number: int, values: dict[str, Any], today: date, day_text: Callable[[date], str]
) -> LineReading:
    line = " | ".join(
        _echo(c, values.get(c), day_text)
        for c in ("day", "start", "end", "class_name", "topic")
        if values.get(c)
    )
    raw_day = values.get("day")
    if isinstance(raw_day, datetime):
        day: date | LineProblem = raw_day.date()
    elif isinstance(raw_day, date):
        day = raw_day
    else:
        day = read_date(_cell_text(raw_day), today)
    if isinstance(day, LineProblem):
        return LineReading(number, line, None, day.code, dict(day.detail))
    start, end = _cell_time(values.get("start")), _cell_time(values.get("end"))
    if start is None or end is None:
        return LineReading(number, line, None, "bad_time")
    if end <= start:
        return LineReading(number, line, None, "end_before_start")
    activity_text = _cell_text(values.get("activity")).lower()
    activity = ACTIVITY_WORDS.get(activity_text) or (activity_text.replace("-", "_") or None)
    class_name = _cell_text(values.get("class_name"))[:40]
    year_match = re.match(r"^([1-7])", class_name)
    level = next((lv for lv in ("aso", "bso", "tso", "kso") if lv in class_name.lower()), None)
    year = int(year_match[1]) if year_match else None
    return LineReading(
        number,
        line,
        LessonReading(
            day=day,
            start=start,
            end=end,
            class_name=class_name,
            year=year,
            level=level,
            room=_cell_text(values.get("room"))[:40],
            topic=_cell_text(values.get("topic"))[:200],
            activity=activity,
            mentor=_cell_text(values.get("mentor"))[:120],
        ),
    )


def _cell_time(value: Any) -> time | None:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    return parse_clock(_cell_text(value))
