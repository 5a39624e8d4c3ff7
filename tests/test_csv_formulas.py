"""CSV exports neutralise cells a spreadsheet program would run as a formula; importing the export gives
every original value back."""

from __future__ import annotations

import csv
import io

import pytest

from models.csv_import import neutralise, restore
from models.db import Database
from models.people_csv import export_people, import_people
from models.schools import all_institutions
from models.schools_csv import export_schools, import_schools

DANGEROUS = [
    '=HYPERLINK("https://evil.example","klik")',
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_cell_gets_a_single_quote_in_front(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize(
    "value", ["Atheneum", "", "02 555 10 10", "'quoted", "a=b", "''", "'", "'=x", "''+y", "x-1"]
)
def test_every_value_survives_the_round_trip(value: str) -> None:
    assert restore(neutralise(value)) == value


def test_harmless_cells_are_written_as_they_are() -> None:
    assert neutralise("Atheneum Zennevallei") == "Atheneum Zennevallei"
    assert neutralise("'quoted") == "'quoted"  # no formula behind the quote: nothing to add


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_schools_export_neutralises_formulas_and_imports_back_unchanged(db: Database) -> None:
    names = ['=HYPERLINK("https://evil.example";"klik")', "+SUM(1;2)", "-2+3", "@SUM(A1)", "'=kept"]
    rows = "".join(
        f"S{i},\"{name.replace(chr(34), chr(34) * 2)}\",=cmd|' /C calc'!A0,aso,2,ja,,,+32 2 521 40 10\n"
        for i, name in enumerate(names)
    )
    header = "code,name,city,levels,grades,lerarenstage,contact_name,contact_email,contact_phone\n"
    with db.session() as session:
        import_schools(session, header + rows)
    with db.session() as session:
        exported = export_schools(session)
    for record in _cells(exported)[1:]:
        for cell in record:
            assert not cell or cell[0] not in "=+-@\t\r", record
    by_code = {r[0]: r for r in _cells(exported)[1:]}
    assert by_code["S0"][1] == "'" + names[0]
    assert by_code["S0"][2] == "'=cmd|' /C calc'!A0"
    assert by_code["S0"][8] == "'+32 2 521 40 10"
    assert by_code["S4"][1] == "'=kept"  # a quote typed before a formula in a spreadsheet means "text"
    with db.session() as session:
        result = import_schools(session, exported)
    assert (result.created, result.updated) == (0, 0)  # the export reads back to the same values
    with db.session() as session:
        stored = {s.code: s for s in all_institutions(session)}
    assert [stored[f"S{i}"].name for i in range(len(names))] == [*names[:4], "=kept"]
    assert stored["S0"].city == "=cmd|' /C calc'!A0"
    assert stored["S0"].contact_phone == "+32 2 521 40 10"


def test_people_export_neutralises_a_formula_name(db: Database) -> None:
    with db.session() as session:
        import_people(session, "slack_id,name,roles\nU0EVIL0001,=1+1,coordinator\nU0EVIL0002,@me,admin\n")
    with db.session() as session:
        exported = export_people(session)
    names = {r[0]: r[1] for r in _cells(exported)[1:]}
    assert names == {"U0EVIL0001": "'=1+1", "U0EVIL0002": "'@me"}
    with db.session() as session:
        result = import_people(session, exported)
    assert (result.created, result.updated) == (0, 0)
