"""`/stage intake` (intakegesprek): a student books or sees their intake meeting; a supervisor sees their
slots, and publishes new ones with `/stage intake slots` (a modal) or `/stage intake slots TEXT`."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.flows.intake import supervisors_by_id
from bot.views import intake as views
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from models import intake
from models.people import Role
from models.slot_text import dump_ranges, parse_slots

SLOTS_WORDS = ("slots", "momenten", "tijdsloten", "slot", "moment")
PUBLISHERS = (Role.SUPERVISOR,)
MAX_VALUE = 2000  # a button's value: the preview carries the ranges it shows


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    word, _, text = invocation.args.partition(" ")
    if word.lower() in SLOTS_WORDS:
        if not scope.actor.has(*PUBLISHERS):
            message = scope.t("intake.slots.not_allowed")
            return reply([section(message)], message)
        return typed_slots(invocation, text.strip()) if text.strip() else open_form(invocation)
    if scope.actor.is_student:
        return student_view(invocation)
    rows = intake.schedule(scope.session, scope.actor.person_id, scope.now)
    return reply(views.schedule_blocks(scope.t, rows, scope.now), scope.t("intake.schedule.header"))


def student_view(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session, me = scope.t, scope.session, scope.actor.person_id
    booked = intake.booking_of(session, me)
    if booked is not None:
        return reply(views.booked_blocks(t, booked, scope.now), t("intake.booking.text"))
    slots = intake.free_slots(session, me, scope.now)
    blocks = views.offer_blocks(t, slots, supervisors_by_id(session, slots), t("intake.offer.intro"))
    return reply(blocks, t("intake.offer.text"))


def open_form(invocation: Invocation) -> Reply:
    t = invocation.scope.t
    try:
        invocation.client.views_open(trigger_id=invocation.trigger_id, view=views.slots_modal(t))
    except SlackApiError:
        message = t("intake.form.failed")
        return reply([section(message)], message)
    return {}


def typed_slots(invocation: Invocation, text: str) -> Reply:
    """Typed slots are shown as understood, with a Publish button; nothing is saved before that click."""
    scope = invocation.scope
    t = scope.t
    ranges, line_problems = parse_slots(text, scope.today)
    planned, range_problems = intake.plan_slots(ranges, t.tz, scope.now)
    problems = [views.line_problem_text(t, p) for p in line_problems]
    problems += [
        t(
            "intake.range.line",
            problem=views.range_problem_text(t, p),
            day=t.date(ranges[p.index].day, "full"),
        )
        for p in range_problems
    ]
    value = dump_ranges(ranges)
    if not problems and not planned:
        problems.append(t("intake.parse.nothing"))
    if not problems and len(value) > MAX_VALUE:
        problems.append(t("intake.parse.too_long"))
    if problems:
        return reply(views.typed_problems(t, problems), t("intake.parse.intro"))
    return reply(views.typed_preview(t, planned, value), t("intake.preview.intro", count=len(planned)))
