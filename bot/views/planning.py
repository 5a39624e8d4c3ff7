"""Block Kit for steps 7 and 8: the student's planning per placement, the preview of read lines, the
supervisor's review message, the reason modal and the lesson modal. Pure functions: data in, blocks out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, time
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    line_sections,
    plain,
    section,
)
from bot.views.decision import Wire
from bot.views.placements import activity_name, course_name, school_name
from models import planning
from models.catalogue import Catalogue
from models.lesson_text import LineReading
from models.placements import Placement
from models.planning import (
    LESSON_TEXT_LIMITS,
    Blocker,
    PlannedLesson,
    PlanningVersion,
    Problem,
    VersionStatus,
    lesson_hours,
)
from models.schools import Institution

TYPE_ACTION = "planning_type"
PICK_ACTION = "planning_pick"
ADD_ACTION = "planning_add"
DELETE_ACTION = "planning_delete"
SUBMIT_ACTION = "planning_submit"
SAVE_ACTION = "planning_save"
CANCEL_ACTION = "planning_cancel"
# the review's ids: planning_approve, planning_changes, planning_changes_reason
REVIEW_WIRE = Wire("planning", "changes", planning.MAX_REASON_LENGTH, "planning.review.not_allowed")
LESSON_CALLBACK = "planning_lesson"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
LESSON_BLOCKS = ("day", "start", "end", "activity", "class_name", "room", "topic", "mentor")
PREVIEW_LINES = 40  # lines shown one by one in a preview; the rest are counted
BUTTON_VALUE_MAX = 2000  # Slack's limit on a button's value
LIST_LESSONS = 15  # lessons listed per version in /stage planning
TIME_TEXT_LIMIT = 20  # a typed hour ("10u50", "10:50")


def preview_title(t: Translator, lines: int, saveable: int) -> str:
    """How many lines were read, and how many of them can be saved as lessons."""
    return (
        t.ngettext("planning.preview.title", lines, lines=lines)
        + " "
        + t.ngettext("planning.preview.title_ok", saveable, ok=saveable)
    )


def hours_text(hours: float) -> str:
    return f"{hours:g}"


def time_text(value: time) -> str:
    return value.strftime("%H:%M")


def problem_text(t: Translator, problem: Problem) -> str:
    params = dict(problem.params)
    for key, value in list(params.items()):
        if isinstance(value, date):
            params[key] = t.date(value, "medium")
        elif isinstance(value, time):
            params[key] = time_text(value)
        elif isinstance(value, float):
            params[key] = hours_text(value)
    if "activity" in params:
        params["activity"] = activity_name(t, str(params["activity"])) if params["activity"] else "?"
    if "allowed" in params:
        params["allowed"] = ", ".join(activity_name(t, a) for a in params["allowed"])
    if "weekday" in params:
        params["weekday"] = t(f"planning.weekday.{params['weekday']}")
    return t(problem.key, **params)


def reading_problem_text(t: Translator, reading: LineReading, school: Institution | None = None) -> str:
    params: dict[str, Any] = {}
    if reading.problem == "weekday_mismatch":
        params = {
            "date": t.date(reading.detail["day"], "full"),
            "weekday": t(f"planning.weekday.{reading.detail['weekday']}"),
        }
    elif reading.problem in ("unknown_period", "no_bell_schedule"):
        params = {
            "period": reading.detail.get("period", "?"),
            "school": school_name(school),
            "code": escape(school.code) if school else "?",
        }
    return t(f"planning.line.{reading.problem}", **params)


def lesson_text(
    t: Translator, lesson: PlannedLesson | dict[str, Any], activity_label: str | None = None
) -> str:
    get: Callable[[str], Any] = lesson.get if isinstance(lesson, dict) else lambda k: getattr(lesson, k)
    day = get("day")
    day = date.fromisoformat(day) if isinstance(day, str) else day
    start, end = get("start"), get("end")
    start = time.fromisoformat(start) if isinstance(start, str) else start
    end = time.fromisoformat(end) if isinstance(end, str) else end
    parts = [f"{t.date(day, 'EEE d MMM')} {time_text(start)}–{time_text(end)}"]
    activity = get("activity")
    parts.append(activity_label or (activity_name(t, activity) if activity else t("planning.no_activity")))
    if get("class_name"):
        parts.append(escape(str(get("class_name"))))
    if get("room"):
        parts.append(t("planning.room", room=escape(str(get("room")))))
    if get("topic"):
        parts.append(f"_{escape(str(get('topic')))}_")
    return " · ".join(parts)


def totals_text(t: Translator, required: dict[str, int], lessons: list[PlannedLesson]) -> str:
    planned: dict[str, float] = {}
    for x in lessons:
        planned[x.activity] = planned.get(x.activity, 0) + lesson_hours(x.start, x.end)
    return "  ".join(
        t("planning.total", activity=activity_name(t, a), planned=hours_text(planned.get(a, 0)), required=h)
        for a, h in required.items()
    )


def version_status_text(t: Translator, version: PlanningVersion) -> str:
    text = t(f"planning.version.{version.status}", number=version.number)
    if version.late:
        text += " " + t("planning.version.late")
    if version.status == VersionStatus.CHANGES_REQUESTED and version.reason:
        text += "\n" + t("decision.reason", reason=escape(version.reason))
    return text


def student_planning(
    t: Translator,
    catalogue: Catalogue,
    rows: list[tuple[Placement, Institution | None, PlanningVersion | None, PlanningVersion | None]],
    lessons: dict[int, list[PlannedLesson]],
    required: dict[int, dict[str, int]],
    deadline: dict[int, date],
    today: date | None = None,
) -> list[Block]:
    """Per placement: the approved version (while a change waits) and the current one, with totals; a
    planning not submitted by its deadline is marked late."""
    blocks: list[Block] = [header(t("planning.header"))]
    if not rows:
        return [*blocks, section(t("planning.no_placements"))]
    for placement, school, head, approved in rows:
        pid = str(placement.id)
        title = t(
            "planning.placement",
            course=escape(course_name(t, catalogue, placement.course_code)),
            school=school_name(school),
            due=t.date(deadline[placement.id or 0], "medium"),
        )
        submitted = head is not None and head.status in (VersionStatus.SUBMITTED, VersionStatus.APPROVED)
        if today is not None and deadline[placement.id or 0] < today and not (submitted or approved):
            title += " " + t("planning.overdue")
        blocks += [divider(), section(title)]
        shown = [v for v in (approved, head) if v is not None]
        if head is not None and approved is not None and head.id == approved.id:
            shown = [head]
        if not shown:
            blocks.append(context(t("planning.empty")))
        for version in shown:
            own = lessons.get(version.id or 0, [])
            lines = [f"• {lesson_text(t, x)}" for x in own[:LIST_LESSONS]]
            if len(own) > LIST_LESSONS:
                lines.append(t("planning.more", count=len(own) - LIST_LESSONS))
            body = (
                version_status_text(t, version)
                + "\n"
                + ("\n".join(lines) if lines else t("planning.no_lessons"))
            )
            blocks.append(section(body))
            blocks.append(context(totals_text(t, required.get(placement.id or 0, {}), own)))
        buttons = [button(t("planning.button.type"), TYPE_ACTION, pid, style="primary")]
        buttons.append(button(t("planning.button.add"), ADD_ACTION, pid))
        if head is not None and head.status == VersionStatus.DRAFT:
            buttons.append(button(t("planning.button.submit"), SUBMIT_ACTION, pid))
        blocks.append(actions(*buttons, block_id=f"planning:{pid}"))
    blocks.append(context(t("planning.hint")))
    return blocks[:50]


def preview(
    t: Translator,
    readings: list[LineReading],
    lesson_problems: dict[int, list[str]],
    saveable: int,
    preview_id: int,
    *,
    taken: dict[int, str] | None = None,
    course: str | None = None,
    school: Institution | None = None,
) -> list[Block]:
    """Each line's reading or its problem; Save only what was read without problems. `taken`: per line
    number, the activity it did not name and that was taken as the only possible one."""
    lines = []
    for reading in readings[:PREVIEW_LINES]:
        head = f"`{reading.number}` {escape(reading.line[:80])}"
        if reading.lesson is None:
            lines.append(f"{head}\n   :x: {reading_problem_text(t, reading, school)}")
            continue
        problems = lesson_problems.get(reading.number, [])
        mark = ":warning:" if problems else ":white_check_mark:"
        text = f"{head}\n   {mark} {lesson_reading_text(t, reading, (taken or {}).get(reading.number))}"
        for p in problems:
            text += f"\n   :warning: {p}"
        lines.append(text)
    if len(readings) > PREVIEW_LINES:
        lines.append(t("planning.more_lines", count=len(readings) - PREVIEW_LINES))
    title = preview_title(t, len(readings), saveable)
    blocks: list[Block] = [section(title)]
    if course is not None:
        blocks.append(context(t("planning.preview.for", course=escape(course), school=school_name(school))))
    blocks += line_sections(lines)
    buttons = [button(t("planning.button.cancel"), CANCEL_ACTION, str(preview_id))]
    if saveable:
        buttons.insert(
            0,
            button(t("planning.button.save", count=saveable), SAVE_ACTION, str(preview_id), style="primary"),
        )
    blocks.append(actions(*buttons, block_id="preview"))
    return blocks


def lesson_reading_text(t: Translator, reading: LineReading, taken: str | None = None) -> str:
    """The lesson as read; an activity the line did not name but that was taken is marked as such."""
    lesson = reading.lesson
    assert lesson is not None
    label = None
    if taken and not lesson.activity:
        label = t("planning.activity_taken", activity=activity_name(t, taken))
    return lesson_text(
        t,
        {
            "day": lesson.day,
            "start": lesson.start,
            "end": lesson.end,
            "activity": lesson.activity,
            "class_name": lesson.class_name,
            "room": lesson.room,
            "topic": lesson.topic,
        },
        label,
    )


def which_placement(
    t: Translator,
    catalogue: Catalogue,
    candidates: list[Placement],
    schools: dict[int, Institution],
    text: str,
) -> tuple[list[Block], str]:
    """Lines typed in the DM that fit several placements (or none): a button per placement reads them
    for that one (the text travels in the button when it fits, else the student sends it again)."""
    if not candidates:
        message = t("planning.no_placements")
        return [section(message)], message
    question = t("planning.pick.question")
    blocks: list[Block] = [section(question)]
    fits = True
    for placement in candidates[:20]:
        value = json.dumps({"placement": placement.id, "text": text}, ensure_ascii=False)
        label = t(
            "planning.pick.placement",
            course=escape(course_name(t, catalogue, placement.course_code)),
            school=school_name(schools.get(placement.institution_id)),
        )
        if len(value) <= BUTTON_VALUE_MAX:
            accessory = button(t("planning.pick.button"), PICK_ACTION, value, style="primary")
        else:
            fits = False
            accessory = button(t("planning.button.type"), TYPE_ACTION, str(placement.id))
        blocks.append(section(label, accessory=accessory) | {"block_id": f"pick:{placement.id}"})
    if not fits:
        blocks.append(context(t("planning.pick.send_again")))
    return blocks, question


def review_message(
    t: Translator,
    catalogue: Catalogue,
    student_slack_id: str,
    placement: Placement,
    school: Institution | None,
    version: PlanningVersion,
    lessons: list[PlannedLesson],
    required: dict[str, int],
) -> list[Block]:
    """The supervisor's DM above its buttons (bot.flows.review adds them, or what became of them)."""
    intro = t(
        "planning.review.intro",
        student=f"<@{student_slack_id}>",
        course=escape(course_name(t, catalogue, placement.course_code)),
        school=school_name(school),
        count=len(lessons),
    )
    blocks: list[Block] = [section(intro)]
    if version.late:
        blocks.append(section(t("planning.review.late", first=t.date(min(x.day for x in lessons), "long"))))
    # Every lesson: the supervisor approves what they can read (split over sections, never cut).
    blocks += line_sections([f"• {lesson_text(t, x)}" for x in lessons])
    blocks.append(context(totals_text(t, required, lessons)))
    return blocks


def lesson_modal(
    t: Translator, placement_id: int, activities: list[str], lessons: list[PlannedLesson]
) -> dict[str, Any]:
    """Add a lesson (and delete one of the draft's lessons with its button)."""

    def text_input(block: str, optional: bool = True, placeholder: str | None = None) -> Block:
        element: Block = {"type": "plain_text_input", "action_id": block}
        element["max_length"] = LESSON_TEXT_LIMITS.get(block, TIME_TEXT_LIMIT)
        if placeholder:
            element["placeholder"] = plain(placeholder)
        return {
            "type": "input",
            "block_id": block,
            "optional": optional,
            "label": plain(t(f"planning.modal.{block}")),
            "element": element,
        }

    options = [{"text": plain(activity_name(t, a)), "value": a} for a in activities]
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": "day",
            "label": plain(t("planning.modal.day")),
            "element": {"type": "datepicker", "action_id": "day"},
        },
        text_input("start", False, "10:00"),
        text_input("end", False, "10:50"),
        {
            "type": "input",
            "block_id": "activity",
            "label": plain(t("planning.modal.activity")),
            "element": {
                "type": "static_select",
                "action_id": "activity",
                "options": options,
                "initial_option": options[0],
            },
        },
        text_input("class_name", True, "5B"),
        text_input("room"),
        text_input("topic"),
        text_input("mentor"),
    ]
    for lesson in lessons[:20]:
        blocks.append(
            section(
                lesson_text(t, lesson),
                accessory=button(t("planning.button.delete"), DELETE_ACTION, f"{placement_id}:{lesson.id}"),
            )
        )
    return {
        "type": "modal",
        "callback_id": LESSON_CALLBACK,
        "private_metadata": str(placement_id),
        "title": plain(t("planning.modal.title")),
        "submit": plain(t("planning.modal.submit")),
        "close": plain(t("planning.modal.close")),
        "blocks": blocks,
    }


def blocker_lines(t: Translator, blockers: list[Blocker]) -> list[str]:
    return [t(f"planning.blocker.{b.value}") for b in blockers]
