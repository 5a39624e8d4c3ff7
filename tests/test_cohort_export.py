"""The cohort export: `/stage export` over the wire (the file in the DM, the "preparing…" message updated in
place) and `stagebot export cohort` (a workbook, or CSV files), opened and checked cell by cell."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import select

from bot.cli import main
from bot.demo import progress as demo
from bot.flows import export as export_flow
from bot.i18n import Translator
from bot.local import load_demo_data
from models import cohort_export
from models.people import Person, Role
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.progress import StepState
from tests import factories
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from tests.statements import counted

DUTCH_SHEETS = ["Stappen", "Stageplaatsen", "Planningen", "Documenten", "Overeenkomsten", "LIO"]
ENGLISH_SHEETS = ["Steps", "Placements", "Plannings", "Documents", "Agreements", "LIO"]


@pytest.fixture
def cohort(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The demo cohort in mid-year, plus a submitted planning of two lessons for Pieter's first placement."""
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    load_demo_data(wire.services)
    with wire.session() as s:
        pieter = s.exec(select(Person).where(Person.slack_user_id == demo.PIETER)).one()
        placement = s.exec(
            select(Placement).where(Placement.student_id == pieter.id).order_by(Placement.start, Placement.id)
        ).first()
        assert placement is not None and placement.id is not None and pieter.id is not None
        version = PlanningVersion(
            placement_id=placement.id, student_id=pieter.id, number=1, status="submitted",
            created_at=NOW, submitted_at=NOW, late=True,
        )  # fmt: skip
        s.add(version)
        s.flush()
        assert version.id is not None
        for day in (date(2026, 12, 1), date(2026, 12, 3)):
            s.add(PlannedLesson(version_id=version.id, day=day, start=time(10), end=time(10, 50),
                                activity="observation", level="aso", grade=2))  # fmt: skip
        s.commit()
    wire.sync_users()
    return wire


def _dm_file(wire: Stack, user: str, suffix: str) -> bytes:
    wire.services.outbox.settle(timeout=30)
    files = [f for m in wire.ws.messages(user) for f in m.files if f["name"].endswith(suffix)]
    assert len(files) == 1, files
    return wire.ws.state.files[files[0]["id"]].content


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _row_of(rows: list[list[object]], name: str) -> list[object]:
    return next(r for r in rows if r[0] == name)


def test_the_coordinator_gets_the_cohort_as_a_workbook_in_the_dm(cohort: Stack) -> None:
    ws = cohort.ws
    answer = ws.slash_command(demo.COORDINATOR, "/stage", "export")
    assert "je krijgt het bestand zo in je DM" in text_of(answer.json["blocks"])
    book = load_workbook(io.BytesIO(_dm_file(cohort, demo.COORDINATOR, ".xlsx")))
    assert book.sheetnames == DUTCH_SHEETS
    # the "preparing…" message was changed in place into "done", and it is the one message besides the file
    texts = [text_of(m.blocks) for m in ws.messages(demo.COORDINATOR) if not m.files and not m.ephemeral_to]
    assert len(texts) == 1 and "De export is klaar: cohort-2026-2027.xlsx" in texts[0]

    steps = book["Stappen"]
    assert steps.freeze_panes == "A2" and steps.auto_filter.ref == "A1:T13"
    assert steps.column_dimensions["A"].width == 28
    rows = _rows(steps)
    assert rows[0][:7] == [
        "Student",
        "Slack-id",
        "Vakdidactiek X",
        "Vakdidactiek Y",
        "Stap 1",
        "Stap 1 sinds",
        "Stap 2",
    ]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])  # students in name order
    amira = _row_of(rows, "Amira Haddad")
    assert amira[1:5] == [demo.AMIRA, "Frans", "Engels", "in orde"]
    assert amira[6] == "teruggestuurd, actie nodig" and isinstance(amira[7], datetime)  # a real date and time
    assert steps.cell(row=rows.index(amira) + 1, column=8).number_format == "dd/mm/yyyy hh:mm"
    assert amira[8:10] == ["niet gestart", None]

    placements = _rows(book["Stageplaatsen"])
    assert placements[0][:6] == [
        "Student",
        "Schoolcode",
        "School",
        "Opleidingsonderdeel",
        "Activiteiten",
        "Semester",
    ]
    emma = [r for r in placements if r[0] == "Emma Willems"]
    first = emma[0]
    assert first[1:7] == ["TI-NOORD", "Technisch Instituut Brussel-Noord", "Vakdidactiek X 1",
                          "observation, co_teaching", 1, datetime(2026, 11, 9)]  # fmt: skip
    assert first[9:15] == ["tso", 3, "actief", "goedgekeurd", "lerarenstage.be", "aanvaard"]

    plannings = _rows(book["Planningen"])
    assert plannings[0] == [
        "Student", "School", "Opleidingsonderdeel", "Versie", "Status", "Lessen", "Eerste les", "Laatste les",
        "Ingediend op", "Te laat", "Goedgekeurd", "Beslist op",
    ]  # fmt: skip
    (pieter,) = plannings[1:]
    assert pieter[0] == "Pieter Janssens" and pieter[3:8] == [
        1,
        "ingediend",
        2,
        datetime(2026, 12, 1),
        datetime(2026, 12, 3),
    ]
    assert pieter[8] == datetime(2026, 11, 28, 11, 0)  # the submission, in Brussels time
    assert pieter[9:12] == ["ja", "nee", None]

    documents = _rows(book["Documenten"])
    amira_docs = [r for r in documents if r[0] == "Amira Haddad"]
    assert [r[1:4] for r in amira_docs] == [
        ["Verbintenisverklaring", 1, "goedgekeurd"],
        ["Uittreksel uit het strafregister (model 596.2)", 1, "teruggestuurd"],
    ]
    assert amira_docs[1][5] == datetime(2026, 10, 29)  # the extract's issue date
    flat = {str(c) for row in documents for c in row}
    assert not any(name.endswith(".pdf") for name in flat)  # never a file name, never contents

    agreements = _rows(book["Overeenkomsten"])
    framework = _row_of([r[1:] for r in agreements], "ATH-ZENNE")
    assert agreements[1][0] == "raamovereenkomst" and framework[1] == "Atheneum Zennevallei"
    assert framework[5] == "getekend"
    sarah = next(r for r in agreements if r[3] == "Sarah Mukendi")
    assert sarah[0] == "lerarenstage.be-contract" and sarah[1] == "LYC-JETTE" and sarah[6] == "getekend"

    lio = _rows(book["LIO"])
    assert lio[0][:4] == ["Student", "Werkgever", "Niveau", "Lesuren per jaar"]
    assert lio[1][0] == "Lucas Maes" and lio[1][3:7] == [320, 180, 140, 60] and lio[1][9] == "in afwachting"


def test_an_english_speaking_coordinator_gets_english_headers_and_csv_in_a_zip(cohort: Stack) -> None:
    with cohort.session() as s:
        factories.person(s, "U0COORDEN", "Jane Coordinator", Role.COORDINATOR, language="en")
        s.commit()
    cohort.sync_users()
    answer = cohort.ws.slash_command("U0COORDEN", "/stage", "export csv")
    assert "the file arrives in your DM" in text_of(answer.json["blocks"])
    archive = zipfile.ZipFile(io.BytesIO(_dm_file(cohort, "U0COORDEN", ".zip")))
    assert sorted(archive.namelist()) == sorted(f"{k}.csv" for k in cohort_export.SHEET_KEYS)
    steps = list(csv.reader(io.StringIO(archive.read("steps.csv").decode())))
    assert steps[0][:5] == ["Student", "Slack id", "Subject didactics X", "Subject didactics Y", "Step 1"]
    amira = _row_of(steps, "Amira Haddad")  # type: ignore[arg-type]
    assert amira[4:8] == ["done", "2026-10-08 12:00", "sent back, action needed", "2026-11-22 11:00"]


def test_only_the_coordinator_and_admin_export(cohort: Stack) -> None:
    for who in (demo.MARLEEN, demo.PIETER):
        answer = cohort.ws.slash_command(who, "/stage", "export")
        assert "niet voor jouw rol" in text_of(answer.json["blocks"])
    cohort.services.outbox.settle()
    assert not [f for m in cohort.ws.messages(demo.MARLEEN) for f in m.files]
    usage = cohort.ws.slash_command(demo.COORDINATOR, "/stage", "export pdf")
    assert "Gebruik: `/stage export`" in text_of(usage.json["blocks"])


def test_a_slow_export_shows_its_progress_in_the_same_message(
    cohort: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_flow, "PROGRESS_AFTER", 0.0)  # as if every sheet took long
    cohort.ws.slash_command(demo.COORDINATOR, "/stage", "export")
    _dm_file(cohort, demo.COORDINATOR, ".xlsx")
    updates = [c.params.get("text", "") for c in cohort.ws.calls("chat.update")]
    assert updates[:6] == [f"⏳ Ik maak de export klaar… ({n} van 7 delen klaar)" for n in range(1, 7)]
    assert updates[-1].startswith("✅ De export is klaar")
    assert len({c.params.get("ts") for c in cohort.ws.calls("chat.update")}) == 1  # one message, in place


def test_the_sheets_take_the_same_statements_for_a_larger_cohort(cohort: Stack) -> None:
    t = Translator("nl")

    def statements() -> int:
        with counted(cohort.services.db.engine) as seen, cohort.session() as s:
            cohort_export.cohort_sheets(s, export_flow.context(cohort.services, t))
        return len(seen)

    before = statements()
    with cohort.session() as s:
        for n in range(30):
            someone = factories.student(s, f"U0MORE{n:03d}", f"Extra Student {n}")
            factories.progress(s, someone, INTAKE=StepState.DONE, DOCUMENTS=StepState.IN_PROGRESS)
        s.commit()
    assert statements() == before


def test_the_cli_writes_the_workbook_and_the_csv_files(
    cohort: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", cohort.services.db.url)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    target = tmp_path / "cohort.xlsx"
    assert main(["export", "cohort", str(target)]) == 0
    assert f"{target}: 6 sheets" in capsys.readouterr().out
    book = load_workbook(target)
    assert book.sheetnames == ENGLISH_SHEETS
    rows = _rows(book["Steps"])
    assert _row_of(rows, "Amira Haddad")[4:7] == [
        "done",
        datetime(2026, 10, 8, 12, 0),
        "sent back, action needed",
    ]
    assert book["Placements"].freeze_panes == "A2"

    folder = tmp_path / "csv"
    assert main(["export", "cohort", "--format", "csv", "--language", "nl", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{k}.csv" for k in cohort_export.SHEET_KEYS)
    plannings = list(csv.reader((folder / "plannings.csv").open(encoding="utf-8")))
    assert plannings[0][:4] == ["Student", "School", "Opleidingsonderdeel", "Versie"]
    assert plannings[1][0] == "Pieter Janssens" and plannings[1][5:8] == ["2", "2026-12-01", "2026-12-03"]
    assert main(["export", "cohort"]) == 2  # a workbook needs a file
