"""`stagebot import capacity`: every row checked first, all or nothing; importing again updates."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.capacity import InstitutionCapacity
from models.capacity_csv import export_capacity, import_capacity
from models.csv_import import ImportRefused
from models.schools import Institution
from tests.conftest import NOW

GOOD = """school;subject;semester;activity;places;levels;grades
ATH;Wiskunde;2;guided;3;aso;2;3
ATH;;1;tutoring;5;aso;tso;1;2;3
"""


def test_capacity_import_creates_then_updates(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        s.add(Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso", "tso"], grades=[1, 2, 3]))
    good = GOOD.replace("aso;2;3", '"aso";"2;3"').replace("aso;tso;1;2;3", '"aso;tso";"1;2;3"')
    with db.session() as s:
        assert import_capacity(s, good, NOW).created == 2
    with db.session() as s:
        rows = s.exec(select(InstitutionCapacity).order_by(InstitutionCapacity.semester)).all()
        assert [(r.subject, r.semester, r.activity, r.places, r.grades) for r in rows] == [
            ("", 1, "tutoring", 5, [1, 2, 3]),
            ("Wiskunde", 2, "guided", 3, [2, 3]),
        ]
        again = import_capacity(s, good.replace(";3;", ";4;", 1), NOW)
        assert (again.created, again.updated) == (0, 1)
        assert "ATH,Wiskunde,2,guided,4,aso,2;3" in export_capacity(s)


def test_a_bad_file_imports_nothing_and_names_every_line(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        s.add(Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3]))
    bad = 'school;subject;semester;activity;places;levels;grades\nXXX;Wiskunde;2;guided;3;aso;"2;3"\n' \
          'ATH;Wiskunde;3;swimming;many;aso;\n'  # fmt: skip
    with db.session() as s, pytest.raises(ImportRefused) as refused:
        import_capacity(s, bad, NOW)
    keys = [(p.line, p.key) for p in refused.value.problems]
    assert (2, "capacity.import.unknown_school") in keys
    assert (3, "capacity.import.number") in keys
    assert (3, "capacity.error.semester") in keys and (3, "capacity.error.activity") in keys
    assert (3, "capacity.error.grades_required") in keys
    with db.session() as s:
        assert s.exec(select(InstitutionCapacity)).all() == []


def _coordinator_and_school(wire) -> None:  # type: ignore[no-untyped-def]
    from models.people import Role
    from tests import factories

    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        s.add(
            Institution(code="ATH", name="Atheneum Brussel", city="Brussel", levels=["aso"], grades=[1, 2, 3])
        )
    wire.sync_users()


def test_the_coordinator_sets_one_schools_places_by_command(wire) -> None:  # type: ignore[no-untyped-def]
    from tests.blocktext import text_of

    _coordinator_and_school(wire)
    saved = wire.ws.slash_command("U0COORD", "/stage", "capaciteit ATH 2 guided 3 aso 2;3 Wiskunde")
    assert "Vastgelegd: Atheneum Brussel, semester 2, guided (Wiskunde): 3 plaatsen." in saved.json["text"]
    again = wire.ws.slash_command("U0COORD", "/stage", "capaciteit ATH 2 guided 3 aso 2;3 Wiskunde")
    assert "Dat stond al zo" in again.json["text"]
    with wire.session() as s:
        (row,) = s.exec(select(InstitutionCapacity)).all()
        assert (row.places, row.levels, row.grades, row.subject) == (3, ["aso"], [2, 3], "Wiskunde")
    listed = text_of(wire.ws.slash_command("U0COORD", "/stage", "capacity").json["blocks"])
    assert "*ATH* · semester 2 · guided · Wiskunde: 3 plaatsen" in listed


def test_a_bad_capacity_command_says_why_and_changes_nothing(wire) -> None:  # type: ignore[no-untyped-def]
    _coordinator_and_school(wire)
    bad = wire.ws.slash_command("U0COORD", "/stage", "capaciteit ATH 3 juggling veel aso")
    text = bad.json["text"]
    assert "semester moet 1 of 2 zijn, niet 3" in text and "juggling" in text and "Regel" not in text
    unknown = wire.ws.slash_command("U0COORD", "/stage", "capaciteit XYZ 2 guided 3 aso 2")
    assert "XYZ" in unknown.json["text"]
    refused = wire.ws.slash_command("U0SUP", "/stage", "capaciteit ATH 2 guided 3 aso 2")
    assert "niet voor jouw rol" in str(refused.json["blocks"])
    with wire.session() as s:
        assert s.exec(select(InstitutionCapacity)).all() == []
