"""Block Kit for intake meetings: the slots modal and previews, the offer of free slots, a booking seen
by the student and by the supervisor, the supervisor's overview, and the held-meeting modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    header,
    input_block,
    mention,
    plain,
    section,
)
from models.date_text import LineProblem
from models.intake import (
    MAX_NOTE_LENGTH,
    MAX_PLACE_LENGTH,
    Booked,
    IntakeSlot,
    PlannedSlot,
    RangeProblem,
    ScheduleRow,
    may_change,
)
from models.people import Person

SLOTS_FORM = "intake_slots_form"
SLOTS_PREVIEW = "intake_slots_preview"
HELD_FORM = "intake_held_form"
BOOK = "intake_book"  # + "_<slot id>": one action id per button, as Slack wants them unique in a block
MOVE_TO = "intake_move_to"
SHOW_MOVE = "intake_move"
SHOW_BOOKING = "intake_show"
CANCEL = "intake_cancel"
CANCEL_SLOT = "intake_slot_cancel"
HELD = "intake_held"
PUBLISH = "intake_publish"
DISCARD = "intake_discard"
LENGTHS = (10, 15, 20, 30, 45, 60)
MAX_OFFER_GROUPS = 20  # two blocks per day: the offer stays under Slack's 50 blocks


def day_label(t: Translator, when: datetime) -> str:
    return t.date(when.astimezone(t.tz).date(), "full")


def hour(t: Translator, when: datetime) -> str:
    return t.datetime(when, "HH:mm")


def when_text(t: Translator, starts_at: datetime, ends_at: datetime) -> str:
    return t("intake.when", day=day_label(t, starts_at), start=hour(t, starts_at), end=hour(t, ends_at))


def _place(t: Translator, place: str) -> str:
    return t("intake.place", place=escape(place)) if place else ""


# --- publishing --------------------------------------------------------------------------------------


def slots_modal(t: Translator) -> dict[str, Any]:
    """Date, start, end, slot length, place or video link; what it gives is shown before it is saved."""
    length_options = [{"text": plain(t("intake.form.minutes", minutes=m)), "value": str(m)} for m in LENGTHS]
    return {
        "type": "modal",
        "callback_id": SLOTS_FORM,
        "title": plain(t("intake.form.title")),
        "submit": plain(t("intake.form.next")),
        "close": plain(t("intake.form.close")),
        "blocks": [
            section(t("intake.form.intro")),
            input_block("date", t("intake.form.date"), {"type": "datepicker", "action_id": "date"}),
            input_block(
                "start",
                t("intake.form.start"),
                {"type": "timepicker", "action_id": "start", "initial_time": "14:00"},
            ),
            input_block(
                "end",
                t("intake.form.end"),
                {"type": "timepicker", "action_id": "end", "initial_time": "16:00"},
            ),
            input_block(
                "length",
                t("intake.form.length"),
                {
                    "type": "static_select",
                    "action_id": "length",
                    "options": length_options,
                    "initial_option": length_options[2],
                },
            ),
            input_block(
                "place",
                t("intake.form.place"),
                {"type": "plain_text_input", "action_id": "place", "max_length": MAX_PLACE_LENGTH},
                optional=True,
                hint=t("intake.form.place_hint"),
            ),
            context(t("intake.form.typed_hint")),
        ],
    }


def slot_lines(t: Translator, planned: Sequence[PlannedSlot]) -> list[str]:
    """One line per day: the day, its times and the place."""
    lines = []
    for (day, place), group in groupby(planned, key=lambda p: (p.starts_at.astimezone(t.tz).date(), p.place)):
        times = ", ".join(f"{hour(t, p.starts_at)}–{hour(t, p.ends_at)}" for p in group)
        lines.append(f"• *{t.date(day, 'full')}*: {times}" + (f" · {escape(place)}" if place else ""))
    return lines


def _chunks(lines: list[str], limit: int = 2900) -> list[str]:
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def preview_modal(t: Translator, planned: Sequence[PlannedSlot], metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": SLOTS_PREVIEW,
        "private_metadata": metadata,
        "title": plain(t("intake.form.title")),
        "submit": plain(t("intake.preview.publish")),
        "close": plain(t("intake.form.close")),
        "blocks": [
            section(t("intake.preview.intro", count=len(planned))),
            *(section(chunk) for chunk in _chunks(slot_lines(t, planned))[:20]),
            context(t("intake.preview.students")),
        ],
    }


def published_modal(t: Translator, added: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(t("intake.form.title")),
        "close": plain(t("intake.form.done")),
        "blocks": [section(published_text(t, added))],
    }


def published_text(t: Translator, added: int) -> str:
    return t("intake.published", count=added) if added else t("intake.published.none")


def typed_preview(t: Translator, planned: Sequence[PlannedSlot], value: str) -> list[Block]:
    """The slots understood from typed text, with Publish and Discard buttons (ephemeral)."""
    return [
        section(t("intake.preview.intro", count=len(planned))),
        *(section(chunk) for chunk in _chunks(slot_lines(t, planned))[:20]),
        context(t("intake.preview.students")),
        actions(
            button(t("intake.preview.publish"), PUBLISH, value, style="primary"),
            button(t("intake.preview.discard"), DISCARD, "0"),
        ),
    ]


def line_problem_text(t: Translator, problem: LineProblem) -> str:
    params: dict[str, Any] = {"line": escape(problem.line)}
    if problem.code == "weekday_mismatch":
        params["date"] = t.date(problem.detail["day"], "full")
    return t(f"intake.parse.{problem.code}", **params)


def range_problem_text(t: Translator, problem: RangeProblem) -> str:
    return t(f"intake.range.{problem.code}")


def typed_problems(t: Translator, problems: list[str]) -> list[Block]:
    return [
        section(t("intake.parse.intro")),
        section("\n".join(f"• {p}" for p in problems)[:2900]),
        context(t("intake.parse.example")),
    ]


# --- the student's side ------------------------------------------------------------------------------


def offer_blocks(
    t: Translator,
    slots: Sequence[IntakeSlot],
    supervisors: dict[int, Person],
    intro: str,
    *,
    action: str = BOOK,
    extra: Sequence[Block] = (),
) -> list[Block]:
    """Free slots as buttons, grouped per day, supervisor and place."""
    blocks: list[Block] = [section(intro)]
    if not slots:
        return [*blocks, context(t("intake.offer.none")), *extra]
    groups = groupby(slots, key=lambda s: (s.starts_at.astimezone(t.tz).date(), s.supervisor_id, s.place))
    shown = 0
    for shown, ((day, supervisor_id, place), group) in enumerate(groups, start=1):
        if shown > MAX_OFFER_GROUPS:
            blocks.append(context(t("intake.offer.more")))
            break
        who = supervisors.get(supervisor_id)
        line = f"*{t.date(day, 'full')}*" + (f" · {mention(who.slack_user_id)}" if who else "")
        blocks.append(section(line + (f" · {escape(place)}" if place else "")))
        buttons = [button(hour(t, s.starts_at), f"{action}_{s.id}", str(s.id)) for s in group][:25]
        blocks.append(actions(*buttons))
    blocks.append(context(t("intake.offer.rule")))
    return [*blocks, *extra][:50]


def booked_blocks(t: Translator, booked: Booked, now: datetime) -> list[Block]:
    """The student's own booking: when, where, with whom; move and cancel while it is 24 h away."""
    slot = booked.slot
    facts = when_text(t, slot.starts_at, slot.ends_at) + _place(t, slot.place)
    if booked.booking.held_at is not None:
        return [section(t("intake.booking.held", who=mention(booked.supervisor.slack_user_id), when=facts))]
    blocks = [section(t("intake.booking.yours", who=mention(booked.supervisor.slack_user_id), when=facts))]
    if may_change(slot.starts_at, now):
        blocks.append(
            actions(
                button(t("intake.booking.move"), SHOW_MOVE, str(booked.booking.id)),
                button(t("intake.booking.cancel"), CANCEL, str(booked.booking.id), style="danger"),
            )
        )
        blocks.append(context(t("intake.booking.rule")))
    else:
        blocks.append(context(t("intake.booking.locked", contact=contact_text(booked.supervisor))))
    return blocks


def contact_text(person: Person) -> str:
    """Whom to tell yourself, and how: their mention, and their e-mail address when it is known."""
    who = mention(person.slack_user_id)
    return f"{who} ({escape(person.email)})" if person.email else who


def student_notice(t: Translator, key: str, **params: Any) -> Block:
    return section(t(key, **params))


# --- the supervisor's side ---------------------------------------------------------------------------


def supervisor_booking_blocks(t: Translator, booked: Booked, key: str) -> list[Block]:
    slot = booked.slot
    facts = when_text(t, slot.starts_at, slot.ends_at) + _place(t, slot.place)
    return [
        section(t(key, who=mention(booked.student.slack_user_id), when=facts)),
        actions(button(t("intake.held.button"), HELD, str(booked.booking.id)), block_id=HELD),
    ]


def held_line(t: Translator, by_slack_id: str, at: datetime) -> Block:
    return context(t("intake.held.done", who=mention(by_slack_id), when=t.datetime(at, "short")))


def schedule_blocks(t: Translator, rows: Sequence[ScheduleRow], now: datetime) -> list[Block]:
    """A supervisor's slots: free ones can be withdrawn; booked ones marked held once they started."""
    blocks: list[Block] = [header(t("intake.schedule.header"))]
    if not rows:
        return [*blocks, section(t("intake.schedule.empty")), context(t("intake.schedule.publish"))]
    for row in rows[:44]:
        slot = row.slot
        line = when_text(t, slot.starts_at, slot.ends_at) + _place(t, slot.place)
        accessory = None
        if row.booking is None or row.student is None:
            line += " — " + t("intake.schedule.free")
            if slot.starts_at > now:
                accessory = button(t("intake.schedule.cancel"), CANCEL_SLOT, str(slot.id), style="danger")
        else:
            held = row.booking.held_at is not None
            line += " — " + t(
                "intake.schedule.held" if held else "intake.schedule.booked",
                who=mention(row.student.slack_user_id),
            )
            if slot.starts_at <= now:
                label = "intake.held.edit" if held else "intake.held.button"
                accessory = button(t(label), HELD, str(row.booking.id))
            else:
                accessory = button(t("intake.schedule.cancel"), CANCEL_SLOT, str(slot.id), style="danger")
        blocks.append(section(line, accessory=accessory))
    blocks.append(context(t("intake.schedule.publish")))
    return blocks


def held_modal(t: Translator, booked: Booked, metadata: dict[str, Any]) -> dict[str, Any]:
    slot = booked.slot
    note_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "note",
        "multiline": True,
        "max_length": MAX_NOTE_LENGTH,
    }
    if booked.booking.note:
        note_input["initial_value"] = booked.booking.note
    return {
        "type": "modal",
        "callback_id": HELD_FORM,
        "private_metadata": json.dumps(metadata),
        "title": plain(t("intake.held.title")),
        "submit": plain(t("intake.held.save")),
        "close": plain(t("intake.form.close")),
        "blocks": [
            section(
                t(
                    "intake.held.intro",
                    who=mention(booked.student.slack_user_id),
                    when=when_text(t, slot.starts_at, slot.ends_at),
                )
            ),
            input_block(
                "note", t("intake.held.note"), note_input, optional=True, hint=t("intake.held.note_hint")
            ),
        ],
    }


def detail_blocks(t: Translator, booked: Booked | None) -> list[Block]:
    """The intake in a student's detail view (staff only): when, whether it was held, and the note."""
    if booked is None:
        return [section(t("intake.detail.none"))]
    slot = booked.slot
    facts = when_text(t, slot.starts_at, slot.ends_at) + _place(t, slot.place)
    if booked.booking.held_at is None:
        return [section(t("intake.detail.booked", who=mention(booked.supervisor.slack_user_id), when=facts))]
    blocks = [section(t("intake.detail.held", who=mention(booked.supervisor.slack_user_id), when=facts))]
    note = booked.booking.note
    blocks.append(section(t("intake.detail.note", note=escape(note)) if note else t("intake.detail.no_note")))
    return blocks
