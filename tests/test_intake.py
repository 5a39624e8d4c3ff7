"""Intake meetings through the wire: publishing slots (modal and text), booking with an invite, moving,
cancelling, a supervisor withdrawing a slot, marking the meeting held, and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models.intake import IntakeBooking, IntakeSlot, due_reminders
from models.people import Role
from models.preferences import PreferenceSubmission
from models.progress import Step, StepProgress
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack

TYPED = "slots di 8 dec 14u-15u, 20 min, lokaal B.204"


@pytest.fixture(autouse=True)
def _settled(wire: Stack) -> Iterator[None]:
    """DMs and invites go out after the ack: let them finish inside the test that caused them."""
    yield
    wire.services.outbox.settle()


def _people(wire: Stack, *, supervisor_language: str | None = None) -> dict[str, int]:
    with wire.session() as s:
        coordinator = factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        els = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR, language=supervisor_language)
        bart = factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=els)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters", supervisor=els, language="en")
        jonas = factories.student(s, "U0JONAS", "Jonas Peeters", supervisor=bart)
    wire.sync_users()
    people = {"coord": coordinator, "els": els, "bart": bart, "anna": anna, "lotte": lotte, "jonas": jonas}
    return {k: p.id for k, p in people.items() if p.id is not None}


def _slots(wire: Stack) -> list[IntakeSlot]:
    with wire.session() as s:
        return list(s.exec(select(IntakeSlot).order_by(IntakeSlot.starts_at)))


def _booking(wire: Stack, student_id: int) -> IntakeBooking | None:
    with wire.session() as s:
        return s.exec(select(IntakeBooking).where(IntakeBooking.student_id == student_id)).first()


def _step(wire: Stack, student_id: int) -> str | None:
    with wire.session() as s:
        row = s.get(StepProgress, (student_id, int(Step.INTAKE)))
        return row.state if row else None


def _publish(wire: Stack) -> list[IntakeSlot]:
    wire.ws.slash_command("U0SUP", "/stage", f"intake {TYPED}")
    wire.ws.click("U0SUP", "intake_publish")
    wire.services.outbox.settle()
    return _slots(wire)


def _last(wire: Stack, user_id: str) -> str:
    """What the newest bot message with blocks in the person's DM says (file shares have none)."""
    return text_of(next(m.blocks for m in reversed(wire.ws.messages(user_id)) if m.blocks))


def _invites(wire: Stack, user_id: str) -> list[bytes]:
    """The .ics files shared in the person's DM, oldest first."""
    files = [f for m in wire.ws.messages(user_id) for f in m.files]
    return [wire.ws.state.files[f["id"]].content for f in files if f["name"].endswith(".ics")]


def test_typed_slots_are_previewed_then_published_and_offered_to_the_supervisors_students(
    wire: Stack,
) -> None:
    _people(wire)
    answer = wire.ws.slash_command("U0SUP", "/stage", f"intake {TYPED}")
    preview = text_of(answer.json["blocks"])
    assert "3 intakemomenten" in preview
    assert "dinsdag 8 december 2026" in preview and "14:40–15:00" in preview and "lokaal B.204" in preview
    assert _slots(wire) == []  # nothing saved before the click

    wire.ws.click("U0SUP", "intake_publish")
    wire.services.outbox.settle()
    slots = _slots(wire)
    assert [s.starts_at for s in slots] == [
        datetime(2026, 12, 8, 13, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 13, 20, tzinfo=UTC),
        datetime(2026, 12, 8, 13, 40, tzinfo=UTC),
    ]
    assert {s.place for s in slots} == {"lokaal B.204"}
    assert "3 intakemomenten gepubliceerd" in text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    anna_dm = _last(wire, "U0ANNA")
    assert "Kies een moment voor je intakegesprek" in anna_dm and "14:20" in anna_dm
    assert "Pick a time for your intake meeting" in _last(wire, "U0LOTTE")
    assert wire.ws.messages("U0JONAS") == []  # another supervisor's student

    # Publishing the same text again adds nothing and offers nothing twice.
    _publish(wire)
    assert len(_slots(wire)) == 3
    assert "al gepubliceerd" in text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)


def test_typed_slots_that_cannot_be_read_are_explained_and_nothing_is_saved(wire: Stack) -> None:
    _people(wire)
    answer = wire.ws.slash_command("U0SUP", "/stage", "intake slots wo 8 dec 14u-16u, 20 min\n8 dec 14u-16u")
    text = text_of(answer.json["blocks"])
    assert "niets opgeslagen" in text
    assert "de weekdag klopt niet" in text and "dinsdag 8 december 2026" in text
    assert "hoe lang duurt één gesprek" in text
    past = wire.ws.slash_command("U0SUP", "/stage", "intake slots di 6 okt 14u-16u, 20 min")
    assert "in het verleden" in text_of(past.json["blocks"])
    backwards = wire.ws.slash_command("U0SUP", "/stage", "intake slots 8 dec 16u-14u, 20 min")
    assert "einde moet na het begin" in text_of(backwards.json["blocks"])
    assert _slots(wire) == []
    refused = wire.ws.slash_command("U0ANNA", "/stage", f"intake {TYPED}")
    assert "Enkel stagebegeleiders" in text_of(refused.json["blocks"])
    assert _slots(wire) == []


def test_slots_from_the_modal_show_errors_under_the_field_then_a_preview(wire: Stack) -> None:
    _people(wire)
    wire.ws.slash_command("U0SUP", "/stage", "intake slots")
    [form] = wire.ws.open_views("U0SUP")
    values = {
        "date": {"date": "2026-12-09"},
        "start": {"start": "10:00"},
        "end": {"end": "09:00"},
        "length": {"length": "30"},
        "place": {"place": "https://teams.example/intake"},
    }
    wire.ws.submit_view("U0SUP", form, values)
    [still] = wire.ws.open_views("U0SUP")
    assert still.errors == {"end": "Het einde moet na het begin liggen."}

    wire.ws.submit_view("U0SUP", still, {**values, "date": {"date": "2026-11-20"}, "end": {"end": "11:00"}})
    [still] = wire.ws.open_views("U0SUP")
    assert still.errors == {"date": "Dat moment ligt in het verleden."}
    assert _slots(wire) == []

    wire.ws.submit_view("U0SUP", still, {**values, "end": {"end": "11:00"}})
    [preview] = wire.ws.open_views("U0SUP")
    shown = text_of(preview.blocks)
    assert "2 intakemomenten" in shown and "10:30–11:00" in shown and "teams.example" in shown
    assert _slots(wire) == []

    wire.ws.submit_view("U0SUP", preview)
    wire.services.outbox.settle()
    stored = _slots(wire)
    assert [(s.starts_at.hour, s.starts_at.minute) for s in stored] == [(9, 0), (9, 30)]  # UTC
    assert {s.place for s in stored} == {"https://teams.example/intake"}
    [done] = wire.ws.open_views("U0SUP")
    assert "2 intakemomenten gepubliceerd" in text_of(done.blocks)
    assert "Kies een moment" in _last(wire, "U0ANNA")


def test_a_student_books_and_both_get_a_confirmation_with_a_calendar_invite(wire: Stack) -> None:
    ids = _people(wire)
    slot = _publish(wire)[1]
    wire.ws.click("U0ANNA", f"intake_book_{slot.id}")
    booking = _booking(wire, ids["anna"])
    assert booking is not None and booking.slot_id == slot.id
    assert _step(wire, ids["anna"]) == "in_progress"
    confirmation = _last(wire, "U0ANNA")
    assert "Geboekt" in confirmation and "14:20–14:40" in confirmation and "<@U0SUP>" in confirmation

    wire.services.outbox.settle()
    [invite] = _invites(wire, "U0ANNA")
    ics = invite.decode()
    assert "DTSTART:20261208T132000Z" in ics and "DTEND:20261208T134000Z" in ics
    assert "LOCATION:lokaal B.204" in ics and "Anna De Smet" in ics and "SEQUENCE:0" in ics
    assert len(_invites(wire, "U0SUP")) == 1
    supervisor_dm = text_of([b for m in wire.ws.messages("U0SUP") for b in m.blocks])
    assert "Anna De Smet boekte" in " ".join(m.text for m in wire.ws.messages("U0SUP"))
    assert "Markeer als gehouden" in supervisor_dm
    assert [c.method for c in wire.ws.calls() if c.method.startswith("files.")].count(
        "files.completeUploadExternal"
    ) == 2

    # The student's own view shows the booking, with move and cancel.
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "intake").json["blocks"])
    assert "Je intakegesprek met <@U0SUP>" in shown and "Verplaatsen" in shown


def test_a_student_moves_then_cancels_until_24_hours_before(wire: Stack) -> None:
    ids = _people(wire)
    first, second, _ = _publish(wire)
    wire.ws.click("U0ANNA", f"intake_book_{first.id}")
    wire.ws.click("U0ANNA", "intake_move")
    wire.ws.click("U0ANNA", f"intake_move_to_{second.id}")
    booking = _booking(wire, ids["anna"])
    assert booking is not None and booking.slot_id == second.id and booking.sequence == 1
    assert "Verplaatst" in _last(wire, "U0ANNA")
    wire.services.outbox.settle()
    assert "SEQUENCE:1" in _invites(wire, "U0ANNA")[-1].decode()
    assert any("verplaatste" in m.text for m in wire.ws.messages("U0SUP"))

    wire.ws.click("U0ANNA", "intake_cancel")
    assert _booking(wire, ids["anna"]) is None
    assert _step(wire, ids["anna"]) == "not_started"
    assert "geannuleerd" in _last(wire, "U0ANNA")
    wire.services.outbox.settle()
    assert any("annuleerde" in m.text for m in wire.ws.messages("U0SUP"))
    assert "METHOD:CANCEL" in _invites(wire, "U0ANNA")[-1].decode()

    # Booked again, then within 24 h: no more moving or cancelling.
    wire.ws.click("U0ANNA", f"intake_book_{first.id}")
    wire.services.clock.advance(timedelta(days=9, hours=4))  # 7 December 14:00 Brussels
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "intake").json["blocks"])
    assert "kan niet meer" in shown and "Annuleren" not in shown
    wire.ws.click("U0ANNA", "intake_cancel")  # the button of the confirmation, shown when it was allowed
    kept = _booking(wire, ids["anna"])
    assert kept is not None and kept.slot_id == first.id
    assert "binnen 24 uur" in _last(wire, "U0ANNA")


def test_the_supervisor_withdraws_a_booked_slot_and_the_student_is_told(wire: Stack) -> None:
    ids = _people(wire)
    slots = _publish(wire)
    wire.ws.click("U0ANNA", f"intake_book_{slots[0].id}")
    wire.services.outbox.settle()

    # Another supervisor cannot withdraw it: a forged click on his own button, with Anna's slot as value.
    with wire.session() as s:
        start = datetime(2026, 12, 9, 9, tzinfo=UTC)
        s.add(IntakeSlot(supervisor_id=ids["bart"], starts_at=start, ends_at=start + timedelta(minutes=20)))
    wire.ws.slash_command("U0OTHER", "/stage", "intake")
    wire.ws.click(
        "U0OTHER", "intake_slot_cancel", str(slots[0].id), message=wire.ws.ephemerals("U0OTHER")[-1]
    )
    assert "Dat kan enkel de stagebegeleider" in text_of(wire.ws.ephemerals("U0OTHER")[-1].blocks)
    assert _booking(wire, ids["anna"]) is not None and _slots(wire)[0].cancelled_at is None

    wire.ws.slash_command("U0SUP", "/stage", "intake")
    overview = text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    assert "Je intakemomenten" in overview and "<@U0ANNA>" in overview and "vrij" in overview
    message = wire.ws.ephemerals("U0SUP")[-1]
    wire.ws.click("U0SUP", "intake_slot_cancel", str(slots[0].id), message=message)
    assert _booking(wire, ids["anna"]) is None
    withdrawn = _slots(wire)[0]
    assert withdrawn.cancelled_at is not None
    assert "de student krijgt een bericht" in text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    wire.services.outbox.settle()
    told = text_of(wire.ws.messages("U0ANNA")[-2].blocks) + _last(wire, "U0ANNA")
    assert "geschrapt" in told
    offer = [m for m in wire.ws.messages("U0ANNA") if "geschrapt" in text_of(m.blocks)][-1]
    assert f"intake_book_{slots[1].id}" in str(offer.blocks) and f"intake_book_{slots[0].id}" not in str(
        offer.blocks
    )


def test_the_meeting_is_marked_held_with_a_note_only_staff_read(wire: Stack) -> None:
    ids = _people(wire)
    slot = _publish(wire)[0]
    wire.ws.click("U0ANNA", f"intake_book_{slot.id}")
    wire.services.outbox.settle()
    supervisor_dm = [m for m in wire.ws.messages("U0SUP") if "intake_held" in str(m.blocks)][-1]

    wire.ws.click("U0SUP", "intake_held", message=supervisor_dm)
    assert wire.ws.open_views("U0SUP") == []  # not before the meeting started
    assert "zodra het begonnen is" in wire.ws.ephemerals("U0SUP")[-1].text

    wire.services.clock.advance(timedelta(days=10, hours=4))  # 8 December 15:00 Brussels
    wire.ws.click("U0SUP", "intake_held", message=supervisor_dm)
    [modal] = wire.ws.open_views("U0SUP")
    wire.ws.submit_view("U0SUP", modal, {"note": {"note": "Sterk profiel; wil graag in Brussel <stad>."}})
    booking = _booking(wire, ids["anna"])
    assert booking is not None and booking.held_at is not None and booking.held_by_id == ids["els"]
    assert booking.note == "Sterk profiel; wil graag in Brussel <stad>."
    assert _step(wire, ids["anna"]) == "in_progress"  # the preferences are still missing
    updated = next(m for m in wire.ws.messages("U0SUP") if m.ts == supervisor_dm.ts)
    assert "Als gehouden gemarkeerd door <@U0SUP>" in text_of(updated.blocks)

    # The student sees that it was held, never the note.
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Intakegesprek: gehouden op" in status and "Sterk profiel" not in status
    assert "Sterk profiel" not in str([m.blocks for m in wire.ws.messages("U0ANNA")])
    # Staff read it in the student's detail view, escaped.
    wire.ws.slash_command("U0SUP", "/stage", "studenten")
    wire.ws.click("U0SUP", "student_detail", str(ids["anna"]), message=wire.ws.ephemerals("U0SUP")[-1])
    detail = text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    assert "Notitie (enkel voor personeel)" in detail and "Brussel &lt;stad&gt;" in detail


def test_step_one_is_done_once_held_and_preferences_were_given(wire: Stack) -> None:
    ids = _people(wire)
    slot = _publish(wire)[0]
    wire.ws.click("U0ANNA", f"intake_book_{slot.id}")
    with wire.session() as s:
        s.add(
            PreferenceSubmission(
                student_id=ids["anna"], submitted_at=datetime(2026, 11, 28, tzinfo=UTC), source="modal"
            )
        )
    wire.services.clock.advance(timedelta(days=10, hours=4))
    wire.ws.slash_command("U0SUP", "/stage", "intake")
    wire.ws.click("U0SUP", "intake_held", message=wire.ws.ephemerals("U0SUP")[-1])
    [modal] = wire.ws.open_views("U0SUP")
    wire.ws.submit_view("U0SUP", modal, {})
    assert _step(wire, ids["anna"]) == "done"
    booking = _booking(wire, ids["anna"])
    assert booking is not None and booking.held_at is not None and booking.note is None


def test_another_supervisor_cannot_mark_a_meeting_held(wire: Stack) -> None:
    ids = _people(wire)
    slot = _publish(wire)[0]
    wire.ws.click("U0ANNA", f"intake_book_{slot.id}")
    anna = _booking(wire, ids["anna"])
    assert anna is not None
    with wire.session() as s:  # Bart's own student had a meeting yesterday
        start = datetime(2026, 11, 27, 9, tzinfo=UTC)
        own = IntakeSlot(supervisor_id=ids["bart"], starts_at=start, ends_at=start + timedelta(minutes=20))
        s.add(own)
        s.flush()
        assert own.id is not None
        s.add(IntakeBooking(slot_id=own.id, student_id=ids["jonas"], booked_at=start - timedelta(days=3)))
    wire.services.clock.advance(timedelta(days=10, hours=4))
    wire.ws.slash_command("U0OTHER", "/stage", "intake")
    message = wire.ws.ephemerals("U0OTHER")[-1]
    assert "<@U0JONAS>" in text_of(message.blocks)
    wire.ws.click("U0OTHER", "intake_held", str(anna.id), message=message)  # forged value: Anna's booking
    assert wire.ws.open_views("U0OTHER") == []
    assert "Dat kan enkel de stagebegeleider" in wire.ws.ephemerals("U0OTHER")[-1].text
    held = _booking(wire, ids["anna"])
    assert held is not None and held.held_at is None


def test_english_speakers_get_english(wire: Stack) -> None:
    ids = _people(wire, supervisor_language="en")
    answer = wire.ws.slash_command("U0SUP", "/stage", "intake slots Tue 8 Dec 2pm-3pm, 30 min, Room 3.02")
    preview = text_of(answer.json["blocks"])
    assert "These are the 2 intake slots I understood" in preview and "Tuesday, 8 December 2026" in preview
    wire.ws.click("U0SUP", "intake_publish")
    wire.services.outbox.settle()
    slots = _slots(wire)
    wire.ws.click("U0LOTTE", f"intake_book_{slots[0].id}")
    assert "Booked!" in _last(wire, "U0LOTTE")
    wire.services.outbox.settle()
    assert "Internship intake meeting: Lotte Peeters" in _invites(wire, "U0LOTTE")[0].decode()
    assert any("Lotte Peeters booked" in m.text for m in wire.ws.messages("U0SUP"))
    assert _booking(wire, ids["lotte"]) is not None


def test_the_scheduler_can_list_tomorrows_meetings_for_the_day_before_reminder(wire: Stack) -> None:
    ids = _people(wire)
    slots = _publish(wire)
    wire.ws.click("U0ANNA", f"intake_book_{slots[0].id}")
    wire.ws.click("U0LOTTE", f"intake_book_{slots[1].id}")
    wire.ws.click("U0LOTTE", "intake_cancel")
    tz = ZoneInfo(wire.services.settings.timezone)
    with wire.session() as s:
        assert due_reminders(s, datetime(2026, 12, 6, 8, tzinfo=UTC), tz) == []
        [due] = due_reminders(s, datetime(2026, 12, 7, 8, tzinfo=UTC), tz)
    assert (due.student_slack_id, due.supervisor_slack_id, due.due.isoformat()) == (
        "U0ANNA",
        "U0SUP",
        "2026-12-08",
    )
    assert due.booking_id == (_booking(wire, ids["anna"]) or IntakeBooking()).id


def test_within_24_hours_move_and_cancel_say_whom_to_tell_and_offer_nothing_that_cannot_work(
    wire: Stack,
) -> None:
    ids = _people(wire)
    first, *_ = _publish(wire)
    wire.ws.click("U0ANNA", f"intake_book_{first.id}")
    shown_then = []  # the booking with its Move and Cancel buttons, shown while they were allowed
    for _ in range(2):
        wire.ws.slash_command("U0ANNA", "/stage", "intake")
        shown_then.append(wire.ws.ephemerals("U0ANNA")[-1])
    wire.services.clock.advance(timedelta(days=9, hours=4))  # 7 December 14:00 Brussels: within 24 h
    for button, message in zip(("intake_cancel", "intake_move"), shown_then, strict=True):
        wire.ws.click("U0ANNA", button, message=message)
        answer = next(m for m in wire.ws.messages("U0ANNA") if m.ts == message.ts)
        shown = text_of(answer.blocks)
        assert "binnen 24 uur" in shown and "<@U0SUP> (u0sup@example.edu)" in shown, button
        assert "Kies een ander moment" not in shown, button
        assert not any(b.get("type") == "actions" for b in answer.blocks), button  # no dead buttons
    kept = _booking(wire, ids["anna"])
    assert kept is not None and kept.slot_id == first.id


def test_a_student_who_clicks_a_supervisors_button_is_refused_and_sees_no_schedule(wire: Stack) -> None:
    from slack_sdk import WebClient

    from bot.views import intake as views
    from bot.views.blocks import actions, button

    _people(wire)
    slot = _publish(wire)[0]
    # the supervisor's buttons in the student's view (a forwarded or forged message)
    forged = [
        actions(
            button("Schrappen", views.CANCEL_SLOT, str(slot.id)),
            button("Publiceren", views.PUBLISH, "[]"),
            button("Weggooien", views.DISCARD, "0"),
        )
    ]
    bot = WebClient(token=wire.services.settings.slack_bot_token, base_url=wire.ws.api_url)
    posted = bot.chat_postMessage(channel="U0ANNA", text="knoppen", blocks=forged)
    message = next(m for m in wire.ws.messages("U0ANNA") if m.ts == posted["ts"])
    for action in (views.CANCEL_SLOT, views.PUBLISH, views.DISCARD):
        wire.ws.click("U0ANNA", action, message=message)
        answer = text_of(wire.ws.ephemerals("U0ANNA")[-1].blocks)
        assert "enkel" in answer or "Alleen" in answer or "stagebegeleider" in answer, action
        assert "Je intakemomenten" not in answer, action
        kept = next(m for m in wire.ws.messages("U0ANNA") if m.ts == posted["ts"])
        assert kept.blocks == message.blocks, action  # the clicked message is left alone
    assert _slots(wire)[0].cancelled_at is None
