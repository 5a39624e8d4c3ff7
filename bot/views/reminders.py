"""What the scheduler says: a student's reminder, a supervisor's, the coordinator's digest, the channel's."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, fields_section, header, mention, section
from bot.views.status import STATE_ICONS, deadline_name
from models.progress import Step, StepCounts, StepState
from models.reminder_plan import Item

SNOOZE_ACTION = "reminder_snooze"
STATUS_ACTION = "reminder_status"


def _step(t: Translator, step: Step | None) -> str:
    return f"{int(step)}. {t(f'step.{int(step)}.name')}" if step else ""


def _meeting_line(t: Translator, item: Item) -> str:
    """To the student it names the supervisor; to the supervisor, the student."""
    meeting = item.meeting
    assert meeting is not None
    local = meeting.starts_at.astimezone(t.tz)
    other = (
        meeting.supervisor_slack_id
        if item.recipient == meeting.student_slack_id
        else meeting.student_slack_id
    )
    return t(
        "reminders.intake",
        day=t.date(local.date(), "full"),
        time=local.strftime("%H:%M"),
        place=escape(meeting.place) or "—",
        other=mention(other),
    )


def _student_line(t: Translator, item: Item, today: date) -> str:
    if item.kind == "intake":
        return _meeting_line(t, item)
    if item.kind == "resubmit":
        return t("reminders.student.resubmit", step=_step(t, item.step))
    assert item.deadline is not None
    days = (item.deadline.due - today).days
    return t.ngettext(
        "reminders.student.deadline",
        days,
        name=deadline_name(t, item.deadline),
        due=t.date(item.deadline.due),
        days=days,
    )


def student_reminder(t: Translator, items: list[Item], today: date) -> tuple[list[Block], str]:
    lines = "\n".join(f"• {_student_line(t, i, today)}" for i in items)
    blocks = [
        header(t("reminders.student.header")),
        section(lines),
        actions(
            button(t("reminders.show_status"), STATUS_ACTION, "status", style="primary"),
            button(t("reminders.snooze_1"), f"{SNOOZE_ACTION}_1", "1"),
            button(t("reminders.snooze_3"), f"{SNOOZE_ACTION}_3", "3"),
        ),
        context(t("reminders.footer")),
    ]
    return blocks, t("reminders.student.text", count=len(items))


def _staff_line(t: Translator, item: Item, today: date) -> str:
    student = mention(item.student_slack_id or "")
    if item.kind == "intake":
        return _meeting_line(t, item)
    if item.kind == "agreement_to_draft":
        assert item.school is not None
        return t("reminders.staff.agreement", school=escape(item.school.name), count=item.school.students)
    if item.kind == "approval":
        assert item.since is not None
        days = (today - item.since).days
        return t.ngettext(
            "reminders.staff.approval", days, student=student, step=_step(t, item.step), days=days
        )
    return t("reminders.staff.escalation", student=student, step=_step(t, item.step))


def staff_reminder(t: Translator, items: list[Item], today: date) -> tuple[list[Block], str]:
    if not items:
        return [], ""
    lines = "\n".join(f"• {_staff_line(t, i, today)}" for i in items[:40])
    blocks = [
        header(t("reminders.staff.header")),
        section(lines),
        actions(
            button(t("reminders.snooze_1"), f"{SNOOZE_ACTION}_1", "1"),
            button(t("reminders.snooze_3"), f"{SNOOZE_ACTION}_3", "3"),
        ),
    ]
    return blocks, t("reminders.staff.text", count=len(items))


DIGEST_NAMES = 50  # names in the digest's 'blocked' line; the rest are counted


def blocked_text(t: Translator, blocked: list[str]) -> str:
    names = ", ".join(mention(s) for s in blocked[:DIGEST_NAMES])
    if len(blocked) > DIGEST_NAMES:
        names += " " + t.ngettext("reminders.digest.more", len(blocked) - DIGEST_NAMES)
    return t("reminders.digest.blocked", names=names)


def digest(
    t: Translator, total: int, counts: list[StepCounts], blocked: list[str], unsent: tuple[int, int] = (0, 0)
) -> tuple[list[Block], str]:
    """`unsent`: the outbox's (pending, failed) rows, shown so nothing that failed is silent."""
    fields = [
        f"*{int(c.step)}. {t(f'step.{int(c.step)}.name')}*\n"
        f"{STATE_ICONS[StepState.DONE]} {c.finished}/{total}"
        + (
            f" · {STATE_ICONS[StepState.SENT_BACK]} {n}"
            if (n := c.by_state.get(StepState.SENT_BACK, 0))
            else ""
        )
        for c in counts
    ]
    blocks = [
        header(t("reminders.digest.header", count=total)),
        fields_section(fields[:4]),
        fields_section(fields[4:]),
        section(blocked_text(t, blocked) if blocked else t("reminders.digest.none_blocked")),
    ]
    if unsent[1]:  # what failed for good; rows still on their way are the outbox's ordinary work
        blocks.append(section(t("reminders.digest.outbox", pending=unsent[0], failed=unsent[1])))
    return blocks, t("reminders.digest.text")


def announcement(t: Translator, items: list[Item], today: date) -> tuple[list[dict[str, Any]], str]:
    """For the channel: dates and steps only, never a name or anyone's state."""
    lines = []
    for item in items:
        if item.kind == "announce_period":
            assert item.since is not None
            days = (item.since - today).days
            lines.append(t.ngettext("reminders.channel.period", days, start=t.date(item.since), days=days))
        elif item.deadline is not None:
            days = (item.deadline.due - today).days
            name, due = deadline_name(t, item.deadline), t.date(item.deadline.due)
            if days == 0:
                lines.append(t("reminders.channel.deadline_today", name=name, due=due))
            else:
                lines.append(t.ngettext("reminders.channel.deadline", days, name=name, due=due, days=days))
    blocks = [
        header(t("reminders.channel.header")),
        section("\n".join(f"📣 {line}" for line in lines)),
        context(t("reminders.channel.footer")),
    ]
    return blocks, t("reminders.channel.text")
