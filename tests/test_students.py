"""`/stage students` and a student's detail view, with who may open it."""

from __future__ import annotations

from sqlmodel import select

from bot.app import web_client
from bot.views.blocks import button, section
from models.audit import AuditEntry
from models.people import Role
from models.progress import StepState
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack


def _people(wire: Stack) -> dict[str, int]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup, subject_x="Engels", lio=True)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters")
        factories.progress(s, anna, INTAKE=StepState.DONE)
    wire.sync_users()
    assert anna.id and lotte.id
    return {"anna": anna.id, "lotte": lotte.id}


def test_a_supervisor_lists_their_students_and_opens_one(wire: Stack) -> None:
    ids = _people(wire)
    answer = wire.ws.slash_command("U0SUP", "/stage", "studenten")
    text = text_of(answer.json["blocks"])
    assert "Studenten: 1" in text and "<@U0ANNA> · 1/8 stappen" in text and "U0LOTTE" not in text
    message = wire.ws.ephemerals("U0SUP")[-1]
    wire.ws.click("U0SUP", "student_detail", str(ids["anna"]), message=message)
    detail = text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    assert "Anna De Smet" in detail
    assert "Vakdidactieken: Engels en Fysica" in detail
    assert "LIO-student" in detail
    assert "✅1 ⬜2" in detail


def test_a_supervisor_cannot_open_another_supervisors_student(wire: Stack) -> None:
    ids = _people(wire)
    wire.ws.slash_command("U0SUP", "/stage", "students")
    message = wire.ws.ephemerals("U0SUP")[-1]
    # A forged click for a student who is not theirs (the value is under the clicker's control).
    wire.ws.click("U0SUP", "student_detail", str(ids["lotte"]), message=message, block_id=None)
    shown = text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    assert "enkel de gegevens van je eigen studenten" in shown
    assert "Lotte" not in shown
    with wire.session() as s:
        entry = s.exec(select(AuditEntry)).one()
        assert entry.action == "student.view_refused" and entry.student_id == ids["lotte"]


def test_the_coordinator_lists_everyone_and_students_may_not(wire: Stack) -> None:
    _people(wire)
    text = text_of(wire.ws.slash_command("U0COORD", "/stage", "students").json["blocks"])
    assert "Studenten: 2" in text
    refused = text_of(wire.ws.slash_command("U0ANNA", "/stage", "studenten").json["blocks"])
    assert "niet voor jouw rol" in refused


def test_a_student_cannot_open_the_staff_view_of_their_own_record(wire: Stack) -> None:
    ids = _people(wire)
    # A button she should never get, as a forged payload would carry it.
    forged = [section("x", accessory=button("Details", "student_detail", str(ids["anna"])))]
    web_client(wire.services).chat_postMessage(channel="U0ANNA", text="x", blocks=forged)
    wire.ws.click("U0ANNA", "student_detail", str(ids["anna"]))
    shown = text_of(wire.ws.ephemerals("U0ANNA")[-1].blocks)
    assert "enkel de gegevens van je eigen studenten" in shown
    assert "Vakdidactieken" not in shown
