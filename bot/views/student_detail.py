"""The top of a student's detail view and the list of students with a button to open it."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.blocks import Block, button, context, divider, escape, header, mention, section
from bot.views.paging import page_blocks
from bot.views.status import PAGE_SIZE, STATE_ICONS
from models.people import Person, Student
from models.progress import Step, StepStatus, StudentSummary

DETAIL_ACTION = "student_detail"
LIST_PAGE_ACTION = "students_page"


def student_header(
    t: Translator,
    person: Person,
    student: Student,
    supervisors: dict[str, Person],
    summary: StudentSummary,
    statuses: list[StepStatus],
) -> list[Block]:
    distinct = {p.slack_user_id: p for p in supervisors.values()}  # one person may supervise X, Y and all
    names = ", ".join(mention(slack_id) for slack_id in distinct) or "—"
    facts = [
        t("students.detail.subjects", x=escape(student.subject_x), y=escape(student.subject_y)),
        t("students.detail.supervisors", names=names),
        t("students.detail.progress", done=summary.done, total=len(Step)),
    ]
    if student.lio:
        facts.append(t("students.detail.lio"))
    steps = " ".join(f"{STATE_ICONS[s.state]}{int(s.step)}" for s in statuses)
    return [
        header(person.name),
        section(mention(person.slack_user_id) + (f" · {escape(person.email)}" if person.email else "")),
        context(*facts),
        section(steps),
        divider(),
    ]


def student_list(t: Translator, summaries: list[StudentSummary], offset: int, total: int) -> list[Block]:
    if total == 0:
        return [section(t("status.group.empty"))]
    blocks: list[Block] = [header(t("students.header", count=total))]
    for s in summaries:
        line = t("students.line", who=mention(s.slack_user_id), done=s.done, total=len(Step))
        blocks.append(section(line, accessory=button(t("students.open"), DETAIL_ACTION, str(s.student_id))))
    return [*blocks, *page_blocks(t, LIST_PAGE_ACTION, offset, len(summaries), total, PAGE_SIZE)]
