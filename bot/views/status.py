"""The checklist of the eight steps, and the overviews for supervisors and the coordinator."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    context,
    divider,
    fields_section,
    header,
    line_sections,
    mention,
    section,
)
from bot.views.paging import page_blocks
from models.catalogue import Deadline
from models.progress import FINISHED, Step, StepCounts, StepState, StepStatus, StudentSummary

STATE_ICONS = {
    StepState.NOT_STARTED: "⬜",
    StepState.IN_PROGRESS: "🔄",
    StepState.AWAITING_REVIEW: "⏳",
    StepState.SENT_BACK: "↩️",
    StepState.DONE: "✅",
    StepState.NOT_REQUIRED: "➖",
}
COUNT_ORDER = (
    StepState.DONE,
    StepState.AWAITING_REVIEW,
    StepState.SENT_BACK,
    StepState.IN_PROGRESS,
    StepState.NOT_STARTED,
)
PAGE_SIZE = 20
PAGE_ACTION = "status_page"


def deadline_name(t: Translator, deadline: Deadline) -> str:
    if deadline.name:
        return deadline.name.get(t.language) or deadline.name["en"]
    assert deadline.period_start is not None
    return t("deadline.planning", start=t.date(deadline.period_start))


def deadline_line(t: Translator, deadline: Deadline | None, today: date) -> str:
    if deadline is None:
        return t("status.no_deadline")
    days = (deadline.due - today).days
    return t.ngettext(
        "status.next_deadline", days, name=deadline_name(t, deadline), due=t.date(deadline.due), days=days
    )


def student_checklist(
    t: Translator,
    name: str,
    statuses: list[StepStatus],
    deadline: Deadline | None,
    today: date,
    details: dict[Step, list[str]] | None = None,
    overdue: dict[Step, Deadline] | None = None,
) -> list[Block]:
    """Eight lines, one per step (a step whose deadline passed marked late), then what is due next and
    whether the student may start."""
    blocks: list[Block] = [header(t("status.student.header")), context(t("status.student.intro", name=name))]
    for status in statuses:
        line = t(
            "status.step_line",
            icon=STATE_ICONS[status.state],
            number=int(status.step),
            step=t(f"step.{int(status.step)}.name"),
            state=t(f"state.{status.state.value}"),
        )
        lines = (details or {}).get(status.step) or [t(f"step.{int(status.step)}.hint")]
        if late := (overdue or {}).get(status.step):
            lines = [t("status.overdue", name=deadline_name(t, late), due=t.date(late.due)), *lines]
        blocks.append(section("\n".join([line, *lines])))
    blocks.append(divider())
    blocks.append(section(deadline_line(t, deadline, today)))
    approved = all(s.state in FINISHED for s in statuses if s.step == Step.APPROVAL)
    blocks.append(context(t("status.may_start.yes" if approved else "status.may_start.no")))
    return blocks


def _counts_field(t: Translator, counts: StepCounts) -> str:
    shown = [
        f"{STATE_ICONS[state]} {n}"
        for state in COUNT_ORDER
        if (
            n := counts.by_state.get(state, 0)
            + (counts.by_state.get(StepState.NOT_REQUIRED, 0) if state == StepState.DONE else 0)
        )
    ]
    title = t("status.counts_field", number=int(counts.step), step=t(f"step.{int(counts.step)}.name"))
    return f"*{title}*\n" + (" · ".join(shown) or "—")


def _student_line(t: Translator, summary: StudentSummary, late_steps: set[Step] | frozenset[Step]) -> str:
    parts = [mention(summary.slack_user_id), t("status.group.done", done=summary.done, total=len(Step))]
    if summary.waiting:
        parts.append(t("status.group.waiting", count=summary.waiting))
    if summary.sent_back:
        parts.append(t("status.group.sent_back", count=summary.sent_back))
    if summary.next_open is not None:
        parts.append(t("status.group.next", step=t(f"step.{int(summary.next_open)}.name")))
        if summary.next_open in late_steps and summary.next_state != StepState.AWAITING_REVIEW:
            parts.append(t("status.group.overdue"))  # its deadline passed and it is the student's move
    return " · ".join(parts)


def group_overview(
    t: Translator,
    *,
    title: str,
    total: int,
    counts: list[StepCounts],
    page: list[StudentSummary],
    offset: int,
    late_steps: set[Step] | frozenset[Step] = frozenset(),
) -> list[Block]:
    """Counts per step for the whole group, then one page of students with previous/next buttons; a
    student whose next open step is past its deadline (`late_steps`) is marked late."""
    blocks: list[Block] = [header(title)]
    if total == 0:
        blocks.append(section(t("status.group.empty")))
        return blocks
    blocks.append(context(t("status.group.legend")))
    blocks.append(fields_section([_counts_field(t, c) for c in counts[:4]]))
    blocks.append(fields_section([_counts_field(t, c) for c in counts[4:]]))
    blocks.append(divider())
    blocks.extend(line_sections([_student_line(t, s, late_steps) for s in page]))
    blocks.extend(page_blocks(t, PAGE_ACTION, offset, len(page), total, PAGE_SIZE, block_id="status_paging"))
    return blocks
