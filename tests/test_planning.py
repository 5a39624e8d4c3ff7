"""Steps 7 and 8 through the wire: typed lessons, the preview, submitting, the supervisor's decision, the
start gate in each blocking state, permissions, the lesson modal and the school's bell schedule."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from models import agreements, placements
from models.people import Role
from models.placements import Proposal
from models.planning import PlannedLesson, PlanningVersion, StartClearance
from models.progress import Step, StepProgress
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from workspace.state import Message

# Subject didactics X 2 (semester 2, 15 Feb - 2 Apr 2027): co-teaching 2 h and guided teaching 7 h.
COMPLETE = "\n".join(
    [
        "ma 15/2 10u-10u50 5B co-teaching lokaal 204 breuken",
        "di 16/2 10u-10u50 5B co-teaching",
        *(f"{d}/2 10u-10u50 5B begeleid lokaal 204" for d in (17, 18, 19, 22, 23, 24, 25)),
    ]
)


def setup(
    wire: Stack, *, framework: bool = True, approved: bool = True, course: str = "VDX2", grade: int = 3
) -> dict[str, int]:
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        factories.student(s, "U0BEN", "Ben Peeters", supervisor=sup)
        school = Institution(
            code="ATH",
            name="Atheneum",
            city="Gent",
            levels=["aso", "tso"],
            grades=[1, 2, 3],
            uses_lerarenstage=True,
        )
        s.add(school)
        s.flush()
        assert anna.id is not None and sup.id is not None and school.id is not None
        course_activities = {"VDX2": ("co_teaching", "guided"), "VDX1": ("observation", "co_teaching")}
        semester = 2 if course == "VDX2" else 1
        placement = placements.place(
            s,
            wire.services.catalogue,
            anna.id,
            school,
            Proposal(course, course_activities[course], semester, "aso", grade),
            actor_id=sup.id,
            now=NOW,
            approved=approved,
        )
        placement.answer = "accepted"  # the school said yes (step 4)
        s.add(placement)
        if framework:
            agreements.add_framework(
                s, school.id, date(2026, 9, 1), None, actor_id=None, now=NOW, signed_on=date(2026, 9, 1)
            )
        ids = {"anna": anna.id, "sup": sup.id, "school": school.id, "placement": placement.id or 0}
    wire.sync_users()
    return ids


def step(wire: Stack, student_id: int, which: Step) -> str | None:
    with wire.session() as s:
        row = s.get(StepProgress, (student_id, int(which)))
        return row.state if row else None


def lessons(wire: Stack, placement_id: int) -> list[tuple[int, str, date]]:
    with wire.session() as s:
        rows = s.exec(
            select(PlanningVersion.number, PlanningVersion.status, PlannedLesson.day)
            .join(PlannedLesson, PlannedLesson.version_id == PlanningVersion.id)  # type: ignore[arg-type]
            .where(PlanningVersion.placement_id == placement_id)
            .order_by(PlanningVersion.number, PlannedLesson.day)  # type: ignore[arg-type]
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def type_lessons(wire: Stack, placement_id: int, text: str, who: str = "U0ANNA") -> Any:
    """Open the conversation, send the text, wait for the reading after the ack; the preview message."""
    shown = wire.ws.slash_command(who, "/stage", "planning")
    assert shown.ok
    wire.ws.click(who, "planning_type", str(placement_id))
    wire.ws.send_dm(who, text)
    wire.services.outbox.settle()
    return wire.ws.messages(who)[-1]


def save(wire: Stack, preview: Any) -> None:
    wire.ws.click("U0ANNA", "planning_save", message=preview)


def submit(wire: Stack, placement_id: int) -> str:
    wire.ws.slash_command("U0ANNA", "/stage", "planning")
    wire.ws.click("U0ANNA", "planning_submit", str(placement_id))
    return text_of(wire.ws.messages("U0ANNA")[-1].blocks)


def test_typed_lessons_are_previewed_line_by_line_and_saved_only_on_confirmation(wire: Stack) -> None:
    ids = setup(wire)
    text = "\n".join(
        [
            "ma 15/2 10u-10u50 5B co-teaching lokaal 204 breuken",
            "di 15/2 11u-11u50 5B begeleid",  # 15 February is a Monday
            "5/4 10u-10u50 5B begeleid",  # after the period
            "ma 15/2 10u30-11u20 5B begeleid",  # overlaps line 1
            "ergens in februari",
            "Tue 16 Feb 9am-9:50am 4A room 3 guided",
        ]
    )
    preview = type_lessons(wire, ids["placement"], text)
    shown = text_of(preview.blocks)
    assert "Ik las 6 regels; 2 daarvan kunnen als les bewaard worden" in shown
    assert "maandag 15 februari 2027 is geen dinsdag" in shown
    assert "Buiten de stageperiode" in shown and "Overlapt met een andere les (10:00–10:50)" in shown
    assert "Geen uur gevonden" in shown
    assert "lokaal 204" in shown and "_breuken_" in shown
    assert lessons(wire, ids["placement"]) == []  # nothing saved before the confirmation
    save(wire, preview)
    assert "2 lessen bewaard" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert lessons(wire, ids["placement"]) == [
        (1, "draft", date(2027, 2, 15)),
        (1, "draft", date(2027, 2, 16)),
    ]
    assert step(wire, ids["anna"], Step.PLANNING) == "in_progress"
    replaced = next(m for m in wire.ws.messages("U0ANNA") if m.ts == preview.ts)
    assert "planning_save" not in str(replaced.blocks)  # the confirmation cannot be clicked twice


def test_a_lesson_on_a_sunday_or_a_holiday_is_flagged_and_never_saved_or_submitted(wire: Stack) -> None:
    ids = setup(wire)
    text = "zondag 7 maart 2027 10u-10u50 5B begeleid\ndi 30/3 10u-10u50 5B begeleid"  # 30/3: paasvakantie
    preview = type_lessons(wire, ids["placement"], text)
    shown = text_of(preview.blocks)
    assert "Ik las 2 regels; 0 daarvan kunnen als les bewaard worden" in shown
    assert "7 mrt 2027 is een zondag: geen schooldag" in shown
    assert "30 mrt 2027 is een vakantie- of sluitingsdag" in shown
    assert ":white_check_mark:" not in shown and "planning_save" not in str(preview.blocks)
    # the lesson form refuses it at the date field too
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    modal = wire.ws.open_views("U0ANNA")[-1]
    values = {
        "day": {"day": "2027-03-07"}, "start": {"start": "10:00"}, "end": {"end": "10:50"},
        "activity": {"activity": "guided"},
    }  # fmt: skip
    answer = wire.ws.submit_view("U0ANNA", modal, values)
    assert "geen schooldag" in answer.json["errors"]["day"]
    assert lessons(wire, ids["placement"]) == []


def test_the_readme_example_typed_straight_in_the_dm_is_read_for_the_students_placement(wire: Stack) -> None:
    setup(wire)
    wire.ws.send_dm("U0ANNA", "ma 15/2 10u-10u50 5B lokaal 204 breuken")  # no "Lessen typen" first
    wire.services.outbox.settle()
    shown = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "Ik begrijp je bericht niet" not in shown
    assert "Ik las 1 regel;" in shown and "Voor *Vakdidactiek X 2* bij Atheneum (Gent)" in shown
    # two activities are possible here: the line must say which (not "Activiteit ? hoort niet bij")
    assert "Welke activiteit is deze les? Zet ze in de regel: co-teaching, begeleide stage." in shown
    assert "Activiteit ?" not in shown
    # the next lines go to the same placement (the only one they fit); once co-teaching has its two
    # hours, guided teaching is the only activity left, and the preview says it was taken
    text = "ma 15/2 10u-10u50 5B co-teaching\ndi 16/2 10u-10u50 5B co-teaching\nwo 17/2 10u-10u50 5B breuken"
    wire.ws.send_dm("U0ANNA", text)
    wire.services.outbox.settle()
    preview = wire.ws.messages("U0ANNA")[-1]
    shown = text_of(preview.blocks)
    assert "3 daarvan kunnen als les bewaard worden" in shown
    assert "begeleide stage (de enige activiteit die past)" in shown
    save(wire, preview)
    with wire.session() as s:
        saved = {x.day.day: x.activity for x in s.exec(select(PlannedLesson))}
    assert saved == {15: "co_teaching", 16: "co_teaching", 17: "guided"}
    # no conversation was opened by typing straight in the DM: a chat message is not read as a lesson
    wire.ws.send_dm("U0ANNA", "bedankt!")
    wire.services.outbox.settle()
    assert "Ik begrijp je bericht niet" in wire.ws.messages("U0ANNA")[-1].text


def test_lessons_typed_in_the_dm_that_fit_several_placements_ask_which_one(wire: Stack) -> None:
    ids = setup(wire)
    with wire.session() as s:
        school = s.get_one(Institution, ids["school"])
        tutoring = placements.place(
            s, wire.services.catalogue, ids["anna"], school, Proposal("LIL", ("tutoring",), 2, "aso", 2),
            actor_id=ids["sup"], now=NOW, approved=True,
        )  # fmt: skip
        tutoring_id = tutoring.id
    wire.ws.send_dm("U0ANNA", "ma 15/2 10u-10u50 5B lokaal 204 breuken")
    wire.services.outbox.settle()
    question = wire.ws.messages("U0ANNA")[-1]
    asked = text_of(question.blocks)
    assert "Voor welke stage zijn deze lessen?" in asked
    assert "*Vakdidactiek X 2* bij Atheneum (Gent)" in asked and "*Leren van individuele leerlingen*" in asked
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).first() is None  # nothing opened before the choice
    wire.ws.click("U0ANNA", "planning_pick", block_id=f"pick:{tutoring_id}", message=question)
    wire.services.outbox.settle()
    chosen = next(m for m in wire.ws.messages("U0ANNA") if m.ts == question.ts)
    assert "planning_pick" not in str(chosen.blocks)  # the question is answered, not clickable again
    preview = wire.ws.messages("U0ANNA")[-1]
    shown = text_of(preview.blocks)
    assert "Voor *Leren van individuele leerlingen* bij Atheneum (Gent)" in shown
    assert "tutorstage (de enige activiteit die past)" in shown and ":white_check_mark:" in shown
    save(wire, preview)
    with wire.session() as s:
        version = s.exec(select(PlanningVersion)).one()
        assert version.placement_id == tutoring_id
        assert [x.activity for x in s.exec(select(PlannedLesson))] == ["tutoring"]
    # a forged choice of another student's placement is refused and opens nothing
    value = json.dumps({"placement": ids["placement"], "text": "ma 15/2 10u-10u50 5B begeleid"})
    forged = Message(ts="1.1", channel=wire.ws.dm_channel("U0BEN"), user="U0STAGEBOT", text="x")
    with wire.ws.state.lock:
        forged.blocks = [
            {"type": "section", "block_id": "b", "text": {"type": "mrkdwn", "text": "x"}, "accessory": {
                "type": "button", "action_id": "planning_pick", "value": value,
                "text": {"type": "plain_text", "text": "x"}}}
        ]  # fmt: skip
        wire.ws.state.add_message(forged)
    wire.ws.click("U0BEN", "planning_pick", message=forged)
    wire.services.outbox.settle()
    assert "niet jouw stageplaats" in wire.ws.calls("response_url")[-1].params["text"]
    with wire.session() as s:
        assert len(s.exec(select(PlanningVersion)).all()) == 1


def test_a_plain_dm_that_is_no_lesson_still_gets_the_pointer_to_the_help(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.send_dm("U0ANNA", "hallo, hoe gaat het?")
    wire.services.outbox.settle()
    assert "Ik begrijp je bericht niet" in wire.ws.messages("U0ANNA")[-1].text
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).first() is None
    assert lessons(wire, ids["placement"]) == []


def test_submission_is_refused_with_every_reason_until_the_hours_are_reached(wire: Stack) -> None:
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], "ma 15/2 10u-10u50 5B co-teaching"))
    refused = submit(wire, ids["placement"])
    assert "kan nog niet ingediend worden" in refused
    assert "co-teaching: 1 u ingepland, 2 u vereist" in refused
    assert "7 u vereist" in refused
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).one().status == "draft"
    assert [m for m in wire.ws.messages("U0SUP") if "Stagerooster" in m.text] == []


def test_the_approval_round_trip_and_the_start_gate(wire: Stack) -> None:
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    sent = submit(wire, ids["placement"])
    assert "ingediend bij <@U0SUP>" in sent and "laattijdig" not in sent
    assert step(wire, ids["anna"], Step.PLANNING) == "awaiting_review"
    review = wire.ws.messages("U0SUP")[-1]
    assert "<@U0ANNA> diende een stagerooster in" in text_of(review.blocks) and "9 lessen" in text_of(
        review.blocks
    )
    # another supervisor cannot decide (a forwarded or forged click)
    wire.ws.click("U0OTHER", "planning_approve", message=review)
    assert "eigen studenten" in wire.ws.ephemerals("U0OTHER")[-1].text
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).one().status == "submitted"
    # request changes: a reason is required
    wire.ws.click("U0SUP", "planning_changes", message=review)
    modal = wire.ws.open_views("U0SUP")[-1]
    assert (
        "Schrijf wat"
        in wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": ""}}).json["errors"]["reason"]
    )
    wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": "Spreid de lessen over meer weken"}})
    decided = next(m for m in wire.ws.messages("U0SUP") if m.ts == review.ts)
    assert "Spreid de lessen" in text_of(decided.blocks)
    assert not any(b.get("type") == "actions" for b in decided.blocks)  # the buttons are gone
    assert "vraagt aanpassingen" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert step(wire, ids["anna"], Step.PLANNING) == "sent_back"
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "het stagerooster moet aangepast worden" in status
    # the student changes it (a new version with the same lessons plus one) and submits again
    save(wire, type_lessons(wire, ids["placement"], "1/3 10u-10u50 5B begeleid"))
    assert "ingediend" in submit(wire, ids["placement"])
    review = wire.ws.messages("U0SUP")[-1]
    wire.ws.click("U0SUP", "planning_approve", message=review)
    decided = next(m for m in wire.ws.messages("U0SUP") if m.ts == review.ts)
    assert "<@U0SUP>" in text_of(decided.blocks) and "Teruggestuurd" not in text_of(decided.blocks)
    assert not any(b.get("type") == "actions" for b in decided.blocks)
    told = [text_of(m.blocks) for m in wire.ws.messages("U0ANNA")[-2:]]
    assert "is goedgekeurd" in told[0]
    assert "Je mag starten" in told[1] and "evaluatieformulieren" in told[1]
    assert step(wire, ids["anna"], Step.PLANNING) == "done"
    assert step(wire, ids["anna"], Step.APPROVAL) == "done"
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Vakdidactiek X 2: je mag starten" in status
    with wire.session() as s:
        assert [v.status for v in s.exec(select(PlanningVersion).order_by(PlanningVersion.number))] == [
            "superseded",
            "approved",
        ]
        assert len(s.exec(select(StartClearance)).all()) == 1


def test_after_approval_a_change_needs_approval_and_the_approved_version_stays_visible(wire: Stack) -> None:
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    save(wire, type_lessons(wire, ids["placement"], "1/3 10u-10u50 5B begeleid"))
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "planning").json["blocks"])
    assert "Versie 1: goedgekeurd" in shown and "Versie 2: in opmaak" in shown
    assert step(wire, ids["anna"], Step.APPROVAL) == "done"  # the approved version still holds
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "versie 1 blijft goedgekeurd" in status


def test_the_start_gate_names_each_blocker(wire: Stack) -> None:
    ids = setup(wire, framework=False, approved=False)
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "de stageplaats is nog niet goedgekeurd" in status
    assert "de stageovereenkomst is nog niet door iedereen ondertekend" in status
    assert "er is nog geen stagerooster" in status
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "het stagerooster is nog niet ingediend" in status
    submit(wire, ids["placement"])
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "het stagerooster wacht op goedkeuring" in status
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "nog niet starten, want de stageplaats is nog niet goedgekeurd" in status
    assert "er is nog geen stagerooster" not in status
    assert step(wire, ids["anna"], Step.APPROVAL) == "not_started"
    assert not any("Je mag starten" in text_of(m.blocks) for m in wire.ws.messages("U0ANNA"))


def test_a_late_planning_is_marked_and_needs_the_explicit_approval_of_the_late_start(wire: Stack) -> None:
    ids = setup(wire, course="VDX1", grade=3)  # 9 Nov - 4 Dec 2026: the first lesson is days away
    text = "\n".join(
        ["ma 30/11 10u-10u50 5B observatie", "di 1/12 10u-10u50 5B observatie",
         "wo 2/12 10u-10u50 5B co-teaching", "do 3/12 10u-10u50 5B co-teaching"]
    )  # fmt: skip
    save(wire, type_lessons(wire, ids["placement"], text))
    sent = submit(wire, ids["placement"])
    assert "laattijdig" in sent and "late start uitdrukkelijk goedkeuren" in sent
    review = text_of(wire.ws.messages("U0SUP")[-1].blocks)
    assert "Laattijdig" in review and "ook de late start goedkeuren" in review
    with wire.session() as s:
        assert s.exec(select(PlanningVersion)).one().late is True


def test_the_lesson_modal_refuses_bad_input_and_adds_and_deletes_lessons(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "planning")
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    modal = wire.ws.open_views("U0ANNA")[-1]
    bad = {"day": {"day": "2027-02-15"}, "start": {"start": "10u70"}, "end": {"end": "10:50"}}
    assert "Geef een uur" in wire.ws.submit_view("U0ANNA", modal, bad).json["errors"]["start"]
    outside = {"day": {"day": "2027-04-10"}, "start": {"start": "10:00"}, "end": {"end": "10:50"}}
    assert "Buiten de stageperiode" in wire.ws.submit_view("U0ANNA", modal, outside).json["errors"]["day"]
    assert lessons(wire, ids["placement"]) == []
    good = {
        "day": {"day": "2027-02-15"},
        "start": {"start": "10u"},
        "end": {"end": "10u50"},
        "activity": {"activity": "guided"},
        "class_name": {"class_name": "5B"},
        "mentor": {"mentor": "An Peeters"},
    }
    assert wire.ws.submit_view("U0ANNA", modal, good).ok
    with wire.session() as s:
        lesson = s.exec(select(PlannedLesson)).one()
        assert (lesson.class_name, lesson.mentor, lesson.activity) == ("5B", "An Peeters", "guided")
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    modal = wire.ws.open_views("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "planning_delete", view=modal)
    assert lessons(wire, ids["placement"]) == []


def test_each_student_sees_only_their_own_planning_and_staff_get_a_pointer(wire: Stack) -> None:
    setup(wire)
    theirs = text_of(wire.ws.slash_command("U0BEN", "/stage", "planning").json["blocks"])
    assert "nog geen stageplaats" in theirs and "Atheneum" not in theirs
    shown = text_of(wire.ws.slash_command("U0SUP", "/stage", "planning").json["blocks"])
    assert "voor studenten" in shown


def test_the_schools_bell_schedule_is_entered_once_and_read_in_lesson_periods(wire: Stack) -> None:
    ids = setup(wire)
    # before: the refusal names the school and the command with its code (the student never saw "ATH")
    unknown = text_of(type_lessons(wire, ids["placement"], "wo 17/2 3e lesuur 5B begeleid").blocks)
    assert "Lesuur 3: de lesuren van Atheneum (Gent) zijn nog niet gekend" in unknown
    assert "`/stage planning lesuren ATH`" in unknown and "SCHOOLCODE" not in unknown
    bad = text_of(
        wire.ws.slash_command("U0ANNA", "/stage", "planning lesuren ATH\n1 8u25\n2 9u15-10u05").json["blocks"]
    )
    assert "kon ik niet lezen: 1" in bad
    saved = wire.ws.slash_command(
        "U0ANNA", "/stage", "planning lesuren ATH\n1 8u25-9u15\n2 9u15-10u05\n3 10u20-11u10"
    )
    assert "3 lesuren van Atheneum bewaard" in text_of(saved.json["blocks"])
    preview = type_lessons(
        wire, ids["placement"], "ma 15/2 3e lesuur 5B begeleid\nma 15/2 8e lesuur 5B begeleid"
    )
    shown = text_of(preview.blocks)
    assert "10:20–11:10" in shown and "Atheneum (Gent) heeft geen lesuur 8" in shown


def test_an_agreement_signed_last_clears_the_start_too(wire: Stack) -> None:
    ids = setup(wire, framework=False)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    assert not any("Je mag starten" in text_of(m.blocks) for m in wire.ws.messages("U0ANNA"))
    assert step(wire, ids["anna"], Step.APPROVAL) == "not_started"
    wire.ws.slash_command("U0ANNA", "/stage", "overeenkomst")
    wire.ws.click("U0ANNA", "agreement_contract_open", str(ids["school"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    signed = {
        "start": {"start": "2027-02-15"},
        "end": {"end": "2027-04-02"},
        **{party: {party: "2026-11-27"} for party in ("student", "school", "university")},
    }
    assert wire.ws.submit_view("U0ANNA", view, signed).body == ""
    started = [text_of(m.blocks) for m in wire.ws.messages("U0ANNA") if "Je mag starten" in text_of(m.blocks)]
    assert len(started) == 1 and "evaluatieformulieren" in started[0]
    assert step(wire, ids["anna"], Step.APPROVAL) == "done"


def test_the_supervisor_sees_the_approved_planning_and_a_waiting_change_in_the_students_record(
    wire: Stack,
) -> None:
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    save(wire, type_lessons(wire, ids["placement"], "1/3 10u-10u50 5B begeleid"))
    wire.ws.slash_command("U0SUP", "/stage", "studenten")
    wire.ws.click("U0SUP", "student_detail", str(ids["anna"]), message=wire.ws.ephemerals("U0SUP")[-1])
    detail = text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    assert "Versie 1: goedgekeurd" in detail and "Versie 2: in opmaak" in detail
    assert "begeleide stage: 7/7 u" in detail and "begeleide stage: 8/7 u" in detail
    assert "Vakdidactiek X 2: je mag starten" in detail


def test_an_english_speaking_student_types_english_lines_and_reads_english(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "language en")
    text = "Tue 16 Feb 9am-9:50am 4A room 3 guided\nWed 16 Feb 10am-10:50am 4A guided"
    preview = text_of(type_lessons(wire, ids["placement"], text).blocks)
    assert "I read 2 lines; 1 of them can be saved as a lesson" in preview
    assert "Tuesday, 16 February 2027 is not a Wednesday" in preview
    assert "guided teaching · 4A · room 3" in preview
    assert lessons(wire, ids["placement"]) == []


def test_a_planning_not_submitted_by_its_deadline_is_marked_late(wire: Stack) -> None:
    ids = setup(wire)
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "planning").json["blocks"])
    assert "Indienen uiterlijk 1 feb 2027" in shown and "te laat" not in shown
    wire.services.clock.freeze(datetime(2027, 2, 2, 9, tzinfo=UTC))  # the day after the deadline
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "planning").json["blocks"])
    assert "Indienen uiterlijk 1 feb 2027 ⚠️ *te laat*" in shown
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "planning").json["blocks"])
    assert "te laat" not in shown.split("Versie")[0]  # submitted (late, but not missing any more)


def started(wire: Stack) -> list[str]:
    return [text_of(m.blocks) for m in wire.ws.messages("U0ANNA") if "Je mag starten" in text_of(m.blocks)]


def test_an_agreement_the_coordinator_records_last_tells_the_student_at_once_and_only_once(
    wire: Stack,
) -> None:
    ids = setup(wire, framework=False)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    assert started(wire) == []
    added = wire.ws.slash_command("U0COORD", "/stage", "overeenkomsten add ATH 2026-09-01")
    assert "Atheneum" in added.json["text"]
    wire.services.outbox.settle()
    told = started(wire)
    assert len(told) == 1 and "evaluatieformulieren" in told[0]
    assert step(wire, ids["anna"], Step.APPROVAL) == "done"
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    approval = status[status.index("8. ") :]
    assert "in orde" in approval.splitlines()[0] and "niet gestart" not in approval
    assert "Vakdidactiek X 2: je mag starten" in approval
    # what the student does next is answered on its own: nothing glued to it
    save(wire, type_lessons(wire, ids["placement"], "1/3 10u-10u50 5B begeleid"))
    wire.services.outbox.settle()
    assert len(started(wire)) == 1
    assert "mag starten" not in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
