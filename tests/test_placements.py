"""Steps 3, 4 and 6 through the wire: placing with each check, withdraw, the answer flow, the contacts."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models.audit import AuditEntry
from models.people import FormerSchool, Role
from models.placements import Placement, PlacementStatus
from models.progress import Step, StepProgress
from models.school_contacts import SchoolContacts
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack


def school(session: Any, code: str, name: str, levels: list[str], grades: list[int], **kw: Any) -> int:
    institution = Institution(code=code, name=name, city="Gent", levels=levels, grades=grades, **kw)
    session.add(institution)
    session.flush()
    assert institution.id is not None
    return institution.id


def setup(wire: Stack) -> dict[str, int]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        factories.person(s, "U0STAFF", "Piet Staff", Role.COUNSELLOR)
        ids = {
            "anna": anna.id or 0,
            "atheneum": school(s, "ATH", "Atheneum", ["aso", "tso"], [1, 2, 3], contact_name="Mevr. Peeters"),
            "museum": school(s, "MUS", "Museum M", ["alternative"], []),
            "former": school(s, "OUD", "Oude School", ["aso"], [1, 2, 3]),
        }
        s.add(FormerSchool(student_id=ids["anna"], institution_id=ids["former"]))
    wire.sync_users()
    return ids


def open_assign(wire: Stack, who: str, student: str = "U0ANNA") -> Any:
    answer = wire.ws.slash_command(who, "/stage", f"plaats <@{student}>")
    assert answer.ok
    views = wire.ws.open_views(who)
    assert views, text_of(wire.ws.ephemerals(who)[-1].blocks) if wire.ws.ephemerals(who) else "no modal"
    return views[-1]


def submit(
    wire: Stack, who: str, view: Any, school_id: int, activities: list[str], level: str, grade: str | None
):
    values: dict[str, dict[str, Any]] = {
        "institution": {"institution": str(school_id)},
        "activities": {"activities": activities},
        "level": {"level": level},
    }
    if grade:
        values["grade"] = {"grade": grade}
    return wire.ws.submit_view(who, view, values)


def placements_of(wire: Stack, student_id: int) -> list[Placement]:
    with wire.session() as s:
        return list(
            s.exec(select(Placement).where(Placement.student_id == student_id).order_by(Placement.id))
        )


def state(wire: Stack, student_id: int, step: Step) -> str | None:
    with wire.session() as s:
        row = s.get(StepProgress, (student_id, int(step)))
        return row.state if row else None


def test_a_supervisor_places_their_student_who_is_told_what_to_do(wire: Stack) -> None:
    ids = setup(wire)
    view = open_assign(wire, "U0SUP")
    assert "Stageplaats voor <@U0ANNA>" in text_of(view.blocks)
    # PL runs in both semesters: without a semester the modal stays open and asks for it.
    answer = submit(
        wire,
        "U0SUP",
        view,
        ids["atheneum"],
        ["VDX1:observation", "VDX1:co_teaching", "PL:guided"],
        "aso",
        "3",
    )
    assert "Kies het semester voor Professioneel leraarschap" in answer.json["errors"]["semester"]
    assert placements_of(wire, ids["anna"]) == []
    values = {
        "institution": {"institution": str(ids["atheneum"])},
        "activities": {"activities": ["VDX1:observation", "VDX1:co_teaching", "PL:guided"]},
        "level": {"level": "aso"},
        "grade": {"grade": "3"},
        "semester": {"semester": "1"},
    }
    wire.ws.submit_view("U0SUP", view, values)
    assert wire.ws.open_views("U0SUP") == []
    placed = placements_of(wire, ids["anna"])
    assert [(p.course_code, p.activities, p.hours) for p in placed] == [
        ("VDX1", ["observation", "co_teaching"], 4),
        ("PL", ["guided"], 10),
    ]
    assert all(p.is_approved and p.status == PlacementStatus.ACTIVE for p in placed)
    dm = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "gaf je een stageplaats bij Atheneum (Gent)" in dm
    assert "per e-mail" in dm and "Mevr. Peeters" in dm
    assert state(wire, ids["anna"], Step.MATCHING) == "in_progress"
    assert state(wire, ids["anna"], Step.REQUEST) == "in_progress"
    checklist = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Nog te plaatsen" in checklist and "Vakdidactiek X 1 (Wiskunde)" in checklist


def test_the_first_semester_question_is_asked_for_a_course_in_both_semesters(wire: Stack) -> None:
    ids = setup(wire)
    view = open_assign(wire, "U0SUP")
    answer = submit(wire, "U0SUP", view, ids["atheneum"], ["LIL:tutoring"], "aso", "2")
    assert "Kies het semester" in answer.json["errors"]["semester"]
    assert placements_of(wire, ids["anna"]) == []


def test_each_check_is_explained_and_nothing_is_stored(wire: Stack) -> None:
    ids = setup(wire)
    cases = [
        (ids["former"], ["VDX1:observation"], "aso", "2", "institution", "voormalige school"),
        (ids["atheneum"], ["VDX1:observation"], "kso", "2", "level", "biedt dat onderwijsniveau niet aan"),
        (ids["atheneum"], ["VDX1:observation"], "aso", None, "grade", "Kies de graad"),
        (ids["museum"], ["LIL:tutoring"], "alternative", None, "activities", "hoogstens 10 uur"),
    ]
    for school_id, activities, level, grade, block, text in cases:
        view = open_assign(wire, "U0SUP")
        values: dict[str, dict[str, Any]] = {
            "institution": {"institution": str(school_id)},
            "activities": {"activities": activities},
            "level": {"level": level},
            "semester": {"semester": "1"},
        }
        if grade:
            values["grade"] = {"grade": grade}
        answer = wire.ws.submit_view("U0SUP", view, values)
        assert text in answer.json["errors"][block], (block, answer.json)
        wire.ws.close_view("U0SUP", view)
    assert placements_of(wire, ids["anna"]) == []


def test_an_activity_already_placed_is_refused(wire: Stack) -> None:
    ids = setup(wire)
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    answer = submit(
        wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2"
    )
    assert "Al geplaatst: participerend observeren" in answer.json["errors"]["activities"]
    assert len(placements_of(wire, ids["anna"])) == 1


def test_the_12_hours_in_grades_2_3_must_stay_reachable(wire: Stack) -> None:
    ids = setup(wire)
    with wire.session() as s:
        first = school(s, "EERST", "Eerstegraadsschool", ["aso"], [1])
    opened = [
        (["LIL:tutoring"], "1"),
        (["PL:guided", "PL:independent", "PL:workplace_task"], "2"),
        (["VDX2:co_teaching", "VDX2:guided"], "2"),
    ]
    for activities, semester in opened:
        view = open_assign(wire, "U0SUP")
        values = {
            "institution": {"institution": str(first)},
            "activities": {"activities": activities},
            "level": {"level": "aso"},
            "grade": {"grade": "1"},
            "semester": {"semester": semester},
        }
        answer = wire.ws.submit_view("U0SUP", view, values)
        assert answer.body == "", answer.body
    # 89 of 106 hours are now in the 1st grade; 9 more there would leave 8 for grades 2-3.
    view = open_assign(wire, "U0SUP")
    answer = submit(wire, "U0SUP", view, first, ["VDY2:co_teaching", "VDY2:guided"], "aso", "1")
    assert "nog haalbaar: 8 uur, minimum 12" in answer.json["errors"]["activities"]
    assert len(placements_of(wire, ids["anna"])) == 3
    # The same hours in the 3rd grade are fine.
    assert (
        submit(wire, "U0SUP", view, ids["atheneum"], ["VDY2:co_teaching", "VDY2:guided"], "aso", "3").body
        == ""
    )


def test_the_coordinator_may_override_a_former_school_with_a_reason_which_is_logged(wire: Stack) -> None:
    ids = setup(wire)
    view = open_assign(wire, "U0COORD")
    answer = submit(wire, "U0COORD", view, ids["former"], ["VDX1:observation"], "aso", "2")
    assert "vul de reden in" in answer.json["errors"]["institution"]
    values = {
        "institution": {"institution": str(ids["former"])},
        "activities": {"activities": ["VDX1:observation"]},
        "level": {"level": "aso"},
        "grade": {"grade": "2"},
        "override": {"override": "Andere vestiging, akkoord directie"},
    }
    assert wire.ws.submit_view("U0COORD", view, values).body == ""
    placed = placements_of(wire, ids["anna"])
    assert placed[0].override_reason == "Andere vestiging, akkoord directie"
    with wire.session() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "placement.created")).one()
        assert entry.detail["override_reason"] == "Andere vestiging, akkoord directie"
    # ... and readable: in the audit log, in words, and in the student's record
    log = text_of(wire.ws.slash_command("U0COORD", "/stage", "logboek anna").json["blocks"])
    assert "<@U0COORD> · geplaatst · Vakdidactiek X 1 bij Oude School" in log
    assert "uitzondering op de regels, reden: “Andere vestiging, akkoord directie”" in log
    assert "placement:" not in log and "placement.created" not in log
    wire.ws.slash_command("U0COORD", "/stage", "studenten")
    wire.ws.click("U0COORD", "student_detail", str(ids["anna"]), message=wire.ws.ephemerals("U0COORD")[-1])
    detail = text_of(wire.ws.ephemerals("U0COORD")[-1].blocks)
    assert "uitzondering op de regels, reden: “Andere vestiging, akkoord directie”" in detail


def test_permissions_a_student_cannot_place_and_a_supervisor_only_their_own(wire: Stack) -> None:
    ids = setup(wire)
    refused = text_of(wire.ws.slash_command("U0ANNA", "/stage", "plaats <@U0ANNA>").json["blocks"])
    assert "niet voor jouw rol" in refused
    other = text_of(wire.ws.slash_command("U0OTHER", "/stage", "plaats <@U0ANNA>").json["blocks"])
    assert "alleen je eigen studenten" in other
    assert wire.ws.open_views("U0OTHER") == []
    not_student = text_of(wire.ws.slash_command("U0SUP", "/stage", "plaats <@U0STAFF>").json["blocks"])
    assert "geen student" in not_student
    # Without a student the modal asks for one; picking someone else's student is refused on submit.
    wire.ws.slash_command("U0OTHER", "/stage", "assign")
    view = wire.ws.open_views("U0OTHER")[-1]
    values = {
        "placement_student": {"placement_student": "U0ANNA"},
        "institution": {"institution": str(ids["atheneum"])},
        "activities": {"activities": ["VDX1:observation"]},
        "level": {"level": "aso"},
        "grade": {"grade": "2"},
    }
    answer = wire.ws.submit_view("U0OTHER", view, values)
    assert "alleen je eigen studenten" in answer.json["errors"]["placement_student"]
    assert placements_of(wire, ids["anna"]) == []


def test_an_unknown_institution_is_refused(wire: Stack) -> None:
    ids = setup(wire)
    view = open_assign(wire, "U0SUP")
    values = {
        "institution": {
            "institution": {
                "selected_option": {"value": "999999", "text": {"type": "plain_text", "text": "x"}}
            }
        },
        "activities": {"activities": ["VDX1:observation"]},
        "level": {"level": "aso"},
    }
    answer = wire.ws.submit_view("U0SUP", view, values)
    assert "Die stageplaats ken ik niet" in answer.json["errors"]["institution"]
    assert placements_of(wire, ids["anna"]) == []


def test_choosing_a_student_in_the_modal_shows_their_placements(wire: Stack) -> None:
    ids = setup(wire)
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    wire.ws.slash_command("U0SUP", "/stage", "plaats")
    view = wire.ws.open_views("U0SUP")[-1]
    wire.ws.click("U0SUP", "placement_student", "U0ANNA", view=view)
    shown = text_of(wire.ws.open_views("U0SUP")[-1].blocks)
    assert "Al geplaatst" in shown and "Atheneum" in shown and "participerend observeren" in shown


def test_withdraw_keeps_history_and_tells_the_student(wire: Stack) -> None:
    ids = setup(wire)
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    placement = placements_of(wire, ids["anna"])[0]
    # Someone else's supervisor cannot withdraw it, even with a forged click.
    confirmation = wire.ws.messages("U0SUP")[-1]
    wire.ws.click("U0SUP", "placement_withdraw", str(placement.id), message=confirmation)
    assert placements_of(wire, ids["anna"])[0].status == PlacementStatus.WITHDRAWN
    assert "Ingetrokken door <@U0SUP>" in text_of(wire.ws.messages("U0SUP")[-1].blocks)
    updated = text_of(next(m for m in wire.ws.messages("U0SUP") if m.ts == confirmation.ts).blocks)
    assert "Bewaard" not in updated and "Ingetrokken: de stageplaats van <@U0ANNA>" in updated
    assert "werd ingetrokken" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert state(wire, ids["anna"], Step.MATCHING) == "not_started"


def test_change_replaces_the_placement_and_keeps_the_old_one(wire: Stack) -> None:
    ids = setup(wire)
    with wire.session() as s:
        other = school(s, "LYC", "Lyceum", ["aso"], [2, 3])
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    old = placements_of(wire, ids["anna"])[0]
    wire.ws.click("U0SUP", "placement_change", str(old.id), message=wire.ws.messages("U0SUP")[-1])
    view = wire.ws.open_views("U0SUP")[-1]
    assert "bestaande stageplaats" in text_of(view.blocks)
    submit(wire, "U0SUP", view, other, ["VDX1:observation"], "aso", "3")
    first, second = placements_of(wire, ids["anna"])
    assert first.status == PlacementStatus.REPLACED and second.replaces_id == first.id
    assert "werd gewijzigd" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)


def test_a_forged_withdraw_by_another_supervisor_changes_nothing(wire: Stack) -> None:
    ids = setup(wire)
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    placement = placements_of(wire, ids["anna"])[0]
    wire.ws.slash_command("U0OTHER", "/stage", "help")
    from workspace.state import Message

    forged = Message(ts="1.1", channel=wire.ws.dm_channel("U0OTHER"), user="U0STAGEBOT", text="x")
    with wire.ws.state.lock:
        forged.blocks = [
            {"type": "actions", "block_id": "b", "elements": [
                {"type": "button", "action_id": "placement_withdraw", "value": str(placement.id),
                 "text": {"type": "plain_text", "text": "x"}}]}
        ]  # fmt: skip
        wire.ws.state.add_message(forged)
    wire.ws.click("U0OTHER", "placement_withdraw", str(placement.id))
    assert placements_of(wire, ids["anna"])[0].status == PlacementStatus.ACTIVE
    assert "Dat mag je niet" in wire.ws.calls("response_url")[-1].params["text"]


def _place_and_request(wire: Stack, ids: dict[str, int]) -> None:
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    wire.ws.click("U0ANNA", "placement_request_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    values = {"channel": {"channel": "email"}, "on": {"on": "2026-11-27"}}
    assert wire.ws.submit_view("U0ANNA", view, values).body == ""


def test_the_request_and_a_refusal_notify_the_supervisor_who_places_again(wire: Stack) -> None:
    ids = setup(wire)
    _place_and_request(wire, ids)
    placement = placements_of(wire, ids["anna"])[0]
    assert placement.request_channel == "email" and str(placement.requested_on) == "2026-11-27"
    overview = text_of(wire.ws.slash_command("U0ANNA", "/stage", "aanvraag").json["blocks"])
    assert "aangevraagd op" in overview
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view(
        "U0ANNA", view, {"outcome": {"outcome": "refused"}, "on": {"on": "2026-11-28"}}
    )
    assert "Geef de reden" in answer.json["errors"]["reason"]
    values = {
        "outcome": {"outcome": "refused"},
        "on": {"on": "2026-11-28"},
        "reason": {"reason": "Geen mentor vrij"},
    }
    assert wire.ws.submit_view("U0ANNA", view, values).body == ""
    refused = placements_of(wire, ids["anna"])[0]
    assert refused.status == PlacementStatus.REFUSED and refused.refusal_reason == "Geen mentor vrij"
    note = wire.ws.messages("U0SUP")[-1]
    assert "kreeg een weigering van Atheneum" in text_of(note.blocks) and "Geen mentor vrij" in text_of(
        note.blocks
    )
    with wire.session() as s:
        lyc = school(s, "LYC", "Lyceum", ["aso"], [2, 3])
    wire.ws.click("U0SUP", "placement_again", message=note)
    view = wire.ws.open_views("U0SUP")[-1]
    assert "Stageplaats voor <@U0ANNA>" in text_of(view.blocks)
    submit(wire, "U0SUP", view, lyc, ["VDX1:observation"], "aso", "2")
    assert [p.status for p in placements_of(wire, ids["anna"])] == ["refused", "active"]


def test_an_answer_date_in_the_future_is_refused(wire: Stack) -> None:
    ids = setup(wire)
    _place_and_request(wire, ids)
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view(
        "U0ANNA", view, {"outcome": {"outcome": "accepted"}, "on": {"on": "2026-12-05"}}
    )
    assert "in de toekomst" in answer.json["errors"]["on"]
    assert placements_of(wire, ids["anna"])[0].answer == "pending"


def test_contacts_are_recorded_and_shown_beside_the_programmes_people(wire: Stack) -> None:
    ids = setup(wire)
    _place_and_request(wire, ids)
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    wire.ws.submit_view("U0ANNA", view, {"outcome": {"outcome": "accepted"}, "on": {"on": "2026-11-28"}})
    assert state(wire, ids["anna"], Step.CONTACT) == "not_started"
    contacts = wire.ws.slash_command("U0ANNA", "/stage", "contacten")
    assert "Op je stageschool" in text_of(contacts.json["blocks"])
    wire.ws.click(
        "U0ANNA", "placement_contacts_open", str(ids["atheneum"]), message=wire.ws.ephemerals("U0ANNA")[-1]
    )
    view = wire.ws.open_views("U0ANNA")[-1]
    assert "Mevr. Peeters" in str(view.blocks)  # the school's contact person is filled in already
    bad = wire.ws.submit_view(
        "U0ANNA",
        view,
        {"mentor1_name": {"mentor1_name": "Jan"}, "mentor1_email": {"mentor1_email": "geen-adres"}},
    )
    assert "geen geldig e-mailadres" in bad.json["errors"]["mentor1_email"]
    with wire.session() as s:
        assert s.exec(select(SchoolContacts)).first() is None
    values = {
        "contact_name": {"contact_name": "Mevr. Peeters"},
        "contact_email": {"contact_email": "peeters@atheneum.be"},
        "mentor1_name": {"mentor1_name": "Jan Janssens"},
        "mentor1_phone": {"mentor1_phone": "09 123 45 67"},
        "school_mentor_name": {"school_mentor_name": "An Smet"},
        "rules": {"rules": ["read"]},
        "introduction": {"introduction": "2026-12-01"},
    }
    assert wire.ws.submit_view("U0ANNA", view, values).body == ""
    saved = [m for m in wire.ws.messages("U0ANNA") if "contacten op school zijn bewaard" in m.text]
    assert len(saved) == 1 and "Jan Janssens" in text_of(saved[0].blocks)
    with wire.session() as s:
        record = s.exec(select(SchoolContacts)).one()
        assert record.subject_mentors == [{"name": "Jan Janssens", "email": "", "phone": "09 123 45 67"}]
        assert str(record.introduction_on) == "2026-12-01" and record.rules_read_on is not None
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "contacts").json["blocks"])
    assert "Vakmentor: Jan Janssens · 09 123 45 67" in shown and "Schoolmentor: An Smet" in shown
    detail = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "contacten en kennismaking genoteerd" in detail


def test_a_student_cannot_record_for_a_school_they_are_not_placed_at(wire: Stack) -> None:
    ids = setup(wire)
    _place_and_request(wire, ids)
    wire.ws.slash_command("U0ANNA", "/stage", "aanvraag")
    message = wire.ws.ephemerals("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["museum"]), message=message)
    assert wire.ws.open_views("U0ANNA") == []
    assert "geen stageplaats van jou" in wire.ws.calls("response_url")[-1].params["text"]
