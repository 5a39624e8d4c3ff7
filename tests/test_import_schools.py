"""Schools CSV: import, update by code, export round trip, and whole-file refusal with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.csv_import import ImportRefused, ImportResult, RowProblem, decode
from models.db import Database
from models.schools import Institution, all_institutions
from models.schools_csv import export_schools, import_schools

DEMO = Path(__file__).parent.parent / "bot" / "demo" / "schools.csv"

HEADER = "code,name,city,levels,grades,lerarenstage,contact_name,contact_email,contact_phone\n"
GOOD = HEADER + (
    "ATH1,Atheneum Aan De Vaart,Anderlecht,ASO|TSO,3;2,ja,An Peeters,an.peeters@vaart.example,02 555 10 10\n"
    "BUSO1,BuSO Het Anker,Vilvoorde,BuSO,2,1,,,\n"
    "TI1,Technisch Instituut Noord,Schaarbeek,tso; bso ;Se-n-Se,1;2;3,true,,,\n"
    "CVO1,CVO Centrum,Brussel,volwassenen,,nee,,,\n"
    "MUS1,Museum Van Het Water,Elsene,alternatief,,0,Lien Maes,,\n"
)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Institution)).one()


def schools(db: Database) -> dict[str, Institution]:
    with db.session() as session:
        return {school.code: school for school in all_institutions(session)}


def test_good_file_creates_schools_with_canonical_values(db: Database) -> None:
    with db.session() as session:
        assert import_schools(session, GOOD) == ImportResult(created=5, updated=0)

    stored = schools(db)
    assert sorted(stored) == ["ATH1", "BUSO1", "CVO1", "MUS1", "TI1"]
    ath = stored["ATH1"]
    assert (ath.name, ath.city) == ("Atheneum Aan De Vaart", "Anderlecht")
    assert ath.levels == ["aso", "tso"]
    assert ath.grades == [2, 3]
    assert ath.uses_lerarenstage is True
    assert (ath.contact_name, ath.contact_email, ath.contact_phone) == (
        "An Peeters",
        "an.peeters@vaart.example",
        "02 555 10 10",
    )
    assert stored["BUSO1"].levels == ["special_secondary"]
    assert stored["BUSO1"].uses_lerarenstage is True
    assert stored["TI1"].levels == ["bso", "tso", "se_n_se"]
    assert stored["CVO1"].levels == ["higher_adult"]
    assert stored["CVO1"].grades == []
    assert stored["CVO1"].uses_lerarenstage is False
    assert stored["MUS1"].levels == ["alternative"]
    assert stored["MUS1"].contact_email is None
    assert stored["MUS1"].contact_name == "Lien Maes"


def test_import_again_updates_by_code_and_counts_only_changes(db: Database) -> None:
    with db.session() as session:
        import_schools(session, GOOD)
    changed = HEADER + (
        "ATH1,Atheneum Aan De Vaart,Anderlecht,aso;tso,2;3,yes,Bert Claes,,02 555 10 11\n"
        "CVO1,CVO Centrum,Brussel,higher_adult,,no,,,\n"
        "NEW1,Nieuwe School,Jette,aso,1,no,,,\n"
    )
    with db.session() as session:
        assert import_schools(session, changed) == ImportResult(created=1, updated=1)
        assert count(session) == 6

    stored = schools(db)
    assert stored["ATH1"].contact_name == "Bert Claes"
    assert stored["ATH1"].contact_email is None
    assert stored["ATH1"].contact_phone == "02 555 10 11"
    assert stored["NEW1"].grades == [1]
    assert stored["MUS1"].name == "Museum Van Het Water"


def test_left_out_optional_columns_keep_stored_values(db: Database) -> None:
    with db.session() as session:
        import_schools(session, GOOD)
    with db.session() as session:
        result = import_schools(session, "name,code,city\nAtheneum Aan De Vaart,ATH1,Laken\n")
        assert result == ImportResult(created=0, updated=1)

    ath = schools(db)["ATH1"]
    assert ath.city == "Laken"
    assert ath.levels == ["aso", "tso"]
    assert ath.grades == [2, 3]
    assert ath.uses_lerarenstage is True
    assert ath.contact_email == "an.peeters@vaart.example"


def test_export_then_import_changes_nothing(db: Database) -> None:
    with db.session() as session:
        import_schools(session, GOOD)
        exported = export_schools(session)
    assert exported.splitlines()[0] == HEADER.strip()
    assert "ATH1,Atheneum Aan De Vaart,Anderlecht,aso;tso,2;3,yes," in exported
    before = schools(db)

    with db.session() as session:
        assert import_schools(session, exported) == ImportResult(created=0, updated=0)
        assert export_schools(session) == exported
    after = schools(db)
    assert {code: s.model_dump() for code, s in after.items()} == {
        code: s.model_dump() for code, s in before.items()
    }


def test_bad_rows_are_all_reported_and_nothing_is_imported(db: Database) -> None:
    text = HEADER + (
        "OK1,Goede School,Jette,aso,2,yes,,,\n"  # 2: fine, but must not be stored either
        ",Zonder Code,Brussel,aso,2,no,,,\n"  # 3
        "OK1,Dubbel,Jette,aso,2,no,,,\n"  # 4
        "\n"  # 5: blank, skipped but counted
        "X1,School,Gent,lagere school,2,misschien,,geen-adres,\n"  # 6
        "X2,School,Gent,aso,4,no,,,\n"  # 7
        "X3,School,Gent,tso,,no,,,\n"  # 8
        "X4,Museum,Gent,alternatief,3,no,,,\n"  # 9
        '"X5","Een ""lange""\nnaam",,aso,1,no,,,\n'  # 10-11: a quoted line break
        "X6,School,Gent,aso,1,no,,,,extra\n"  # 12
    )
    with db.session() as session, pytest.raises(ImportRefused) as refused:
        import_schools(session, text)

    assert refused.value.problems == [
        RowProblem(3, "import.row.missing_value", {"column": "code"}),
        RowProblem(4, "import.row.duplicate_key", {"column": "code", "value": "OK1", "first_line": "2"}),
        RowProblem(6, "import.row.unknown_level", {"value": "lagere school"}),
        RowProblem(6, "import.row.bad_email", {"column": "contact_email", "value": "geen-adres"}),
        RowProblem(6, "import.row.unknown_boolean", {"column": "lerarenstage", "value": "misschien"}),
        RowProblem(7, "import.row.unknown_grade", {"value": "4"}),
        RowProblem(8, "import.row.grades_required", {}),
        RowProblem(9, "import.row.grades_not_secondary", {}),
        RowProblem(10, "import.row.missing_value", {"column": "city"}),
        RowProblem(12, "import.row.too_many_values", {"count": "9"}),
    ]
    with db.session() as session:
        assert count(session) == 0


def test_refused_update_leaves_stored_schools_unchanged(db: Database) -> None:
    with db.session() as session:
        import_schools(session, GOOD)
    text = (
        HEADER + "ATH1,Hernoemd,Gent,aso,1,no,,,\nTI1,Technisch Instituut Noord,Schaarbeek,kleuter,1,no,,,\n"
    )
    with db.session() as session, pytest.raises(ImportRefused) as refused:
        import_schools(session, text)
    assert [(p.line, p.key) for p in refused.value.problems] == [(3, "import.row.unknown_level")]

    ath = schools(db)["ATH1"]
    assert (ath.name, ath.city, ath.grades) == ("Atheneum Aan De Vaart", "Anderlecht", [2, 3])


def test_too_long_values_are_a_row_problem(db: Database) -> None:
    with db.session() as session, pytest.raises(ImportRefused) as refused:
        import_schools(session, f"code,name,city\n{'C' * 33},School,Gent\n")
    assert refused.value.problems == [RowProblem(2, "import.row.too_long", {"column": "code", "max": "32"})]


def test_bom_and_semicolon_delimiter(db: Database) -> None:
    text = (
        "\ufeffCode;Name;City;Levels;Grades;Lerarenstage\r\n"
        'KA1;Koninklijk Atheneum;Etterbeek;"ASO;KSO";"2;3";ja\r\n'
        "KA2;Kunstschool, afdeling Noord;Evere;KSO;3;nee\r\n"
    )
    with db.session() as session:
        assert import_schools(session, text) == ImportResult(created=2, updated=0)
    stored = schools(db)
    assert stored["KA1"].levels == ["aso", "kso"]
    assert stored["KA1"].grades == [2, 3]
    assert stored["KA2"].name == "Kunstschool, afdeling Noord"
    assert stored["KA2"].uses_lerarenstage is False


def test_decode_accepts_bom_and_refuses_other_encodings() -> None:
    assert decode("\ufeffcode,name\n".encode()) == "code,name\n"
    with pytest.raises(ImportRefused) as refused:
        decode("naam;École".encode("latin-1"))
    assert refused.value.problems == [RowProblem(1, "import.file.not_utf8", {})]


def test_empty_file_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(ImportRefused) as refused:
        import_schools(session, "\n\n")
    assert refused.value.problems == [RowProblem(1, "import.file.empty", {})]


def test_header_problems_refuse_the_file_before_any_row(db: Database) -> None:
    expected = ", ".join(HEADER.strip().split(","))
    with db.session() as session, pytest.raises(ImportRefused) as refused:
        import_schools(session, "code,naam,city,code\nX,Y,Z,X\n")
    assert refused.value.problems == [
        RowProblem(1, "import.header.unknown_column", {"column": "naam", "expected": expected}),
        RowProblem(1, "import.header.duplicate_column", {"column": "code"}),
        RowProblem(1, "import.header.missing_column", {"column": "name"}),
    ]


def test_demo_schools_import_cleanly(db: Database) -> None:
    with db.session() as session:
        assert import_schools(session, DEMO.read_text(encoding="utf-8")) == ImportResult(created=8, updated=0)
    stored = schools(db)
    levels = {level for school in stored.values() for level in school.levels}
    assert {"aso", "bso", "kso", "tso", "special_secondary", "higher_adult", "alternative"} <= levels
    assert any(school.uses_lerarenstage for school in stored.values())
    assert all(school.grades for school in stored.values() if "aso" in school.levels)
