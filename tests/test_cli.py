"""`stagebot migrate|import|export` as an administrator uses them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.local import DEMO
from models.db import Database
from models.migrate import upgrade
from models.people import Person
from models.schools import Institution


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.chdir(tmp_path)
    return Database(url)


def test_migrate_import_and_export_round_trip(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["import", "schools", str(DEMO / "schools.csv")]) == 0
    assert "8 new, 0 updated." in capsys.readouterr().out
    assert main(["import", "people", str(DEMO / "people.csv")]) == 0
    assert "17 new, 0 updated." in capsys.readouterr().out
    exported = tmp_path / "people.csv"
    assert main(["export", "people", str(exported)]) == 0
    assert main(["import", "people", str(exported)]) == 0
    assert "0 new, 0 updated." in capsys.readouterr().out
    assert main(["export", "schools"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("code,name,city")


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database)
    bad = tmp_path / "schools.csv"
    bad.write_text(
        "code,name,city,levels,grades,lerarenstage\n"
        "ATH1,Atheneum Brussel,Brussel,aso,2;3,ja\n"
        "ATH2,,Brussel,aso,2,ja\n"
        "ATH3,Sint-Jan,Brussel,circus,2,ja\n",
        encoding="utf-8",
    )
    assert main(["import", "schools", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "3" in err.splitlines()[0] and "name" in err.splitlines()[0]
    assert any("4" in line and "circus" in line for line in err.splitlines())
    assert "2 problems, nothing imported." in err
    with database.session() as s:
        assert s.exec(select(Institution)).all() == []
        assert s.exec(select(Person)).all() == []


def test_a_file_that_is_not_utf8_is_refused_kindly(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database)
    bad = tmp_path / "people.csv"
    bad.write_bytes("slack_id,name,roles\nU0ABC,Ren\xe9e,student\n".encode("latin-1"))
    assert main(["import", "people", str(bad)]) == 1
    assert "UTF-8" in capsys.readouterr().err


def test_capacity_import_and_export_through_the_cli(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "schools", str(DEMO / "schools.csv")]) == 0
    code = (DEMO / "schools.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    good = tmp_path / "capacity.csv"
    good.write_text(
        f"school,subject,semester,activity,places,levels,grades\n{code},Wiskunde,2,guided,3,aso,2|3\n"
    )
    capsys.readouterr()
    assert main(["import", "capacity", str(good)]) == 0
    assert "1 new, 0 updated." in capsys.readouterr().out
    assert main(["export", "capacity"]) == 0
    assert f"{code},Wiskunde,2,guided,3,aso,2;3" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("school,subject,semester,activity,places,levels,grades\nNOPE,Wiskunde,5,guided,x,aso,2\n")
    assert main(["import", "capacity", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "NOPE" in err and "nothing imported" in err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "nope.csv", "does not exist"),
        (lambda tmp: tmp, "is a folder, not a file"),
    ],
    ids=["missing", "directory"],
)
def test_a_path_that_is_no_readable_file_is_answered_without_a_traceback(
    database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path],
    expected: str,
) -> None:
    upgrade(database)
    path = make(tmp_path)
    assert main(["import", "schools", str(path)]) == 1
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Nothing imported" in err
    assert "Traceback" not in err
    with database.session() as s:
        assert s.exec(select(Institution)).all() == []


def test_a_one_megabyte_cell_is_a_problem_of_its_line_and_nothing_is_imported(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database)
    big = tmp_path / "schools.csv"
    big.write_text(
        "code,name,city\nATH1,Atheneum,Gent\nATH2," + "x" * 1_000_000 + ",Gent\n", encoding="utf-8"
    )
    assert main(["import", "schools", str(big)]) == 1
    err = capsys.readouterr().err
    assert "Line 3: a cell is longer than" in err and "nothing imported" in err
    with database.session() as s:
        assert s.exec(select(Institution)).all() == []


def test_commands_do_not_print_the_migration_progress_unless_verbose(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert main(["migrate"]) == 0
    assert [r for r in caplog.records if r.name.startswith("alembic")] == []
    caplog.clear()
    caplog.set_level(logging.INFO)
    assert main(["migrate", "-v"]) == 0  # nothing left to migrate, but Alembic says what it checks
    assert any(r.name.startswith("alembic") for r in caplog.records)
    caplog.clear()
    caplog.set_level(logging.INFO)
    assert main(["-v", "export", "schools"]) == 0
    assert any(r.name.startswith("alembic") for r in caplog.records)


def test_an_export_to_a_folder_that_does_not_exist_is_answered_without_a_traceback(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "schools.csv"
    assert main(["export", "schools", str(target)]) == 1
    err = capsys.readouterr().err
    assert "cannot be written" in err and "Nothing exported" in err
