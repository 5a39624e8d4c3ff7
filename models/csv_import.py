"""The one way to bring CSV files in and out: read, validate everything, then change all or nothing.

An importer reads the rows with ``read_rows``, checks every row against the file and the database while
collecting ``RowProblem``s, calls ``Problems.raise_if_any`` and only then changes the caller's session.
A coordinator fixing a spreadsheet wants every mistake at once, and a half-imported cohort is worse than
none. Problems are i18n keys with parameters: rendering is the caller's job, with ``line`` passed next to
``params`` (``t(problem.key, line=problem.line, **problem.params)``).

Header columns are matched case-insensitively and in any order. A required column must be in the header;
an optional column may be left out, and then ``Row.get`` answers None so the importer keeps the stored
value (a present but empty cell answers "" and clears it).

Exported cells that a spreadsheet program would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are written with a single quote in front (``neutralise``), as those programs
expect; reading a file takes one such quote off again (``restore``), so an exported file imports back to
the values it was made from.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column


@dataclass(frozen=True)
class RowProblem:
    """One reason to refuse a file; ``line`` is 1-based and counts the header as line 1."""

    line: int
    key: str
    params: dict[str, str] = field(default_factory=dict)


class ImportRefused(Exception):
    """Nothing was imported; ``problems`` says why, in file order."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s), nothing imported")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    """Rows that made a new record and rows that changed an existing one (unchanged rows count in neither)."""

    created: int
    updated: int


@dataclass(frozen=True)
class Columns:
    """The header of a format: every column in export order, and those an imported file must have."""

    names: tuple[str, ...]
    required: frozenset[str]


@dataclass(frozen=True)
class Row:
    """One data record: trimmed cell values by (lower-case) column name."""

    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str | None:
        """The cell, "" when empty, None when the column is not in the file at all."""
        return self.values.get(column)

    def value(self, column: str) -> str:
        return self.values.get(column, "")


class Problems:
    """Collects problems so that a file is judged as a whole before anything is stored."""

    def __init__(self) -> None:
        self.items: list[RowProblem] = []

    def add(self, line: int, key: str, **params: Any) -> None:
        self.items.append(RowProblem(line, key, {name: str(value) for name, value in params.items()}))

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRefused(sorted(self.items, key=lambda problem: problem.line))


LIST_SEPARATORS = re.compile(r"[;|]")
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")  # quotes already in front are kept, plus one more
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE_WORDS = frozenset({"yes", "ja", "true", "1", "y", "j"})
FALSE_WORDS = frozenset({"no", "nee", "false", "0", "n"})


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark (what spreadsheet programs write)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused([RowProblem(1, "import.file.not_utf8")]) from error


def read_rows(text: str, columns: Columns, problems: Problems) -> list[Row]:
    """The data rows of a CSV text; a bad header refuses the file at once, since no row can be read then.

    The delimiter (comma or semicolon) is whichever occurs more often on the header line, so files saved
    by a Dutch-locale spreadsheet work too. Blank rows are skipped; line numbers stay those of the file.
    """
    text = text.removeprefix("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    last_line = 0
    for record in _records(reader):
        line, last_line = last_line + 1, reader.line_num
        if header is None:
            if not any(cell.strip() for cell in record):
                continue
            header = [name.strip().lower() for name in record]
            while not header[-1]:
                header.pop()
            _check_header(line, header, columns)
            continue
        cells = [restore(cell.strip()) for cell in record]
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            problems.add(line, "import.row.too_many_values", count=len(header))
        cells += [""] * (len(header) - len(cells))
        rows.append(Row(line, dict(zip(header, cells, strict=False))))
    if header is None:
        raise ImportRefused([RowProblem(1, "import.file.empty")])
    return rows


def _records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; a file the CSV reader cannot take (a cell beyond its size limit, a NUL byte)
    is refused with the line where it stopped, not a traceback."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = max(reader.line_num, 1)
            if "field larger than field limit" in str(error):
                raise ImportRefused(
                    [RowProblem(line, "import.row.cell_too_large", {"max": str(csv.field_size_limit())})]
                ) from error
            raise ImportRefused([RowProblem(line, "import.file.not_csv")]) from error
        yield record


def _check_header(line: int, header: list[str], columns: Columns) -> None:
    found = Problems()
    seen: set[str] = set()
    for name in header:
        if name in seen:
            found.add(line, "import.header.duplicate_column", column=name)
        elif name not in columns.names:
            found.add(line, "import.header.unknown_column", column=name, expected=", ".join(columns.names))
        seen.add(name)
    for name in columns.names:
        if name in columns.required and name not in seen:
            found.add(line, "import.header.missing_column", column=name)
    found.raise_if_any()


def write_rows(columns: Columns, rows: Iterable[Sequence[str]]) -> str:
    """CSV text with every column, comma-separated, which ``read_rows`` reads back unchanged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns.names)
    writer.writerows([neutralise(str(cell)) for cell in row] for row in rows)
    return buffer.getvalue()


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+SUM", "-2+3", "@SUM", a leading
    tab or carriage return), with a single quote in front; a cell already starting with quotes before such
    a character gets one more, so that ``restore`` gives every value back exactly."""
    return "'" + cell if FORMULA_START.match(cell) else cell


def restore(cell: str) -> str:
    """The value ``neutralise`` was given: one leading quote off a cell it would have quoted."""
    return cell[1:] if cell.startswith("'") and FORMULA_START.match(cell[1:]) else cell


def split_list(value: str) -> list[str]:
    """The items of a list cell ("a; b|c"), trimmed, empty ones dropped, first occurrence kept."""
    return list(dict.fromkeys(item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()))


def fold(value: str) -> str:
    """A lookup form of a word: lower case, no accents, spaces and hyphens as underscores."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[\s\-]+", "_", plain.strip().lower())


def max_length(column: Column[Any]) -> int | None:
    """The length limit of a model's string column, so a long cell is a row problem, not a database error."""
    length = getattr(column.type, "length", None)
    return length if isinstance(length, int) else None


def check_unique(rows: Iterable[Row], column: str, problems: Problems) -> None:
    """A key may occur once in a file: a second row would silently overwrite the first."""
    first_seen: dict[str, int] = {}
    for row in rows:
        value = row.value(column)
        if not value:
            continue
        if value in first_seen:
            problems.add(
                row.line, "import.row.duplicate_key", column=column, value=value, first_line=first_seen[value]
            )
        else:
            first_seen[value] = row.line


def required_text(row: Row, column: str, limit: int | None, problems: Problems) -> str:
    """A cell that must be filled (and fit its column)."""
    value = row.value(column)
    if not value:
        problems.add(row.line, "import.row.missing_value", column=column)
    else:
        check_length(row, column, value, limit, problems)
    return value


def check_length(row: Row, column: str, value: str, limit: int | None, problems: Problems) -> None:
    if limit is not None and len(value) > limit:
        problems.add(row.line, "import.row.too_long", column=column, max=limit)


def optional_email(row: Row, column: str, limit: int | None, problems: Problems) -> str | None:
    """None when the column is absent, "" when empty, else an address of plausible shape."""
    value = row.get(column)
    if value:
        if not EMAIL.match(value):
            problems.add(row.line, "import.row.bad_email", column=column, value=value)
        check_length(row, column, value, limit, problems)
    return value


def parse_bool(row: Row, column: str, problems: Problems) -> bool | None:
    """yes/no in English or Dutch, true/false or 1/0; an empty cell is no; None when the column is absent."""
    value = row.get(column)
    if value is None:
        return None
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if not word or word in FALSE_WORDS:
        return False
    problems.add(row.line, "import.row.unknown_boolean", column=column, value=value)
    return False


def assign(record: object, attribute: str, value: object) -> bool:
    """Set a field only when it differs, and say so: unchanged rows must not count as updated."""
    if getattr(record, attribute) == value:
        return False
    setattr(record, attribute, value)
    return True


def format_bool(value: bool) -> str:
    return "yes" if value else "no"
