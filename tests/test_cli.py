"""`stagebot migrate|import|export` as an administrator uses them."""

from __future__ import annotations

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
