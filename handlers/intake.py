"""Intake buttons and modals: book, move, cancel (students); publish, withdraw a slot, mark held (staff).

Every action decides again from who clicked (models.access); the message clicked is replaced by the
outcome, so a button cannot be used twice. DMs and invites are queued in the outbox right after the
change is stored.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from datetime import datetime, time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.flows.intake import Cancelled, announce_cancellation, confirm_booking, offer_to_students
from bot.flows.intake import supervisors_by_id as supervisors_of_slots
from bot.middleware import Scope, request_scope
from bot.views import intake as views
from bot.views.blocks import Block, actions, button, section
from handlers.values import number, too_long, typed
from models import audit, intake
from models.access import may_manage_slot, may_review
from models.intake import IntakeError
from models.people import Role
from models.slot_text import SlotRange, dump_ranges, load_ranges

OFFER_AGAIN = {"taken", "slot_gone", "too_late", "not_your_supervisor"}


def _number(text: str | None) -> int:
    return number(text) or 0


def _offer(scope: Scope, intro: str, action: str = views.BOOK, extra: tuple[Block, ...] = ()) -> list[Block]:
    slots = intake.free_slots(scope.session, scope.actor.person_id, scope.now)
    return views.offer_blocks(
        scope.t, slots, supervisors_of_slots(scope.session, slots), intro, action=action, extra=extra
    )


def _refused(scope: Scope, error: IntakeError, action: str = views.BOOK) -> list[Block]:
    """The reason, and where it helps the free slots that remain (or the booking the student has)."""
    text = scope.t(f"intake.error.{error.code}")
    if error.code in OFFER_AGAIN:
        return _offer(scope, text, action)
    booked = intake.booking_of(scope.session, scope.actor.person_id)
    return [section(text), *(views.booked_blocks(scope.t, booked, scope.now) if booked else [])]


# --- the student's buttons -------------------------------------------------------------------------------


def book(ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond) -> None:
    ack()
    slot_id = _number(action["action_id"].rsplit("_", 1)[-1])
    booking_id = None
    with request_scope(context) as scope:
        if not scope.actor.is_student:
            blocks = [section(scope.t("intake.error.students_only"))]
        else:
            try:
                booking_id = intake.book(scope.session, scope.actor.person_id, slot_id, scope.now).id
                booked = intake.booking_of(scope.session, scope.actor.person_id)
                assert booked is not None
                blocks = [section(scope.t("intake.booked")), *views.booked_blocks(scope.t, booked, scope.now)]
            except IntakeError as error:
                blocks = _refused(scope, error)
        text = scope.t("intake.booking.text")
    respond(replace_original=True, text=text, blocks=blocks)
    if booking_id is not None:
        confirm_booking(scope.services, client, booking_id, False)  # queues the DMs and invites


def show_move(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        booked = intake.booking_of(scope.session, scope.actor.person_id)
        if booked is None:
            blocks = _offer(scope, scope.t("intake.error.no_booking"))
        elif booked.booking.held_at is not None or not intake.may_change(booked.slot.starts_at, scope.now):
            held = booked.booking.held_at is not None
            blocks = _refused(scope, IntakeError("already_held" if held else "booking_locked"))
        else:
            current = views.when_text(scope.t, booked.slot.starts_at, booked.slot.ends_at)
            back = actions(button(scope.t("intake.move.keep"), views.SHOW_BOOKING, "0"))
            blocks = _offer(scope, scope.t("intake.move.intro", when=current), views.MOVE_TO, (back,))
        text = scope.t("intake.booking.text")
    respond(replace_original=True, text=text, blocks=blocks)


def show_booking(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        booked = intake.booking_of(scope.session, scope.actor.person_id)
        if booked is None:
            blocks = _offer(scope, scope.t("intake.offer.intro"))
        else:
            blocks = views.booked_blocks(scope.t, booked, scope.now)
        text = scope.t("intake.booking.text")
    respond(replace_original=True, text=text, blocks=blocks)


def move_to(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    slot_id = _number(action["action_id"].rsplit("_", 1)[-1])
    moved_id = None
    with request_scope(context) as scope:
        try:
            moved_id = intake.move(scope.session, scope.actor.person_id, slot_id, scope.now).id
            booked = intake.booking_of(scope.session, scope.actor.person_id)
            assert booked is not None
            blocks = [section(scope.t("intake.moved")), *views.booked_blocks(scope.t, booked, scope.now)]
        except IntakeError as error:
            blocks = _refused(scope, error, views.MOVE_TO)
        text = scope.t("intake.booking.text")
    respond(replace_original=True, text=text, blocks=blocks)
    if moved_id is not None:
        confirm_booking(scope.services, client, moved_id, True)


def cancel(ack: Ack, context: BoltContext, client: WebClient, respond: Respond) -> None:
    ack()
    cancelled = None
    with request_scope(context) as scope:
        try:
            cancelled = intake.cancel(scope.session, scope.actor.person_id, scope.now)
            blocks = _offer(scope, scope.t("intake.cancelled"))
        except IntakeError as error:
            blocks = _refused(scope, error)
        text = scope.t("intake.booking.text")
    respond(replace_original=True, text=text, blocks=blocks)
    if cancelled is not None:
        notice = Cancelled(cancelled, by_supervisor=False)
        announce_cancellation(scope.services, client, notice)


# --- the supervisor's buttons and modals -----------------------------------------------------------------


def cancel_slot(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    slot_id = _number(action.get("value"))
    cancelled = None
    with request_scope(context) as scope:
        slot = scope.session.get(intake.IntakeSlot, slot_id)
        notice: list[Block] = []
        if slot is None or not may_manage_slot(scope.actor, slot.supervisor_id):
            audit.log(
                scope.session,
                scope.now,
                "intake.slot_cancel_refused",
                actor_id=scope.actor.person_id,
                subject=f"intake_slot:{slot_id}",
            )
            refusal = scope.t("intake.error.not_yours")
        else:
            refusal = None
            try:
                _, cancelled = intake.cancel_slot(scope.session, slot_id, scope.actor.person_id, scope.now)
                key = "intake.slot_cancelled.booked" if cancelled else "intake.slot_cancelled"
                notice = [section(scope.t(key))]
            except IntakeError as error:
                notice = [section(scope.t(f"intake.error.{error.code}"))]
        if refusal is not None:  # the message clicked stays as it was; only the clicker reads why not
            respond(
                replace_original=False, response_type="ephemeral", text=refusal, blocks=[section(refusal)]
            )
            return
        rows = intake.schedule(scope.session, scope.actor.person_id, scope.now)
        offset = views.schedule_page_of(rows, slot.starts_at) if slot else 0  # the page it was on
        blocks = [*notice, *views.schedule_blocks(scope.t, rows, scope.now, offset)]
        text = scope.t("intake.schedule.header")
    respond(replace_original=True, text=text, blocks=blocks)
    if cancelled is not None:
        announce_cancellation(scope.services, client, Cancelled(cancelled, by_supervisor=True))


def page_schedule(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Another page of the supervisor's slots; whose slots is decided again from who clicked."""
    ack()
    with request_scope(context) as scope:
        rows = intake.schedule(scope.session, scope.actor.person_id, scope.now)
        blocks = views.schedule_blocks(scope.t, rows, scope.now, _number(action.get("value")))
        text = scope.t("intake.schedule.header")
    respond(replace_original=True, text=text, blocks=blocks)


def open_held(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """The note modal, for the student's supervisor or the coordinator, once the meeting has started."""
    ack()
    booking_id = _number(action.get("value"))
    with request_scope(context) as scope:
        booked = intake.booking(scope.session, booking_id)
        allowed = booked is not None and may_review(scope.session, scope.actor, booked.booking.student_id)
        problem = None
        if booked is None or not allowed:
            problem = "intake.error.not_yours" if booked else "intake.error.no_booking"
        elif booked.slot.starts_at > scope.now:
            problem = "intake.error.not_yet"
        else:
            container = body.get("container") or {}
            metadata: dict[str, Any] = {"b": booking_id}
            if container.get("type") == "message" and not container.get("is_ephemeral"):
                metadata |= {"c": container.get("channel_id"), "ts": container.get("message_ts")}
            view = views.held_modal(scope.t, booked, metadata)
        t = scope.t
    if problem is not None:
        respond(replace_original=False, response_type="ephemeral", text=t(problem))
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def submit_held(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    note = ((view["state"]["values"].get("note") or {}).get("note") or {}).get("value") or ""
    with request_scope(context) as scope:
        booked = intake.booking(scope.session, _number(str(metadata.get("b", ""))))
        error = None
        if booked is None or not may_review(scope.session, scope.actor, booked.booking.student_id):
            error = scope.t("intake.error.not_yours")
        else:
            try:
                intake.mark_held(
                    scope.session, booked.booking.id or 0, scope.actor.person_id, note, scope.now
                )
            except IntakeError as failure:
                error = scope.t(f"intake.error.{failure.code}")
        t, me = scope.t, scope.actor.slack_user_id
    if error is not None:
        ack(response_action="errors", errors={"note": error})
        return
    ack()
    if metadata.get("c") and metadata.get("ts") and booked is not None:
        # The supervisor's DM about this booking: its "held" button gives way to who marked it and when.
        blocks = views.supervisor_booking_blocks(t, booked, "intake.supervisor.booked")
        done = [views.held_line(t, me, scope.now) if b.get("block_id") == views.HELD else b for b in blocks]
        with suppress(SlackApiError):  # the note is saved; at worst the old button stays visible
            client.chat_update(
                channel=metadata["c"], ts=metadata["ts"], text=t("intake.held.text"), blocks=done
            )


def _form_range(values: dict[str, Any]) -> tuple[SlotRange | None, dict[str, str]]:
    """The modal's one range; the keys of the second value are the blocks whose input is missing."""

    def value(block: str, key: str) -> Any:
        return ((values.get(block) or {}).get(block) or {}).get(key)

    day, start, end = (
        value("date", "selected_date"),
        value("start", "selected_time"),
        value("end", "selected_time"),
    )
    option = value("length", "selected_option") or {}
    missing = {b: "" for b, v in (("date", day), ("start", start), ("end", end)) if not v}
    if missing or not option:
        return None, missing | ({} if option else {"length": ""})
    place = value("place", "value") or ""
    return SlotRange(
        datetime.fromisoformat(day).date(),
        time.fromisoformat(start),
        time.fromisoformat(end),
        _number(option.get("value")),
        place,
    ), {}


def submit_slots_form(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Errors go under their field; otherwise the modal turns into the preview of the slots."""
    with request_scope(context) as scope:
        t = scope.t
        if not scope.actor.has(Role.SUPERVISOR):
            ack(response_action="errors", errors={"date": t("intake.slots.not_allowed")})
            return
        found, missing = _form_range(view["state"]["values"])
        if found is None:
            ack(response_action="errors", errors={b: t("intake.form.required") for b in missing})
            return
        if long := too_long(t, typed(found.place, multiline=False), intake.MAX_PLACE_LENGTH):
            ack(response_action="errors", errors={"place": long})
            return
        planned, problems = intake.plan_slots([found], t.tz, scope.now)
    field = {
        "end_before_start": "end",
        "in_past": "date",
        "bad_length": "length",
        "too_short": "length",
        "too_many": "length",
    }
    if problems:
        ack(
            response_action="errors", errors={field[p.code]: views.range_problem_text(t, p) for p in problems}
        )
        return
    ack(response_action="update", view=views.preview_modal(t, planned, dump_ranges([found])))


def _publish(scope: Scope, raw: str) -> tuple[int | None, str]:
    """Plan again at the moment of publishing (time went on since the preview) and store."""
    t = scope.t
    if not scope.actor.has(Role.SUPERVISOR):
        return None, t("intake.slots.not_allowed")
    planned, problems = intake.plan_slots(load_ranges(raw), t.tz, scope.now)
    if problems or not planned:
        return None, views.range_problem_text(t, problems[0]) if problems else t("intake.parse.nothing")
    added = intake.publish(scope.session, scope.actor.person_id, planned, scope.now)
    return added, views.published_text(t, added)


def submit_preview(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    with request_scope(context) as scope:
        added, text = _publish(scope, view.get("private_metadata") or "")
        t = scope.t
    if added is None:
        ack(response_action="update", view={**views.published_modal(t, 0), "blocks": [section(text)]})
        return
    ack(response_action="update", view=views.published_modal(t, added))
    if added:
        offer_to_students(scope.services, client, scope.actor.person_id)


def publish_typed(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    with request_scope(context) as scope:
        if not scope.actor.has(Role.SUPERVISOR):
            refusal = scope.t("intake.slots.not_allowed")
            respond(
                replace_original=False, response_type="ephemeral", text=refusal, blocks=[section(refusal)]
            )
            return
        added, text = _publish(scope, action.get("value") or "")
    respond(replace_original=True, text=text, blocks=[section(text)])
    if added:
        offer_to_students(scope.services, client, scope.actor.person_id)


def discard_typed(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        allowed = scope.actor.has(Role.SUPERVISOR)
        text = scope.t("intake.preview.discarded" if allowed else "intake.slots.not_allowed")
    if not allowed:
        respond(replace_original=False, response_type="ephemeral", text=text, blocks=[section(text)])
        return
    respond(replace_original=True, text=text, blocks=[section(text)])


def register(app: App) -> None:
    app.action(re.compile(rf"^{views.BOOK}_\d+$"))(book)
    app.action(re.compile(rf"^{views.MOVE_TO}_\d+$"))(move_to)
    app.action(views.SHOW_MOVE)(show_move)
    app.action(views.SHOW_BOOKING)(show_booking)
    app.action(views.CANCEL)(cancel)
    app.action(views.CANCEL_SLOT)(cancel_slot)
    app.action(re.compile(rf"^{views.SCHEDULE_PAGE_ACTION}_(previous|next)$"))(page_schedule)
    app.action(views.HELD)(open_held)
    app.action(views.PUBLISH)(publish_typed)
    app.action(views.DISCARD)(discard_typed)
    app.view(views.SLOTS_FORM)(submit_slots_form)
    app.view(views.SLOTS_PREVIEW)(submit_preview)
    app.view(views.HELD_FORM)(submit_held)
