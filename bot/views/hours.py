"""Hours done in Block Kit: the lesson-day DM, the added hours' preview and modal, the confirmation DM,
and the completion per course (for the student's status and the staff's overview)."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, header, plain, section
from bot.views.decision import Wire
from bot.views.placements import activity_name, course_name
from bot.views.planning import hours_text, problem_text, time_text
from models.catalogue import Catalogue
from models.hours import (
    MAX_REASON_LENGTH,
    Completion,
    ConfirmationState,
    HoursConfirmation,
    HoursEntry,
    HoursReading,
)
from models.planning import PlannedLesson, Problem

GIVEN_ACTION = "hours_given"
NOT_HELD_ACTION = "hours_not_held"
MOVE_ACTION = "hours_move"
MOVE_CALLBACK = "hours_move_lesson"
ADD_ACTION = "hours_add"
ADD_CALLBACK = "hours_add_entry"
SAVE_ACTION = "hours_save"
CANCEL_ACTION = "hours_cancel"
REMOVE_ACTION = "hours_remove"
RESUBMIT_ACTION = "hours_resubmit"
REVIEW_WIRE = Wire("hours", "send_back", MAX_REASON_LENGTH, "hours.review.not_allowed")  # hours_approve, ...
LIST_ENTRIES = 15
BEHIND_LISTED = 30


def problems_text(t: Translator, catalogue: Catalogue, problems: list[Problem]) -> str:
    return "\n".join(f"• {problem(t, catalogue, p)}" for p in problems)


def problem(t: Translator, catalogue: Catalogue, found: Problem) -> str:
    if "course" in found.params:
        named = dict(found.params, course=course_name(t, catalogue, str(found.params["course"])))
        found = Problem(found.key, named)
    return problem_text(t, found)


def state_text(t: Translator, entry: HoursEntry | None, confirmation: str | None) -> str:
    if entry is None:
        return t("hours.lesson.unanswered")
    text = t(f"hours.entry.{entry.state}")
    if confirmation is not None:
        text += " · " + t(f"hours.confirmation.{confirmation}")
    return text


def lesson_line(t: Translator, lesson: PlannedLesson) -> str:
    parts = [f"{time_text(lesson.start)}–{time_text(lesson.end)}", activity_name(t, lesson.activity)]
    if lesson.class_name:
        parts.append(escape(lesson.class_name))
    if lesson.topic:
        parts.append(f"_{escape(lesson.topic)}_")
    return " · ".join(parts)


def lesson_day(
    t: Translator,
    day: date,
    lessons: list[PlannedLesson],
    answers: dict[int, tuple[HoursEntry | None, str | None]],
) -> tuple[str, list[Block]]:
    """The DM after a lesson day: each lesson with Given / Did not take place / Moved, and its answer."""
    title = t("hours.day.title", day=t.date(day, "full"))
    blocks: list[Block] = [section(f"*{title}*\n{t('hours.day.intro')}")]
    for lesson in lessons[:20]:
        entry, confirmation = answers.get(lesson.id or 0, (None, None))
        blocks.append(section(f"{lesson_line(t, lesson)}\n{state_text(t, entry, confirmation)}"))
        if confirmation not in (ConfirmationState.CONFIRMED, ConfirmationState.OPEN):
            value = str(lesson.id)
            blocks.append(
                actions(
                    button(t("hours.button.given"), GIVEN_ACTION, value, style="primary"),
                    button(t("hours.button.not_held"), NOT_HELD_ACTION, value),
                    button(t("hours.button.moved"), MOVE_ACTION, value),
                    block_id=f"lesson:{lesson.id}",
                )
            )
    return title, blocks


def _input(t: Translator, block: str, placeholder: str | None = None, optional: bool = False) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": block, "max_length": 300}
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return {
        "type": "input",
        "block_id": block,
        "optional": optional,
        "label": plain(t(f"hours.modal.{block}")),
        "element": element,
    }


def _day_input(t: Translator, initial: date | None = None) -> Block:
    element: Block = {"type": "datepicker", "action_id": "day"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return {"type": "input", "block_id": "day", "label": plain(t("hours.modal.day")), "element": element}


def move_modal(t: Translator, lesson: PlannedLesson) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": MOVE_CALLBACK,
        "private_metadata": str(lesson.id),
        "title": plain(t("hours.move.title")),
        "submit": plain(t("hours.move.submit")),
        "close": plain(t("hours.modal.close")),
        "blocks": [
            section(t("hours.move.intro", lesson=lesson_line(t, lesson), day=t.date(lesson.day, "full"))),
            _day_input(t, lesson.day),
            _input(t, "start", time_text(lesson.start)),
            _input(t, "end", time_text(lesson.end)),
        ],
    }


def add_modal(t: Translator, options: list[tuple[str, str]]) -> dict[str, Any]:
    """Hours that are no lesson; `options`: (placement id:activity, label)."""
    choices = [{"text": plain(label[:75]), "value": value} for value, label in options]
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "title": plain(t("hours.add.title")),
        "submit": plain(t("hours.add.submit")),
        "close": plain(t("hours.modal.close")),
        "blocks": [
            _day_input(t),
            _input(t, "hours", "2"),
            {
                "type": "input",
                "block_id": "activity",
                "label": plain(t("hours.modal.activity")),
                "element": {
                    "type": "static_select",
                    "action_id": "activity",
                    "options": choices,
                    "initial_option": choices[0],
                },
            },
            _input(t, "note", None, optional=True),
        ],
    }


def preview(
    t: Translator,
    catalogue: Catalogue,
    reading: HoursReading,
    placement_course: str | None,
    value: dict[str, Any],
) -> tuple[str, list[Block]]:
    """What was read, with Save / Cancel (saved only on confirmation)."""
    assert reading.day is not None and reading.hours is not None and reading.activity is not None
    text = t(
        "hours.preview.text", day=t.date(reading.day, "full"), hours=hours_text(reading.hours),
        activity=activity_name(t, reading.activity), course=placement_course or "?",
    )  # fmt: skip
    if reading.note:
        text += "\n" + t("hours.preview.note", note=escape(reading.note))
    raw = json.dumps(value, separators=(",", ":"))
    return text, [
        section(text),
        actions(
            button(t("hours.button.save"), SAVE_ACTION, raw, style="primary"),
            button(t("hours.button.cancel"), CANCEL_ACTION, raw),
        ),
    ]


def reading_problem(t: Translator, reading: HoursReading) -> str:
    return t(f"hours.read.{reading.problem or 'no_activity'}")


def entry_line(t: Translator, entry: HoursEntry, confirmation: str | None) -> str:
    what = activity_name(t, entry.activity)
    start = f" {time_text(entry.lesson_start)}" if isinstance(entry.lesson_start, time) else ""
    line = f"{t.date(entry.day, 'EEE d MMM')}{start} · {hours_text(entry.hours)} u · {what}"
    if entry.note:
        line += f" · _{escape(entry.note)}_"
    return f"{line} — {state_text(t, entry, confirmation)}"


def student_overview(
    t: Translator,
    catalogue: Catalogue,
    completion: Completion,
    entries: list[HoursEntry],
    states: dict[int, str],
) -> list[Block]:
    """`/stage uren` for a student: completion per course, the latest entries, and Add hours."""
    blocks: list[Block] = [header(t("hours.header"))]
    blocks += [section(line) for line in completion_lines(t, catalogue, completion)] or [
        section(t("hours.none_placed"))
    ]
    shown = entries[-LIST_ENTRIES:]
    for entry in shown:
        confirmation = states.get(entry.confirmation_id or 0)
        line = entry_line(t, entry, confirmation)
        removable = entry.state == "logged" and confirmation not in (
            ConfirmationState.CONFIRMED,
            ConfirmationState.OPEN,
        )
        accessory = button(t("hours.button.remove"), REMOVE_ACTION, str(entry.id)) if removable else None
        blocks.append(section(line, accessory=accessory))
    blocks.append(actions(button(t("hours.button.add"), ADD_ACTION, "add", style="primary")))
    blocks.append(context(t("hours.typing_hint")))
    return blocks


def course_line(t: Translator, catalogue: Catalogue, completion: Completion, index: int) -> str:
    c = completion.courses[index]
    parts = [
        t(
            "hours.status.activity",
            activity=activity_name(t, a),
            planned=hours_text(h.planned),
            done=hours_text(h.done),
            confirmed=hours_text(h.confirmed),
            required=h.required,
        )
        for a, h in c.activities.items()
    ]
    state = t("hours.status.complete") if c.complete else t("hours.status.incomplete")
    name = course_name(t, catalogue, c.placement.course_code)
    return t("hours.status.course", course=name, state=state) + "\n" + "\n".join(f"• {p}" for p in parts)


def completion_lines(t: Translator, catalogue: Catalogue, completion: Completion) -> list[str]:
    """Per course, then the programme's rules still short on confirmed hours (each named)."""
    lines = [course_line(t, catalogue, completion, i) for i in range(len(completion.courses))]
    rules = [p for p in completion.shortfalls if p.key != "hours.short.activity"]
    if completion.courses and rules:
        lines.append(t("hours.status.rules") + "\n" + problems_text(t, catalogue, rules))
    return lines


def status_lines(t: Translator, catalogue: Catalogue, completion: Completion) -> list[str]:
    """The lines under step 8 in `/stage status`: per course its hours, then each shortfall."""
    if not completion.courses:
        return []
    lines = []
    for c in completion.courses:
        name = course_name(t, catalogue, c.placement.course_code)
        required = sum(h.required for h in c.activities.values())
        confirmed = sum(min(h.confirmed, h.required) for h in c.activities.values())
        done = sum(h.done for h in c.activities.values())
        key = "hours.status.line_complete" if c.complete else "hours.status.line"
        lines.append(
            t(key, course=name, confirmed=hours_text(confirmed), done=hours_text(done), required=required)
        )
    if completion.shortfalls:
        lines.append(
            t("hours.status.short", items="; ".join(problem(t, catalogue, p) for p in completion.shortfalls))
        )
    return lines


def staff_overview(
    t: Translator, catalogue: Catalogue, total: int, behind: list[tuple[str, float, float, int]]
) -> list[Block]:
    """Who is behind: (student's Slack id, confirmed, done, required) of the students short of hours."""
    blocks: list[Block] = [
        header(t("hours.staff.header")),
        section(t("hours.staff.summary", behind=len(behind), total=total)),
    ]
    lines = [
        t("hours.staff.line", student=f"<@{slack}>", confirmed=hours_text(c), done=hours_text(d), required=r)
        for slack, c, d, r in behind[:BEHIND_LISTED]
    ]
    if lines:
        blocks.append(section("\n".join(lines)))
    if len(behind) > BEHIND_LISTED:
        blocks.append(context(t("hours.staff.more", count=len(behind) - BEHIND_LISTED)))
    return blocks


def confirmation_message(
    t: Translator, student_slack_id: str, record: HoursConfirmation, entries: list[HoursEntry]
) -> tuple[str, list[Block]]:
    """The supervisor's DM: the week's hours, confirmed or sent back with a note."""
    total = sum(e.hours for e in entries)
    intro = t(
        "hours.review.intro", student=f"<@{student_slack_id}>", week=t.date(record.week_start, "d MMM yyyy"),
        hours=hours_text(total),
    )  # fmt: skip
    lines = [entry_line(t, e, None) for e in entries[:30]]
    if len(entries) > 30:
        lines.append(t("hours.review.more", count=len(entries) - 30))
    return t("hours.review.text"), [section(intro), section("\n".join(lines) or "-")]


def sent_back(t: Translator, record: HoursConfirmation, reason: str) -> tuple[str, list[Block]]:
    text = t("hours.decision.sent_back", week=t.date(record.week_start, "d MMM yyyy"), reason=escape(reason))
    return text, [
        section(text),
        actions(button(t("hours.button.resubmit"), RESUBMIT_ACTION, str(record.id), style="primary")),
    ]
