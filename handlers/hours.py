"""Hours listeners: the lesson-day DM's buttons (given / did not take place / moved, with its modal), hours
added in a modal or typed (previewed, saved on confirmation), removing an added entry and sending a
corrected week again. The supervisor's Confirm / Send back are the one review's (handlers/review.py)."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery.notifier import send_dm
from bot.flows import hours as flow
from bot.i18n import Translator
from bot.middleware import Scope, request_scope
from bot.views import hours as views
from bot.views.blocks import section
from bot.views.placements import activity_name, course_name
from bot.views.planning import problem_text
from handlers.values import field_value, number, too_long, typed
from models import hours, placements, planning
from models.date_text import find_time_range
from models.hours import EntryState, HoursError, HoursReading
from models.lesson_text import parse_clock

logger = logging.getLogger(__name__)


# --- the lesson-day DM ------------------------------------------------------------------------------------


def _own_lesson(scope: Scope, raw: Any) -> tuple[planning.PlannedLesson, placements.Placement] | None:
    lesson_id = number(raw)
    found = hours.approved_lesson(scope.session, lesson_id) if lesson_id is not None else None
    if found is None or found[1].student_id != scope.actor.person_id:
        return None
    return found[0], flow.placement_of_lesson(scope.session, found[1])


def _answer(state: EntryState) -> Any:
    def listener(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with request_scope(context) as scope:
            own = _own_lesson(scope, action.get("value"))
            if own is None:
                refusal = scope.t("hours.error.not_your_lesson")
            else:
                lesson, placement = own
                try:
                    hours.record_lesson(
                        scope.session, scope.actor.person_id, placement, lesson, state, now=scope.now,
                        today=scope.today,
                    )  # fmt: skip
                    scope.session.flush()
                    text, blocks = flow.draw_day(scope.session, scope.t, scope.actor.person_id, lesson.day)
                    respond(replace_original=True, text=text, blocks=blocks)
                    return
                except HoursError as error:
                    scope.session.rollback()
                    refusal = scope.t(error.key, **_shown(scope, error.params))
        respond(replace_original=False, response_type="ephemeral", text=refusal)

    return listener


def _shown(scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in params.items()}


def open_move(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    ack()
    with request_scope(context) as scope:
        own = _own_lesson(scope, action.get("value"))
        if own is None:
            refusal = scope.t("hours.error.not_your_lesson")
            modal = None
        else:
            modal = views.move_modal(scope.t, own[0])
            container = body.get("container") or {}
            where = f"{container.get('channel_id') or ''}|{container.get('message_ts') or ''}"
            modal["private_metadata"] = f"{own[0].id}|{where}"
            refusal = ""
    if modal is None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    context.client.views_open(trigger_id=body["trigger_id"], view=modal)


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def submit_move(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Move the lesson: kept approved within the period and the rules, else the reason at its field."""
    values = view.get("state", {}).get("values", {})
    lesson_raw, _, where = str(view.get("private_metadata") or "").partition("|")
    channel, _, ts = where.partition("|")
    with request_scope(context) as scope:
        t = scope.t
        own = _own_lesson(scope, lesson_raw)
        if own is None:
            ack(response_action="errors", errors={"day": t("hours.error.not_your_lesson")})
            return
        lesson, placement = own
        day, start, end = (
            _day(field_value(values, "day")),
            parse_clock(str(field_value(values, "start") or "")),
            parse_clock(str(field_value(values, "end") or "")),
        )
        errors = {}
        if day is None:
            errors["day"] = t("hours.read.no_date")
        if start is None:
            errors["start"] = t("hours.modal.bad_time")
        if end is None:
            errors["end"] = t("hours.modal.bad_time")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert day is not None and start is not None and end is not None
        old_day = lesson.day
        try:
            found = hours.move_lesson(
                scope.session, scope.services.catalogue, scope.actor.person_id, placement, lesson, day, start,
                end, now=scope.now, today=scope.today,
            )  # fmt: skip
        except HoursError as error:
            scope.session.rollback()
            ack(response_action="errors", errors={"day": t(error.key, **error.params)})
            return
        if found:
            scope.session.rollback()
            text = " ".join(problem_text(t, p) for p in found) + " " + t("hours.move.needs_approval")
            ack(response_action="errors", errors={"day": text})
            return
        ack()
        scope.session.flush()
        moved = t(
            "hours.move.done",
            day=t.date(day, "full"),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
        if channel and ts:
            text, blocks = flow.draw_day(scope.session, t, scope.actor.person_id, old_day)
            context.client.chat_update(channel=channel, ts=ts, text=text, blocks=[*blocks, section(moved)])
        else:
            send_dm(context.client, scope.actor.slack_user_id, moved)


# --- hours that are no lessons: the modal, typed text, the preview ---------------------------------------


def activity_options(scope: Scope) -> list[tuple[str, str]]:
    catalogue = scope.services.catalogue
    return [
        (f"{p.id}:{a}", f"{course_name(scope.t, catalogue, p.course_code)} – {activity_name(scope.t, a)}")
        for p in placements.of_student(scope.session, scope.actor.person_id)
        if p.answer != placements.Answer.REFUSED
        for a in p.activities
    ]


def open_add(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        options = activity_options(scope)
        text = scope.t("hours.none_placed")
        modal = views.add_modal(scope.t, options) if options else None
    if modal is None:
        respond(replace_original=False, response_type="ephemeral", text=text)
        return
    context.client.views_open(trigger_id=body["trigger_id"], view=modal)


def read_amount(raw: str) -> float | None:
    try:
        value = float(raw.strip().replace(",", ".").rstrip("uh ").strip())
    except ValueError:
        return None
    return value if 0 < value <= 24 and value * 2 == int(value * 2) else None


def _placement(scope: Scope, raw: Any) -> placements.Placement | None:
    placement = placements.get(scope.session, number(raw) or 0)
    if placement is None or placement.student_id != scope.actor.person_id or not placement.is_active:
        return None
    return placement


def submit_add(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Saved at once (the modal is the confirmation); each problem at its field and nothing stored."""
    values = view.get("state", {}).get("values", {})
    with request_scope(context) as scope:
        t = scope.t
        placement_raw, _, activity = str(field_value(values, "activity") or "").partition(":")
        placement = _placement(scope, placement_raw)
        day = _day(field_value(values, "day"))
        amount = read_amount(str(field_value(values, "hours") or ""))
        note = typed(field_value(values, "note"), multiline=False)
        errors = {}
        if placement is None:
            errors["activity"] = t("hours.error.not_yours")
        if day is None:
            errors["day"] = t("hours.read.no_date")
        if amount is None:
            errors["hours"] = t("hours.modal.bad_hours")
        if long := too_long(t, note, hours.MAX_NOTE_LENGTH):
            errors["note"] = long
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert placement is not None and day is not None and amount is not None
        _, found = hours.add_entry(
            scope.session, scope.actor.person_id, placement, token=str(view.get("id") or hours.new_token()),
            day=day, hours=amount, activity=activity, note=note, now=scope.now, today=scope.today,
        )  # fmt: skip
        if found:
            scope.session.rollback()
            ack(response_action="errors", errors={"day": " ".join(problem_text(t, p) for p in found)})
            return
        ack()
        text = t(
            "hours.saved", hours=f"{amount:g}", activity=activity_name(t, activity), day=t.date(day, "full")
        )
        send_dm(context.client, scope.actor.slack_user_id, text)


def preview_typed(scope: Scope, text: str) -> tuple[str, list[dict[str, Any]]]:
    """A typed line read as hours: the preview with Save, or what is wrong with it (nothing stored)."""
    t, catalogue = scope.t, scope.services.catalogue
    reading = hours.read_hours(text, scope.today)
    if reading.problem is not None or reading.day is None or reading.hours is None:
        message = views.reading_problem(t, reading) + "\n" + t("hours.typing_hint")
        return message, [section(message)]
    own = [
        p
        for p in placements.of_student(scope.session, scope.actor.person_id)
        if p.answer != placements.Answer.REFUSED
    ]
    placement, reading = _pick(own, reading)
    if placement is None or reading.activity is None:
        message = t("hours.read.no_activity") + "\n" + t("hours.typing_hint")
        return message, [section(message)]
    assert reading.day is not None and reading.hours is not None
    already = hours.hours_on(scope.session, scope.actor.person_id, reading.day)
    found = hours.entry_problems(
        placement, reading.day, reading.hours, reading.activity, already, scope.today
    )
    if found:
        message = t("hours.refused") + "\n" + views.problems_text(t, catalogue, found)
        return message, [section(message)]
    value = {
        "p": placement.id, "d": reading.day.isoformat(), "h": reading.hours, "a": reading.activity,
        "n": reading.note, "k": hours.new_token(),
    }  # fmt: skip
    return views.preview(t, catalogue, reading, course_name(t, catalogue, placement.course_code), value)


def _pick(
    own: list[placements.Placement], reading: HoursReading
) -> tuple[placements.Placement | None, HoursReading]:
    """The placement the hours are for: one with that activity whose period has the day (or the only one
    active that day); the activity, when the line names none, the placement's only one."""
    assert reading.day is not None
    day = reading.day
    if reading.activity is not None:
        fitting = [p for p in own if reading.activity in p.activities]
        within = [p for p in fitting if p.start <= day <= p.end]
        chosen = (within or fitting)[:1]
        return (chosen[0] if chosen else None), reading
    within = [p for p in own if p.start <= day <= p.end]
    if len(within) == 1 and len(within[0].activities) == 1:
        return within[0], HoursReading(reading.day, reading.hours, within[0].activities[0], reading.note)
    return None, reading


def on_save(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """The preview's hours stored once (its token is the entry's key: a second click finds it)."""
    ack()
    try:
        value = json.loads(str(action.get("value") or ""))
        raw_day, amount, activity = date.fromisoformat(str(value["d"])), float(value["h"]), str(value["a"])
        note, token = (
            typed(str(value.get("n") or ""), multiline=False)[: hours.MAX_NOTE_LENGTH],
            str(value["k"]),
        )
    except (ValueError, KeyError, TypeError):
        return
    with request_scope(context) as scope:
        t = scope.t
        placement = _placement(scope, value.get("p"))
        if placement is None:
            respond(replace_original=False, response_type="ephemeral", text=t("hours.error.not_yours"))
            return
        entry, found = hours.add_entry(
            scope.session, scope.actor.person_id, placement, token=token, day=raw_day, hours=amount,
            activity=activity, note=note, now=scope.now, today=scope.today,
        )  # fmt: skip
        if found:
            scope.session.rollback()
            text = t("hours.refused") + "\n" + views.problems_text(t, scope.services.catalogue, found)
            respond(replace_original=False, response_type="ephemeral", text=text)
            return
        if entry is None:
            respond(replace_original=False, response_type="ephemeral", text=t("hours.already_saved"))
            return
        text = t(
            "hours.saved",
            hours=f"{amount:g}",
            activity=activity_name(t, activity),
            day=t.date(raw_day, "full"),
        )
    respond(replace_original=True, text=text, blocks=[section(text)])


def on_cancel(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        text = scope.t("hours.cancelled")
    respond(replace_original=True, text=text, blocks=[section(text)])


def on_remove(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        try:
            hours.remove_entry(
                scope.session, scope.actor.person_id, number(action.get("value")) or 0, now=scope.now
            )
            text = scope.t("hours.removed")
        except HoursError as error:
            scope.session.rollback()
            text = scope.t(error.key, **error.params)
    respond(replace_original=False, response_type="ephemeral", text=text)


def on_resubmit(
    ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
) -> None:
    ack()
    with request_scope(context) as scope:
        text = flow.resubmit(
            scope.services,
            client,
            scope.session,
            scope.t,
            scope.actor,
            str(action.get("value") or ""),
            scope.now,
        )
    respond(replace_original=False, response_type="ephemeral", text=text)


# --- hours typed straight in the DM ---------------------------------------------------------------------


def _typed_hours(event: dict[str, Any], context: BoltContext) -> bool:
    """A student's plain DM that reads as hours: a day, a duration ("2u", not a lesson's time range) and
    an activity. Lesson lines (with a time range) stay the planning's, also while its conversation is open."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("files") or event.get("bot_id"):
        return False
    actor, session, services = context.get("actor"), context.get("session"), context.get("services")
    if actor is None or session is None or services is None or not actor.is_student:
        return False
    text = str(event.get("text") or "")
    if "\n" in text.strip() or find_time_range(text) is not None:
        return False
    now = services.clock.now()
    if planning.typing_version(session, actor.person_id, now) is not None:
        return False
    today = now.astimezone(Translator(timezone=services.settings.timezone).tz).date()
    reading = hours.read_hours(text, today)
    return reading.problem is None and reading.activity is not None


def on_typed(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    with request_scope(context) as scope:
        text, blocks = preview_typed(scope, str(event.get("text") or ""))
        send_dm(client, scope.actor.slack_user_id, text, blocks)


def register(app: App) -> None:
    """The typed-hours listener must come before the planning's DM listener (first match wins)."""
    app.event("message", matchers=[_typed_hours])(on_typed)
    app.action(views.GIVEN_ACTION)(_answer(EntryState.GIVEN))
    app.action(views.NOT_HELD_ACTION)(_answer(EntryState.NOT_HELD))
    app.action(views.MOVE_ACTION)(open_move)
    app.view(views.MOVE_CALLBACK)(submit_move)
    app.action(views.ADD_ACTION)(open_add)
    app.view(views.ADD_CALLBACK)(submit_add)
    app.action(views.SAVE_ACTION)(on_save)
    app.action(views.CANCEL_ACTION)(on_cancel)
    app.action(views.REMOVE_ACTION)(on_remove)
    app.action(views.RESUBMIT_ACTION)(on_resubmit)
