"""Step 2's pure rules: what a file really is, typed issue dates, validity, the store, retention."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models.date_text import read_date
from models.document_checks import FileKind, Refusal, check, detect
from models.document_dates import IssueDateProblem, expires_before, issue_date_problem
from models.document_store import DocumentStore, default_root
from models.documents import (
    DocumentConfigError,
    keep_until,
    load_document_config,
    parse_document_config,
)
from tests.documents_files import EXE, TEXT, jpeg, pdf, png

ALL = frozenset(FileKind)
TEN_MB = 10 * 1024 * 1024


def test_good_files_are_recognised_from_their_bytes() -> None:
    assert check(pdf(), ALL, TEN_MB).kind is FileKind.PDF and check(pdf(), ALL, TEN_MB).ok
    assert check(png(), ALL, TEN_MB).kind is FileKind.PNG and check(png(), ALL, TEN_MB).ok
    assert check(jpeg(), ALL, TEN_MB).kind is FileKind.JPEG and check(jpeg(), ALL, TEN_MB).ok


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (b"", Refusal.EMPTY),
        (EXE, Refusal.UNKNOWN_TYPE),
        (TEXT, Refusal.UNKNOWN_TYPE),
        (pdf()[:200], Refusal.CORRUPT),
        (b"%PDF-1.7\n" + b"garbage " * 50, Refusal.CORRUPT),
        (pdf(password="geheim"), Refusal.ENCRYPTED),
        (png()[:-12], Refusal.CORRUPT),
        (png().replace(b"IDAT", b"IDAU"), Refusal.CORRUPT),
        (jpeg()[:-2], Refusal.CORRUPT),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 10, Refusal.CORRUPT),
    ],
)
def test_bad_files_are_refused_with_the_reason(content: bytes, refusal: Refusal) -> None:
    assert check(content, ALL, TEN_MB).refusal is refusal


def test_size_and_accepted_formats_come_from_the_type() -> None:
    assert check(pdf(), ALL, 100).refusal is Refusal.TOO_LARGE
    assert check(png(), frozenset({FileKind.PDF}), TEN_MB).refusal is Refusal.NOT_ACCEPTED
    assert detect(EXE) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12 september 2026", date(2026, 9, 12)),
        ("12 September 2026", date(2026, 9, 12)),
        ("12 sept", date(2026, 9, 12)),
        ("3 okt. 2026", date(2026, 10, 3)),
        ("12/9", date(2026, 9, 12)),
        ("12/9/2026", date(2026, 9, 12)),
        ("12-09-2026", date(2026, 9, 12)),
        ("2026-09-12", date(2026, 9, 12)),
        ("op 1 december", date(2025, 12, 1)),  # without a year: the most recent such day
        ("31/2", None),
        ("gisteren ofzo", None),
        ("", None),
    ],
)
def test_typed_issue_dates(typed: str, expected: date | None) -> None:
    read = read_date(typed, today=date(2026, 11, 28), past=True)
    assert (read if isinstance(read, date) else None) == expected


def test_an_extract_must_be_recent_on_the_first_internship_day_and_is_flagged_if_it_runs_out() -> None:
    today, first, last = date(2026, 9, 1), date(2026, 10, 5), date(2027, 5, 14)
    assert issue_date_problem(date(2026, 9, 2), today, first, 12) is IssueDateProblem.FUTURE
    assert issue_date_problem(date(2025, 10, 1), today, first, 12) is IssueDateProblem.TOO_OLD
    assert issue_date_problem(date(2025, 10, 5), today, first, 12) is None
    assert expires_before(date(2025, 10, 5), 12, last)
    assert not expires_before(date(2026, 8, 20), 12, last)


def test_the_store_writes_whole_files_once_by_hash(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    digest, new = store.put(b"inhoud")
    again, new_again = store.put(b"inhoud")
    assert (digest, new, new_again) == (again, True, False)
    assert store.read(digest) == b"inhoud" and store.path(digest).name == digest
    assert [p for p in (tmp_path / "docs").rglob("*") if p.is_file()] == [store.path(digest)]
    assert store.leftovers() == []
    assert store.delete(digest) and store.read(digest) is None


def test_an_interrupted_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DocumentStore(tmp_path)

    def broken_fsync(_: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("models.document_store.os.fsync", broken_fsync)
    with pytest.raises(OSError):
        store.put(b"half")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_store_lives_beside_the_sqlite_file_by_default(tmp_path: Path) -> None:
    assert default_root(None, f"sqlite:///{tmp_path}/stagebot.db") == tmp_path / "documents"
    assert default_root(tmp_path / "elders", "postgresql+psycopg://db/x") == tmp_path / "elders"


def test_the_shipped_types_and_retention() -> None:
    config = load_document_config()
    assert [t.code for t in config.required_types(lio=False)] == ["commitment", "criminal_record"]
    extract = config.type("criminal_record")
    assert extract is not None and extract.needs_issue_date and extract.max_age_months == 12
    assert extract.max_bytes == TEN_MB and extract.formats == ALL
    assert keep_until("2026-2027", config) == date(2028, 9, 30)


def test_a_wrong_type_configuration_is_refused_with_the_reason() -> None:
    with pytest.raises(DocumentConfigError, match="formats"):
        parse_document_config("types:\n  - {code: x, name: {nl: X, en: X}, formats: [gif]}\n")
    with pytest.raises(DocumentConfigError, match="name needs nl and en"):
        parse_document_config("types:\n  - {code: x, name: {nl: X}}\n")
