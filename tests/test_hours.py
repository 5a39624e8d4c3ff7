"""Hours done through the wire: an approved planning, the lesson-day DM once the clock passed the day,
given / moved, the supervisor's weekly confirmation (the one review), completion, and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from bot.app import web_client
from models.hours import HoursConfirmation, HoursEntry, LessonDayNotice
from models.people import Role
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.schools import Institution
from scheduler.runner import Runner
from tests import factories
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from tests.test_planning import COMPLETE, save, setup, submit, type_lessons


def approved(wire: Stack) -> dict[str, int]:
    """Anna's Subject didactics X 2 (15 Feb - 2 Apr 2027) planned and approved: 9 lessons of 50 min."""
    ids = setup(wire)
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    return ids


def tick_at(wire: Stack, moment: datetime) -> None:
    wire.services.clock.freeze(moment)
    assert Runner(wire.services, web_client(wire.services), "test").tick()
    wire.services.outbox.settle()


def day_dms(wire: Stack, who: str = "U0ANNA") -> list[str]:
    return [text_of(m.blocks) for m in wire.ws.messages(who) if "Je lessen van" in text_of(m.blocks)]


def entries(wire: Stack) -> list[tuple[date, str, float]]:
    with wire.session() as s:
        return [(e.day, e.state, e.hours) for e in s.exec(select(HoursEntry).order_by(HoursEntry.day))]


def status(wire: Stack, who: str = "U0ANNA") -> str:
    return text_of(wire.ws.slash_command(who, "/stage", "status").json["blocks"])


MONDAY_EVENING = datetime(2027, 2, 15, 17, 0, tzinfo=UTC)  # 18:00 in Brussels, after the 10:00 lesson


def test_a_period_from_lesson_day_to_confirmed_hours(wire: Stack) -> None:
    ids = approved(wire)
    tick_at(wire, datetime(2027, 2, 15, 9, 0, tzinfo=UTC))  # 10:00: the lesson has not ended
    assert day_dms(wire) == []
    tick_at(wire, MONDAY_EVENING)
    tick_at(wire, MONDAY_EVENING.replace(hour=18))  # a second tick the same day asks nothing again
    assert len(day_dms(wire)) == 1
    assert "maandag 15 februari 2027" in day_dms(wire)[0] and "nog niet aangeduid" in day_dms(wire)[0]
    day = next(m for m in wire.ws.messages("U0ANNA") if "Je lessen van" in text_of(m.blocks))
    wire.ws.click("U0ANNA", "hours_given", message=day)
    redrawn = next(m for m in wire.ws.messages("U0ANNA") if m.ts == day.ts)
    assert "gegeven" in text_of(redrawn.blocks)
    wire.ws.click("U0ANNA", "hours_given", message=redrawn)  # a double click stores it once
    assert entries(wire) == [(date(2027, 2, 15), "given", 1.0)]

    # Tuesday's lesson was moved to Friday 26 February: within the period and the rules, no new approval
    tick_at(wire, datetime(2027, 2, 16, 17, 0, tzinfo=UTC))
    tuesday = [m for m in wire.ws.messages("U0ANNA") if "Je lessen van" in text_of(m.blocks)][-1]
    assert "dinsdag 16 februari 2027" in text_of(tuesday.blocks)
    wire.ws.click("U0ANNA", "hours_move", message=tuesday)
    modal = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view(
        "U0ANNA", modal, {"day": {"day": "2027-02-26"}, "start": {"start": "10:00"}, "end": {"end": "10:50"}}
    )
    assert answer.ok and not (answer.json or {}).get("errors")
    wire.services.outbox.settle()
    with wire.session() as s:
        version = s.exec(select(PlanningVersion).where(PlanningVersion.status == "approved")).one()
        days = [x.day for x in s.exec(select(PlannedLesson).where(PlannedLesson.version_id == version.id))]
    assert date(2027, 2, 16) not in days and date(2027, 2, 26) in days
    moved = next(m for m in wire.ws.messages("U0ANNA") if m.ts == tuesday.ts)
    assert "Je stagerooster blijft goedgekeurd" in text_of(moved.blocks)

    # Monday 22 February: the week of 15 February goes to the supervisor, once
    tick_at(wire, datetime(2027, 2, 22, 7, 0, tzinfo=UTC))
    tick_at(wire, datetime(2027, 2, 22, 7, 5, tzinfo=UTC))
    asks = [m for m in wire.ws.messages("U0SUP") if "Uren om te bevestigen" in m.text]
    assert len(asks) == 1
    assert "<@U0ANNA> deed in de week van 15 feb 2027 1 u stage" in text_of(asks[0].blocks)
    # another supervisor may not confirm
    wire.ws.click("U0OTHER", "hours_approve", message=asks[0])
    assert "eigen studenten" in wire.ws.ephemerals("U0OTHER")[-1].text
    # before the confirmation, the status counts the hour as done, not confirmed
    assert "Vakdidactiek X 2: 0 van 9 u bevestigd (1 u gedaan)" in status(wire)
    wire.ws.click("U0SUP", "hours_approve", message=asks[0])
    decided = next(m for m in wire.ws.messages("U0SUP") if m.ts == asks[0].ts)
    assert not any(b.get("type") == "actions" for b in decided.blocks)
    assert "zijn bevestigd" in wire.ws.messages("U0ANNA")[-1].text
    shown = status(wire)
    assert "Vakdidactiek X 2: 1 van 9 u bevestigd (1 u gedaan)" in shown
    assert "nog 1 u co-teaching voor Vakdidactiek X 2" in shown and "nog 11 u in de 2de/3de graad" in shown
    # a correction after the confirmation is refused and changes nothing
    wire.ws.click("U0ANNA", "hours_not_held", message=redrawn)
    assert "al bevestigd" in wire.ws.calls("response_url")[-1].params["text"]
    assert entries(wire) == [(date(2027, 2, 15), "given", 1.0)]
    with wire.session() as s:
        record = s.exec(select(HoursConfirmation)).one()
        assert (record.state, record.by_id) == ("confirmed", ids["sup"])
    # the supervisor and the coordinator see that Anna is behind: 1 h confirmed, lessons of 4 h passed
    for who in ("U0SUP", "U0COORD"):
        behind = text_of(wire.ws.slash_command(who, "/stage", "uren").json["blocks"])
        assert "1 van 2 studenten" in behind or "1 van 1 studenten" in behind
        assert "<@U0ANNA>: 1 u bevestigd, 1 u gedaan, 9 u vereist" in behind


def test_sent_back_hours_go_back_to_the_student_with_the_note_and_are_asked_again(wire: Stack) -> None:
    approved(wire)
    tick_at(wire, MONDAY_EVENING)
    wire.ws.click("U0ANNA", "hours_given", message=wire.ws.messages("U0ANNA")[-1])
    tick_at(wire, datetime(2027, 2, 22, 7, 0, tzinfo=UTC))
    ask = next(m for m in wire.ws.messages("U0SUP") if "Uren om te bevestigen" in m.text)
    wire.ws.click("U0SUP", "hours_send_back", message=ask)
    modal = wire.ws.open_views("U0SUP")[-1]
    wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": "Die les ging niet door: staking"}})
    wire.services.outbox.settle()
    told = wire.ws.messages("U0ANNA")[-1]
    assert "Die les ging niet door: staking" in text_of(told.blocks)
    # the student corrects the lesson (allowed now) and asks again
    day = next(m for m in wire.ws.messages("U0ANNA") if "Je lessen van" in text_of(m.blocks))
    wire.ws.click("U0ANNA", "hours_not_held", message=day)
    assert entries(wire) == [(date(2027, 2, 15), "not_held", 1.0)]
    wire.ws.click("U0ANNA", "hours_resubmit", message=told)
    assert "geen uren meer" in wire.ws.calls("response_url")[-1].params["text"]  # nothing counts any more


def test_hours_typed_are_previewed_and_saved_once_on_confirmation(wire: Stack) -> None:
    approved(wire)
    wire.services.clock.freeze(datetime(2027, 3, 10, 12, 0, tzinfo=UTC))  # Wednesday 10 March
    answer = wire.ws.slash_command("U0ANNA", "/stage", "uren di 9/3 2u co-teaching voorbereiding met mentor")
    shown = text_of(answer.json["blocks"])
    assert "2 u co-teaching" in shown and "dinsdag 9 maart 2027" in shown and "Vakdidactiek X 2" in shown
    assert entries(wire) == []  # nothing saved before the confirmation
    preview = wire.ws.ephemerals("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "hours_save", message=preview)
    replaced = next(m for m in wire.ws.ephemerals("U0ANNA") if m.ts == preview.ts)
    assert "hours_save" not in str(replaced.blocks) and "Bewaard: 2 u co-teaching" in replaced.text
    assert entries(wire) == [(date(2027, 3, 9), "logged", 2.0)]
    # typed straight in the DM, the same reading
    wire.ws.send_dm("U0ANNA", "ma 8/3 1u co-teaching overleg")
    wire.services.background.drain()
    wire.services.outbox.settle()
    assert "1 u co-teaching" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)


def test_bad_hours_are_refused_with_a_clear_message_and_change_nothing(wire: Stack) -> None:
    approved(wire)
    wire.services.clock.freeze(datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    cases = {
        "uren 5/4 2u co-teaching": "Buiten de stageperiode",  # after 2 April
        "uren 12/3/2027 2u co-teaching": "moet nog komen",  # in the future
        "uren di 9/3 9u co-teaching": "meer dan een schooldag",  # over a school day
        "uren di 9/3 2u werkplekleertaak": "Welke activiteit",  # not an activity of this placement
        "uren di 9/3 co-teaching": "geen aantal uren",
    }
    for typed, expected in cases.items():
        answer = wire.ws.slash_command("U0ANNA", "/stage", typed)
        assert expected in text_of(answer.json["blocks"]), typed
    assert entries(wire) == []
    # the modal says it at the field
    wire.ws.slash_command("U0ANNA", "/stage", "uren")
    wire.ws.click("U0ANNA", "hours_add")
    modal = wire.ws.open_views("U0ANNA")[-1]
    option = modal.blocks[2]["element"]["options"][0]["value"]
    answer = wire.ws.submit_view(
        "U0ANNA",
        modal,
        {"day": {"day": "2027-04-20"}, "hours": {"hours": "2"}, "activity": {"activity": option}},
    )
    assert "Buiten de stageperiode" in answer.json["errors"]["day"]
    answer = wire.ws.submit_view(
        "U0ANNA",
        modal,
        {"day": {"day": "2027-03-01"}, "hours": {"hours": "twee"}, "activity": {"activity": option}},
    )
    assert "aantal uren" in answer.json["errors"]["hours"]
    assert entries(wire) == []


def test_a_move_outside_the_period_needs_a_new_approval_and_someone_elses_lesson_is_refused(
    wire: Stack,
) -> None:
    approved(wire)
    tick_at(wire, MONDAY_EVENING)
    day = wire.ws.messages("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "hours_move", message=day)
    modal = wire.ws.open_views("U0ANNA")[-1]
    answer = wire.ws.submit_view(
        "U0ANNA", modal, {"day": {"day": "2027-04-12"}, "start": {"start": "10:00"}, "end": {"end": "10:50"}}
    )
    errors = answer.json["errors"]["day"]
    assert "Buiten de stageperiode" in errors and "nieuwe goedkeuring" in errors
    with wire.session() as s:
        lesson = s.exec(select(PlannedLesson).where(PlannedLesson.day == date(2027, 2, 15))).first()
        assert lesson is not None and lesson.start == time(10, 0)
    # Ben clicks Anna's lesson (a forwarded message): refused, nothing stored
    wire.ws.click("U0BEN", "hours_given", message=day)
    assert "niet een les van jouw" in wire.ws.calls("response_url")[-1].params["text"]
    assert entries(wire) == []
    with wire.session() as s:
        assert len(s.exec(select(LessonDayNotice)).all()) == 1


# --- the programme's rules on confirmed hours, at their boundaries -----------------------------------------


def confirmed_hours(wire: Stack, rows: list[tuple[str, str, str, int | None, float]]) -> None:
    """Anna with placements and confirmed hours: (course, activity, level, grade, hours) per row."""
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        school = Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3])
        s.add(school)
        s.flush()
        assert anna.id is not None and school.id is not None
        record = HoursConfirmation(
            student_id=anna.id, week_start=date(2027, 2, 15), state="confirmed", created_at=NOW,
            by_id=sup.id, decided_at=NOW,
        )  # fmt: skip
        s.add(record)
        s.flush()
        made: dict[tuple[str, str, int | None], Placement] = {}
        for i, (course, activity, level, grade, amount) in enumerate(rows):
            placement = made.get((course, level, grade))
            if placement is None:
                activities = [a for c, a, lv, g, _ in rows if (c, lv, g) == (course, level, grade)]
                placement = Placement(
                    student_id=anna.id, institution_id=school.id, course_code=course,
                    activities=list(dict.fromkeys(activities)), semester=2, start=date(2027, 2, 15),
                    end=date(2027, 4, 2), hours=9, level=level, grade=grade, placed_at=NOW,
                )  # fmt: skip
                s.add(placement)
                s.flush()
                made[(course, level, grade)] = placement
            s.add(
                HoursEntry(
                    key=f"extra:{i}", student_id=anna.id, placement_id=placement.id or 0,
                    day=date(2027, 2, 16),
                    activity=activity, level=level, grade=grade, hours=amount, state="logged",
                    confirmation_id=record.id, updated_at=NOW,
                )
            )  # fmt: skip
    wire.sync_users()


@pytest.mark.parametrize(
    ("rows", "short", "not_short"),
    [
        ([("VDX2", "guided", "aso", 3, 11.0)], "nog 1 u in de 2de/3de graad", None),
        ([("VDX2", "guided", "aso", 3, 12.0)], None, "2de/3de graad"),
        ([("VDX2", "guided", "aso", 1, 12.0)], "nog 12 u in de 2de/3de graad", None),
        (
            [("VDX2", "guided", "aso", 3, 12.0), ("VDY2", "guided", "alternative", None, 11.0)],
            "11 u in een alternatieve setting: maximaal 10 u tellen mee (1 u niet)",
            None,
        ),
        (
            [("VDX2", "guided", "aso", 3, 12.0), ("VDY2", "guided", "alternative", None, 10.0)],
            None,
            "alternatieve setting",
        ),
        (
            [("VDX2", "guided", "aso", 3, 7.0), ("VDY2", "guided", "aso", 3, 6.0)],
            "nog 1 u voor Y (evenveel voor X als voor Y: nu 7 u X, 6 u Y)",
            None,
        ),
        ([("VDX2", "guided", "aso", 3, 7.0), ("VDY2", "guided", "aso", 3, 7.0)], None, "evenveel voor X"),
    ],
)
def test_each_rule_is_checked_on_confirmed_hours_and_each_shortfall_named(
    wire: Stack, rows: list[tuple[str, str, str, int | None, float]], short: str | None, not_short: str | None
) -> None:
    confirmed_hours(wire, rows)
    shown = status(wire)
    if short is not None:
        assert short in shown
    if not_short is not None:
        assert not_short not in shown
    overview = text_of(wire.ws.slash_command("U0ANNA", "/stage", "uren").json["blocks"])
    assert "Vakdidactiek X 2" in overview and "u bevestigd van" in overview
