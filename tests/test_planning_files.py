"""The planning's files through the wire: the spreadsheet template and its import (.xlsx and .csv, each row's
problems), and the calendar (.ics in the DM; the private feed URL in HTTP mode, revocable)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from models.planning import CalendarFeed, PlannedLesson
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.test_planning import COMPLETE, lessons, save, setup, type_lessons


def dm_files(wire: Stack, user: str, suffix: str) -> list[bytes]:
    files = [f for m in wire.ws.messages(user) for f in m.files]
    return [wire.ws.state.files[f["id"]].content for f in files if f["name"].endswith(suffix)]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_is_a_spreadsheet_with_the_columns_to_fill_in(wire: Stack) -> None:
    setup(wire)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "planning sjabloon")
    assert "Verstuurd in je DM" in text_of(answer.json["blocks"])
    (content,) = dm_files(wire, "U0ANNA", ".xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(content)).active.iter_rows(max_row=1))]
    assert header == ["datum", "van", "tot", "activiteit", "klas", "lokaal", "onderwerp", "mentor"]


def test_a_filled_xlsx_is_previewed_per_row_and_saved_on_confirmation(wire: Stack) -> None:
    ids = setup(wire)
    content = xlsx(
        [
            ["datum", "van", "tot", "activiteit", "klas", "lokaal", "onderwerp", "mentor"],
            [
                datetime(2027, 2, 15),
                time(10, 0),
                time(10, 50),
                "begeleid",
                "5B",
                "204",
                "breuken",
                "An Peeters",
            ],
            ["16/02/2027", "10u", "10u50", "co-teaching", "6ASO-b", "12", "vectoren", ""],
            ["30/02/2027", "10:00", "10:50", "begeleid", "5B", "", "", ""],
            [date(2027, 5, 3), "10:00", "10:50", "begeleid", "5B", "", "", ""],
        ]
    )
    wire.ws.upload_file("U0ANNA", "planning.xlsx", content, "application/vnd.ms-excel")
    wire.services.outbox.settle()
    preview = wire.ws.messages("U0ANNA")[-1]
    shown = text_of(preview.blocks)
    assert "Ik las 4 regels; 2 daarvan kunnen als les bewaard worden" in shown
    assert "`4` " in shown and "Geen datum gevonden" in shown  # row 4: 30 February does not exist
    assert "`5` " in shown and "Buiten de stageperiode" in shown
    assert "welk document" not in shown.lower()  # the step-2 file listener did not take it
    # a date cell is echoed as the date alone, in the student's language (not "15/02/2027 00:00")
    assert "`2` 15 feb 2027 | 10:00 | 10:50 | 5B | breuken" in shown and "00:00" not in shown
    assert "`5` 3 mei 2027 | 10:00" in shown
    assert lessons(wire, ids["placement"]) == []
    save(wire, preview)
    with wire.session() as s:
        saved = s.exec(select(PlannedLesson).order_by(PlannedLesson.day)).all()
        assert [(x.day, x.mentor, x.class_name, x.grade) for x in saved] == [
            (date(2027, 2, 15), "An Peeters", "5B", 3),
            (date(2027, 2, 16), "", "6ASO-b", 3),
        ]


def test_a_csv_with_semicolons_works_and_a_file_without_the_header_is_refused(wire: Stack) -> None:
    setup(wire)
    good = b"datum;van;tot;activiteit;klas\n15/02/2027;10:00;10:50;begeleid;3A\n"
    wire.ws.upload_file("U0ANNA", "rooster.csv", good, "text/csv")
    wire.services.outbox.settle()
    preview = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "Ik las 1 regel; 1 daarvan kan als les bewaard worden" in preview
    wire.ws.upload_file("U0ANNA", "rooster.csv", b"a;b\n1;2\n", "text/csv")
    wire.services.outbox.settle()
    assert "De eerste rij moet de kolommen" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)


def test_the_calendar_file_holds_every_planned_lesson(wire: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = setup(wire)
    no_address = wire.services.settings.model_copy(update={"public_url": None})
    monkeypatch.setattr(wire.services, "settings", no_address)  # e.g. Socket Mode: nothing reaches the bot
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    answer = wire.ws.slash_command("U0ANNA", "/stage", "planning kalender")
    assert "Verstuurd in je DM" in text_of(answer.json["blocks"])
    (ics,) = dm_files(wire, "U0ANNA", ".ics")
    text = ics.decode()
    assert text.count("BEGIN:VEVENT") == 9
    assert "DTSTART:20270215T090000Z" in text and "DTEND:20270215T095000Z" in text  # 10:00 Brussels time
    assert "LOCATION:204\\, Atheneum" in text and "DESCRIPTION:breuken" in text
    comment = next(m.text for m in wire.ws.messages("U0ANNA") if m.files)
    assert "alleen als de bot via HTTP draait" in comment  # no public address configured: no feed link


def test_the_private_feed_serves_the_lessons_until_it_is_revoked(wire: Stack) -> None:
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    base = wire.services.settings.public_url
    assert base is not None
    wire.ws.slash_command("U0ANNA", "/stage", "planning calendar")
    with wire.session() as s:
        token = s.exec(select(CalendarFeed)).one().token
    url = f"{base}/calendar/{token}.ics"
    assert url in str(wire.ws.calls("files.completeUploadExternal")[-1].params)
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        assert response.read().decode().count("BEGIN:VEVENT") == 9
    wire.ws.slash_command("U0ANNA", "/stage", "planning kalender nieuw")
    with wire.session() as s:
        assert s.exec(select(CalendarFeed)).one().token != token
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 404
