"""Free text people type: shown escaped wherever it goes, bounded by the modal and again by the server.

A forged submission can carry any length (Slack's max_length is only the modal's): an over-long text is
refused under its field, nothing is stored and nobody is told anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.flows import documents as document_flow
from bot.flows.registry import REVIEWS
from bot.i18n import Translator
from bot.views import decision as decision_views
from bot.views import planning as planning_views
from bot.views.blocks import escape
from models import free_text
from models.documents import Document
from models.lio import LioApplication, ReductionRequest
from models.people import Role
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.school_contacts import SchoolContacts
from tests import factories, test_placements, test_planning
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import pdf

FORGED = "x" * 40_000
HOSTILE = "<!channel> <https://evil.example|klik hier> & <@U0BOSS>"


def _dm(wire: Stack, user: str) -> str:
    return "\n".join(text_of(m.blocks) + "\n" + m.text for m in wire.ws.messages(user) if not m.deleted)


def _assert_shown_escaped(text: str) -> None:
    assert "<!channel>" not in text and "<https://evil.example" not in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|klik hier&gt; &amp; &lt;@U0BOSS&gt;" in text


# --- the one rule -----------------------------------------------------------------------------------------


def test_clean_drops_controls_and_direction_marks_and_keeps_what_a_person_wrote() -> None:
    assert free_text.clean("  Spreid de\r\nlessen\u202e  over\tweken \x00") == "Spreid de\nlessen over weken"
    assert free_text.clean("a\u2028b", multiline=False) == "a b"
    assert free_text.clean("Yılmaz 📄 عربى 👩\u200d💻") == "Yılmaz 📄 عربى 👩\u200d💻"
    assert escape("<!here> a & b\u2066") == "&lt;!here&gt; a &amp; b"


# --- the planning's "request changes" reason --------------------------------------------------------------


def _planning_review(wire: Stack) -> tuple[dict[str, int], Any]:
    ids = test_planning.setup(wire)
    test_planning.save(wire, test_planning.type_lessons(wire, ids["placement"], test_planning.COMPLETE))
    assert "ingediend" in test_planning.submit(wire, ids["placement"])
    review = wire.ws.messages("U0SUP")[-1]
    wire.ws.click("U0SUP", "planning_changes", message=review)
    return ids, wire.ws.open_views("U0SUP")[-1]


def test_the_planning_reason_reaches_the_student_escaped(wire: Stack) -> None:
    _planning_review(wire)
    modal = wire.ws.open_views("U0SUP")[-1]
    assert wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": HOSTILE}}).ok
    told = text_of(wire.ws.messages("U0ANNA")[-1].blocks) + wire.ws.messages("U0ANNA")[-1].text
    assert "vraagt aanpassingen" in told
    _assert_shown_escaped(told)
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).one().reason == HOSTILE  # stored as typed, escaped when shown


def test_a_forged_40000_character_planning_reason_is_refused_and_nothing_stored(wire: Stack) -> None:
    _, modal = _planning_review(wire)
    before = len(wire.ws.messages("U0ANNA"))
    answer = wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": FORGED}})
    assert answer.status == 200
    assert "Dit is te lang: 40000 tekens, hoogstens 1000" in answer.json["errors"]["reason"]
    with wire.session() as s:
        version = s.exec(select(PlanningVersion)).one()
        assert (version.status, version.reason) == ("submitted", None)
    assert len(wire.ws.messages("U0ANNA")) == before
    assert wire.ws.open_views("U0SUP")  # the modal stays open, with the error under the field


def test_a_lesson_with_a_forged_long_topic_is_refused_at_its_field(wire: Stack) -> None:
    ids = test_planning.setup(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "planning")
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    modal = wire.ws.open_views("U0ANNA")[-1]
    values = {
        "day": {"day": "2027-02-15"},
        "start": {"start": "10u"},
        "end": {"end": "10u50"},
        "activity": {"activity": "guided"},
        "topic": {"topic": FORGED},
        "mentor": {"mentor": "m" * 121},
    }
    errors = wire.ws.submit_view("U0ANNA", modal, values).json["errors"]
    assert "hoogstens 200" in errors["topic"] and "hoogstens 120" in errors["mentor"]
    with wire.session() as s:
        assert s.exec(select(PlannedLesson)).first() is None


# --- a document's reason ----------------------------------------------------------------------------------


@pytest.fixture
def documents_dir(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    return tmp_path / "documents"


def test_a_forged_long_document_reason_is_refused_and_the_document_still_waits(
    wire: Stack, documents_dir: Path
) -> None:
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
    wire.sync_users()
    wire.ws.upload_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.outbox.settle()
    with wire.session() as s:
        document = s.exec(select(Document)).one()
    wire.ws.click("U0SUP", "documents_reject", str(document.id))
    modal = wire.ws.open_views("U0SUP")[-1]
    answer = wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": FORGED}})
    assert "hoogstens 1000" in answer.json["errors"]["reason"]
    with wire.session() as s:
        assert s.exec(select(Document)).one().status == "awaiting_review"
    assert "teruggestuurd" not in _dm(wire, "U0ANNA")
    wire.ws.submit_view("U0SUP", wire.ws.open_views("U0SUP")[-1], {"reason": {"reason": HOSTILE}})
    _assert_shown_escaped(_dm(wire, "U0ANNA"))


# --- LIO: the counsellor's reason, the student's motivation and employer ---------------------------------


def _lio(wire: Stack) -> None:
    with wire.session() as s:
        factories.person(s, "U0STB", "Sofie Janssens", Role.COUNSELLOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
    wire.sync_users()


def _lio_form(
    employer: str, total: str = "520", grades: str = "160", x: str = "100", y: str = "30"
) -> dict[str, Any]:
    return {
        "employer": {"value": {"value": employer}},
        "level": {"value": "secondary"},
        "teacher_hours": {"value": {"value": total}},
        "grades_2_3_hours": {"value": {"value": grades}},
        "subject_x_hours": {"value": {"value": x}},
        "subject_y_hours": {"value": {"value": y}},
        "start": {"value": "2026-09-01"},
        "end": {"value": "2027-06-30"},
    }


def _apply(wire: Stack, employer: str, **hours: str) -> Any:
    file = wire.ws.store_file("U0ANNA", "aanstelling.pdf", pdf(), "application/pdf")
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio").ok
    modal = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view(
        "U0ANNA", modal, _lio_form(employer, **hours) | {"proof": {"value": {"files": [file]}}}
    )
    wire.services.outbox.settle()
    return answer


def test_lio_free_texts_are_bounded_on_the_server(wire: Stack, documents_dir: Path) -> None:
    _lio(wire)
    refused = _apply(wire, "S" * 5000)
    assert "hoogstens 200" in refused.json["errors"]["employer"]
    with wire.session() as s:
        assert s.exec(select(LioApplication)).first() is None
    assert _apply(wire, "Sint-Jozefscollege").ok
    (application,) = _rows(wire, LioApplication)
    message = next(
        m for m in wire.ws.messages("U0STB") if f'"application:{application.id}"' in json.dumps(m.blocks)
    )
    wire.ws.click("U0STB", "lio_reject", message=message)
    modal = wire.ws.open_views("U0STB")[-1]
    answer = wire.ws.submit_view("U0STB", modal, {"reason": {"reason": {"value": FORGED}}})
    assert "hoogstens 1000" in answer.json["errors"]["reason"]
    assert _rows(wire, LioApplication)[0].status == "pending"
    wire.ws.submit_view("U0STB", wire.ws.open_views("U0STB")[-1], {"reason": {"reason": {"value": HOSTILE}}})
    assert _rows(wire, LioApplication)[0].status == "rejected"
    _assert_shown_escaped(_dm(wire, "U0ANNA"))


def _rows(wire: Stack, table: Any) -> list[Any]:
    with wire.session() as s:
        return list(s.exec(select(table).order_by(table.id)))


def test_a_forged_long_reduction_motivation_is_refused(wire: Stack, documents_dir: Path) -> None:
    _lio(wire)
    _apply(wire, "Sint-Jozefscollege", total="499", grades="150", x="100", y="25")  # may ask a reduction
    (application,) = _rows(wire, LioApplication)
    wire.ws.click("U0STB", "lio_approve", f"application:{application.id}")
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    answer = wire.ws.submit_view("U0ANNA", modal, {"motivation": {"value": {"value": FORGED}}})
    assert "hoogstens 1000" in answer.json["errors"]["motivation"]
    assert _rows(wire, ReductionRequest) == []


# --- placements: the coordinator's override reason, the school's contacts --------------------------------


def test_a_forged_long_override_reason_is_refused_and_nothing_placed(wire: Stack) -> None:
    ids = test_placements.setup(wire)
    view = test_placements.open_assign(wire, "U0COORD")
    values = {
        "institution": {"institution": str(ids["former"])},
        "activities": {"activities": ["VDX1:observation"]},
        "level": {"level": "aso"},
        "grade": {"grade": "2"},
        "override": {"override": FORGED},
    }
    answer = wire.ws.submit_view("U0COORD", view, values)
    assert "hoogstens 500" in answer.json["errors"]["override"]
    assert _rows(wire, Placement) == []


def test_a_forged_long_contact_name_is_refused_and_nothing_recorded(wire: Stack) -> None:
    ids = test_placements.setup(wire)
    test_placements._place_and_request(wire, ids)
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    wire.ws.submit_view("U0ANNA", view, {"outcome": {"outcome": "accepted"}, "on": {"on": "2026-11-28"}})
    wire.ws.slash_command("U0ANNA", "/stage", "contacten")
    wire.ws.click(
        "U0ANNA", "placement_contacts_open", str(ids["atheneum"]), message=wire.ws.ephemerals("U0ANNA")[-1]
    )
    view = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view("U0ANNA", view, {"school_mentor_name": {"school_mentor_name": FORGED}})
    assert "hoogstens 200" in answer.json["errors"]["school_mentor_name"]
    with wire.session() as s:
        assert s.exec(select(SchoolContacts)).first() is None


# --- every modal states its bound ---------------------------------------------------------------------------


def _text_inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b["element"]
        for b in view["blocks"]
        if b.get("type") == "input" and b["element"]["type"] == "plain_text_input"
    ]


def test_every_free_text_input_of_these_modals_states_its_max_length() -> None:
    t = Translator("nl")
    reasons = [
        decision_views.reason_modal(
            t, callback_id=kind.wire.reason_callback, metadata=f"{kind.name}|1", title="-", label="-",
            submit="-", intro=None, max_length=kind.wire.max_reason,
        )
        for kind in REVIEWS
    ]  # fmt: skip
    modals = [*reasons, planning_views.lesson_modal(t, 1, ["guided"], [])]
    for view in modals:
        for element in _text_inputs(view):
            assert isinstance(element.get("max_length"), int), (view["callback_id"], element["action_id"])


def test_the_meeting_place_in_a_reminder_is_escaped() -> None:
    from datetime import UTC, date, datetime

    from bot.views.reminders import student_reminder
    from models.intake import DueReminder
    from models.reminder_plan import Item

    meeting = DueReminder(
        1, datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC), HOSTILE, "U0A", "U0S",
        date(2026, 12, 1),
    )  # fmt: skip
    item = Item("U0A", "intake", "booking:1", date(2026, 12, 1), meeting=meeting)
    blocks, _ = student_reminder(Translator("nl"), [item], date(2026, 11, 30))
    _assert_shown_escaped(text_of(blocks))


def test_a_forged_long_meeting_place_is_refused_under_its_field(wire: Stack) -> None:
    from models.intake import IntakeSlot

    with wire.session() as s:
        factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
    wire.sync_users()
    wire.ws.slash_command("U0SUP", "/stage", "intake slots")
    [form] = wire.ws.open_views("U0SUP")
    values = {
        "date": {"date": "2026-12-09"},
        "start": {"start": "10:00"},
        "end": {"end": "11:00"},
        "length": {"length": "30"},
        "place": {"place": FORGED},
    }
    wire.ws.submit_view("U0SUP", form, values)
    [still] = wire.ws.open_views("U0SUP")
    assert "hoogstens 300" in still.errors["place"]
    with wire.session() as s:
        assert s.exec(select(IntakeSlot)).first() is None


def test_a_too_long_remark_in_the_preferences_chat_is_asked_again_not_cut_off(wire: Stack) -> None:
    from models.preferences import PreferenceConversation
    from tests.test_preferences import setup as preferences_setup
    from tests.test_preferences_chat import say

    ids = preferences_setup(wire)
    said = say(wire, "voorkeuren")
    for _ in range(20):
        if "*10/10*" in said:
            break
        said = say(wire, "semester 1" if "Antwoord met *1*" in said else "geen")
    assert "*10/10*" in said
    answer = say(wire, "r" * 2500)
    assert "Dit is te lang: 2500 tekens, hoogstens 2000" in answer
    with wire.session() as s:
        row = s.get_one(PreferenceConversation, ids["anna"])
        assert row.question == "remarks" and "remarks" not in (row.answers or {})
    assert "Dit heb ik begrepen" in say(wire, "Ik heb geen auto")
