"""The LIO track through the wire: applying with the proof, the counsellor's decision, the effect on the
checklist and planning step, reduction requests, permissions, bad input, the overview."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.flows import documents as document_flow
from models import agreements, placements
from models.audit import AuditEntry
from models.documents import Document
from models.lio import LioApplication, ReductionRequest
from models.people import Role, Student
from models.placements import Proposal
from models.progress import Step, StepProgress
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from tests.documents_files import pdf
from workspace.state import Message


@pytest.fixture
def people(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.person(s, "U0STB", "Sofie Janssens", Role.COUNSELLOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters", locale="en-GB")
    wire.sync_users()
    assert anna.id and lotte.id
    return {"anna": anna.id, "lotte": lotte.id}


def form(
    total: str = "520", grades: str = "160", x: str = "100", y: str = "30", **more: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "employer": {"value": {"value": "Sint-Jozefscollege Hasselt"}},
        "level": {"value": "secondary"},
        "teacher_hours": {"value": {"value": total}},
        "grades_2_3_hours": {"value": {"value": grades}},
        "subject_x_hours": {"value": {"value": x}},
        "subject_y_hours": {"value": {"value": y}},
        "start": {"value": "2026-09-01"},
        "end": {"value": "2027-06-30"},
    }
    return values | more


def proof(wire: Stack, user: str = "U0ANNA") -> dict[str, Any]:
    file = wire.ws.store_file(user, "aanstelling.pdf", pdf(), "application/pdf")
    return {"proof": {"value": {"files": [file]}}}


def apply(wire: Stack, values: dict[str, Any], user: str = "U0ANNA") -> Any:
    assert wire.ws.slash_command(user, "/stage", "lio").ok
    (modal,) = wire.ws.open_views(user)
    wire.ws.submit_view(user, modal, values)
    wire.services.outbox.settle()
    return modal


def applications(wire: Stack) -> list[LioApplication]:
    with wire.session() as s:
        return list(s.exec(select(LioApplication).order_by(LioApplication.id)))


def dm_text(wire: Stack, user: str) -> str:
    return "\n".join(text_of(m.blocks) or m.text for m in wire.ws.messages(user) if not m.deleted)


def review(wire: Stack, user: str, value: str) -> Message:
    return next(m for m in wire.ws.messages(user) if f'"value": "{value}"' in json.dumps(m.blocks))


def planning_state(wire: Stack, student_id: int) -> str | None:
    with wire.session() as s:
        row = s.get(StepProgress, (student_id, int(Step.PLANNING)))
        return row.state if row else None


def is_lio(wire: Stack, student_id: int) -> bool:
    with wire.session() as s:
        return s.get_one(Student, student_id).lio


# --- applying and deciding -----------------------------------------------------------------------------


def test_an_exempt_application_round_trip(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form() | proof(wire))
    assert wire.ws.open_views("U0ANNA") == []
    (row,) = applications(wire)
    assert (row.teacher_hours, row.grades_2_3_hours, row.subject_x_hours, row.status) == (
        520,
        160,
        100,
        "pending",
    )
    with wire.session() as s:
        (document,) = s.exec(select(Document)).all()
    assert (document.type_code, document.filename) == ("lio_proof", "aanstelling.pdf")
    student = dm_text(wire, "U0ANNA")
    assert "Je LIO-aanvraag is ingediend" in student and "Volledig vrijgesteld" in student
    counsellor = dm_text(wire, "U0STB")
    assert "LIO-aanvraag van Anna De Smet" in counsellor
    assert "Sint-Jozefscollege Hasselt" in counsellor and "aanstelling.pdf" in counsellor
    assert "✅ 160 uur in de 2de en/of 3de graad secundair (minstens 150 voor vrijstelling)" in counsellor
    assert not is_lio(wire, people["anna"])

    message = review(wire, "U0STB", f"application:{row.id}")
    wire.ws.click("U0STB", "lio_approve", message=message)
    (row,) = applications(wire)
    assert row.status == "approved" and is_lio(wire, people["anna"])
    assert planning_state(wire, people["anna"]) == "not_required"
    updated = next(m for m in wire.ws.messages("U0STB") if m.ts == message.ts)
    assert "lio_approve" not in json.dumps(updated.blocks)
    assert "Goedgekeurd door <@U0STB>" in text_of(updated.blocks)
    assert "Je LIO-aanvraag is goedgekeurd door <@U0STB>" in dm_text(wire, "U0ANNA")
    assert "volgt het LIO-traject" in dm_text(wire, "U0SUP")
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "LIO: volledig vrijgesteld, je hoeft geen stagerooster in te dienen" in status
    with wire.session() as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert "lio.applied" in actions and "lio.approved" in actions


def test_the_counsellors_approval_approves_the_proof_the_supervisor_was_asked_about(
    wire: Stack, people: dict[str, int]
) -> None:
    apply(wire, form() | proof(wire))
    with wire.session() as s:
        (document,) = s.exec(select(Document)).all()
    (asked,) = [m for m in wire.ws.messages("U0SUP") if "documents_approve" in json.dumps(m.blocks)]
    (row,) = applications(wire)
    wire.ws.click("U0STB", "lio_approve", message=review(wire, "U0STB", f"application:{row.id}"))
    wire.services.outbox.settle()
    with wire.session() as s:
        (document,) = s.exec(select(Document)).all()
        actions = [(e.action, e.actor_id) for e in s.exec(select(AuditEntry))]
        counsellor = s.exec(select(AuditEntry.actor_id).where(AuditEntry.action == "lio.approved")).one()
    assert document.status == "approved" and ("document.approved", counsellor) in actions
    redrawn = next(m for m in wire.ws.messages("U0SUP") if m.ts == asked.ts)
    assert "documents_approve" not in json.dumps(redrawn.blocks)
    assert "<@U0STB>" in text_of(redrawn.blocks)


def test_a_non_exempt_application_shows_the_extra_hours_and_a_second_click_is_one_decision(
    wire: Stack, people: dict[str, int]
) -> None:
    apply(wire, form(total="499", grades="150", x="100", y="25") | proof(wire))
    student = dm_text(wire, "U0ANNA")
    assert "26 uur extra stage" in student
    assert "Vakdidactiek X 2: begeleide stage, 7 uur" in student
    assert "❌ 499 leraarsuren op jaarbasis (minstens 500 voor vrijstelling)" in student
    assert "stagevermindering aanvragen" in student  # 100 and 25 hours: under 200 in a matching subject
    (row,) = applications(wire)
    click = wire.ws.click("U0STB", "lio_approve", f"application:{row.id}")
    assert wire.ws.redeliver(click).ok
    with wire.session() as s:
        assert len(s.exec(select(AuditEntry).where(AuditEntry.action == "lio.approved")).all()) == 1
    assert planning_state(wire, people["anna"]) in (None, "not_started")  # the planning is still owed
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "LIO: 26 uur extra stage binnen Vakdidactiek 1 en 2" in status


def test_the_counsellor_and_the_supervisor_read_about_the_student_not_to_them(
    wire: Stack, people: dict[str, int]
) -> None:
    apply(wire, form(total="499", grades="150", x="100", y="25") | proof(wire))
    counsellor = dm_text(wire, "U0STB")
    assert "de student kan stagevermindering aanvragen" in counsellor
    assert "De lesopdracht telt als stage, met 26 uur extra stage" in counsellor
    assert "Bewijs van de LIO-baan" in counsellor
    for addressed in (
        "je kan",
        "je lesopdracht",
        "Je lesopdracht",
        "je vakdidactiek",
        "/stage lio vermindering",
    ):
        assert addressed not in counsellor, addressed
    wire.ws.click("U0STB", "lio_approve", f"application:{applications(wire)[0].id}")
    supervisor = dm_text(wire, "U0SUP")
    assert "De lesopdracht telt als stage" in supervisor and "je kan" not in supervisor
    student = dm_text(wire, "U0ANNA")
    assert "je kan stagevermindering aanvragen met `/stage lio vermindering`" in student


def test_sending_back_needs_a_reason_which_the_student_reads(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form() | proof(wire))
    (row,) = applications(wire)
    message = review(wire, "U0STB", f"application:{row.id}")
    wire.ws.click("U0STB", "lio_reject", message=message)
    (modal,) = wire.ws.open_views("U0STB")
    wire.ws.submit_view("U0STB", modal, {"reason": {"reason": {"value": "  "}}})
    (still,) = wire.ws.open_views("U0STB")
    assert "Geef een reden" in still.errors.get("reason", "")
    assert applications(wire)[0].status == "pending"
    wire.ws.submit_view("U0STB", still, {"reason": {"reason": {"value": "Het bewijs is niet ondertekend."}}})
    (row,) = applications(wire)
    assert (row.status, row.reason) == ("rejected", "Het bewijs is niet ondertekend.")
    assert not is_lio(wire, people["anna"]) and planning_state(wire, people["anna"]) in (None, "not_started")
    student = dm_text(wire, "U0ANNA")
    assert "Je LIO-aanvraag is teruggestuurd" in student and "Het bewijs is niet ondertekend." in student
    updated = next(m for m in wire.ws.messages("U0STB") if m.ts == message.ts)
    assert "Teruggestuurd door <@U0STB>" in text_of(updated.blocks)
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "LIO-aanvraag: teruggestuurd" in status


def test_an_update_that_is_no_longer_exempt_reopens_the_planning(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form() | proof(wire))
    wire.ws.click("U0STB", "lio_approve", f"application:{applications(wire)[0].id}")
    assert planning_state(wire, people["anna"]) == "not_required"
    modal = apply(wire, form(total="300", grades="100", x="100", y="30"))  # the proof is already on file
    assert "aanstelling.pdf" in json.dumps(modal.blocks)
    first, second = applications(wire)
    assert (first.status, second.status) == ("approved", "pending")
    wire.ws.click("U0STB", "lio_approve", f"application:{second.id}")
    first, second = applications(wire)
    assert (first.status, second.status) == ("superseded", "approved")
    assert planning_state(wire, people["anna"]) == "not_started"


def test_an_exemption_clears_a_placement_that_waited_only_for_its_planning(
    wire: Stack, people: dict[str, int]
) -> None:
    with wire.session() as s:
        school = Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3])
        s.add(school)
        s.flush()
        assert school.id is not None
        placement = placements.place(
            s, wire.services.catalogue, people["anna"], school, Proposal("VDX2", ("co_teaching", "guided"), 2,
            "aso", 3), actor_id=None, now=NOW,
        )  # fmt: skip
        placement.answer = "accepted"
        agreements.add_framework(
            s, school.id, date(2026, 9, 1), None, actor_id=None, now=NOW, signed_on=date(2026, 9, 1)
        )
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "er is nog geen stagerooster" in status
    apply(wire, form() | proof(wire))
    wire.ws.click("U0STB", "lio_approve", f"application:{applications(wire)[0].id}")
    wire.services.outbox.settle()
    started = [m for m in wire.ws.messages("U0ANNA") if "Je mag starten" in text_of(m.blocks)]
    assert len(started) == 1
    assert planning_state(wire, people["anna"]) == "not_required"
    with wire.session() as s:
        assert s.get_one(StepProgress, (people["anna"], int(Step.APPROVAL))).state == "done"
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Vakdidactiek X 2: je mag starten" in status and "stagerooster" not in status.split("8. ")[1]


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        (form(total="-10"), "teacher_hours", "kan niet negatief zijn"),
        (form(total="300", grades="301"), "grades_2_3_hours", "niet meer uren in de 2de en 3de graad"),
        (form(total="veel"), "teacher_hours", "Geef een geheel aantal uren"),
        (form(total="199", grades="0", x="0", y="0"), "teacher_hours", "minder dan 200 uur"),
        (form(end={"value": "2026-08-01"}), "end", "vóór het begin"),
        (form(x="300", y="300"), "subject_y_hours", "Samen zijn de uren"),
    ],
)
def test_bad_input_is_refused_under_the_field_and_nothing_is_stored(
    wire: Stack, people: dict[str, int], values: dict[str, Any], field: str, text: str
) -> None:
    apply(wire, values | proof(wire))
    (modal,) = wire.ws.open_views("U0ANNA")
    assert text in modal.errors.get(field, ""), modal.errors
    assert applications(wire) == []
    assert dm_text(wire, "U0STB") == ""


def test_the_proof_is_required_for_a_first_application(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form())
    (modal,) = wire.ws.open_views("U0ANNA")
    assert "Laad een bewijs" in modal.errors.get("proof", "")
    assert applications(wire) == []


# --- permissions ---------------------------------------------------------------------------------------


def test_only_the_counsellor_decides(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form() | proof(wire))
    (row,) = applications(wire)
    for user in ("U0SUP", "U0COORD", "U0ANNA"):
        wire.ws.click(
            user,
            "lio_approve",
            f"application:{row.id}",
            message=review(wire, "U0STB", f"application:{row.id}"),
        )
        wire.ws.click(
            user,
            "lio_reject",
            f"application:{row.id}",
            message=review(wire, "U0STB", f"application:{row.id}"),
        )
        assert wire.ws.open_views(user) == []
        assert any("enkel een studietrajectbegeleider" in m.text for m in wire.ws.ephemerals(user))
    assert applications(wire)[0].status == "pending" and not is_lio(wire, people["anna"])
    with wire.session() as s:
        refused = s.exec(select(AuditEntry).where(AuditEntry.action == "lio.decision_refused")).all()
    assert len(refused) == 6


def test_the_overview_is_for_the_counsellor_and_the_coordinator(wire: Stack, people: dict[str, int]) -> None:
    with wire.session() as s:
        factories.student(s, "U0JOS", "Jos Vermeulen", lio=True)
    wire.sync_users()
    apply(wire, form() | proof(wire))
    for user in ("U0STB", "U0COORD"):
        answer = wire.ws.slash_command(user, "/stage", "lio overzicht").json
        text = text_of(answer["blocks"])
        assert "LIO-studenten en open aanvragen: 2" in text
        assert "Open: 1 LIO-aanvraag, 0 aanvragen tot stagevermindering" in text
        assert text.index("<@U0ANNA>") < text.index("<@U0JOS>")  # open requests first
        assert "Anna De Smet" not in text  # the mention shows the name: not twice
        assert "aanvraag wacht op beslissing (520 leraarsuren)" in text
        assert "LIO (geen aanvraag in de bot)" in text
        assert ("lio_overview_approve" in json.dumps(answer)) == (user == "U0STB")  # who may decide
    supervisor = wire.ws.slash_command("U0SUP", "/stage", "lio overzicht").json
    assert "U0ANNA" not in json.dumps(supervisor)
    student = wire.ws.slash_command("U0LOTTE", "/stage", "lio overview").json
    assert "U0ANNA" not in json.dumps(student)


# --- reductions ----------------------------------------------------------------------------------------


def test_a_student_who_is_not_lio_cannot_ask_for_a_reduction(wire: Stack, people: dict[str, int]) -> None:
    answer = wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").json
    assert "enkel aanvragen als LIO-student" in text_of(answer["blocks"])
    assert wire.ws.open_views("U0ANNA") == []
    english = wire.ws.slash_command("U0LOTTE", "/stage", "lio reduction").json
    assert "Only LIO students can request an internship reduction" in text_of(english["blocks"])
    with wire.session() as s:
        assert s.exec(select(ReductionRequest)).all() == []


def test_a_reduction_round_trip(wire: Stack, people: dict[str, int]) -> None:
    apply(wire, form(total="499", grades="150", x="100", y="25") | proof(wire))
    wire.ws.click("U0STB", "lio_approve", f"application:{applications(wire)[0].id}")
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    assert "Wiskunde, Fysica" in text_of(modal.blocks)
    wire.ws.submit_view("U0ANNA", modal, {"motivation": {"value": {"value": " "}}})
    (still,) = wire.ws.open_views("U0ANNA")
    assert "Leg kort uit" in still.errors.get("motivation", "")
    wire.ws.submit_view("U0ANNA", still, {"motivation": {"value": {"value": "Ik geef al 100 uur wiskunde."}}})
    wire.services.outbox.settle()
    with wire.session() as s:
        (request,) = s.exec(select(ReductionRequest)).all()
    assert request.status == "pending"
    assert "Stagevermindering voor Anna De Smet" in dm_text(wire, "U0STB")
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Stagevermindering: wacht op de studietrajectbegeleider" in status

    forged = review(wire, "U0STB", f"reduction:{request.id}")
    wire.ws.click("U0SUP", "lio_approve", f"reduction:{request.id}", message=forged)
    with wire.session() as s:
        assert s.get_one(ReductionRequest, request.id).status == "pending"
    wire.ws.click("U0STB", "lio_approve", message=review(wire, "U0STB", f"reduction:{request.id}"))
    with wire.session() as s:
        assert s.get_one(ReductionRequest, request.id).status == "approved"
    assert "Je stagevermindering is goedgekeurd" in dm_text(wire, "U0ANNA")
    assert "kreeg stagevermindering" in dm_text(wire, "U0SUP")
    # the decision does not invite a reduction request again (it would be refused as already approved)
    decision = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "Je stagevermindering is goedgekeurd" in decision and "vermindering aanvragen" not in decision
    assert "vermindering aanvragen" not in text_of(wire.ws.messages("U0SUP")[-1].blocks)
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "LIO met stagevermindering: 12 uur extra stage" in status
    again = wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").json
    assert "al goedgekeurd" in text_of(again["blocks"])


def test_the_counsellor_opens_the_proof_and_a_stranger_may_not(wire: Stack, people: dict[str, int]) -> None:
    import urllib.error
    import urllib.request

    apply(wire, form() | proof(wire))
    (row,) = applications(wire)
    message = review(wire, "U0STB", f"application:{row.id}")
    with wire.session() as s:
        (document,) = s.exec(select(Document)).all()
    wire.ws.click("U0STB", "documents_open", str(document.id), message=message)
    link = wire.ws.ephemerals("U0STB")[-1].text.split("<", 1)[1].split("|", 1)[0]
    with urllib.request.urlopen(link, timeout=5) as response:
        assert response.status == 200 and response.read().startswith(b"%PDF")
    # The counsellor's right covers the LIO proof only: Anna's other documents stay private.
    with wire.session() as s:
        from models.access import may_get_document
        from models.people import resolve_actor

        counsellor = resolve_actor(s, "U0STB")
        assert counsellor is not None
        assert may_get_document(s, counsellor, people["anna"], "lio_proof")
        assert not may_get_document(s, counsellor, people["anna"], "criminal_record")
    try:
        urllib.request.urlopen(link.replace("/documents/", "/documents/x"), timeout=5)
        raise AssertionError("a damaged link must not open")
    except urllib.error.HTTPError as error:
        assert error.code == 403
