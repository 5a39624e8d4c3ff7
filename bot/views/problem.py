"""The coordinator's DM about a student's problem: the problem and the student's context."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.blocks import Block, context, escape, header, mention, section
from models.people import Person, Student
from models.progress import Step, StudentSummary


def coordinator_message(
    t: Translator,
    student_slack_id: str,
    student: Student,
    summary: StudentSummary,
    supervisors: list[Person],
    text: str,
) -> tuple[list[Block], str]:
    fallback = t("problem.dm.fallback", student=summary.name)
    next_step = t(f"step.{int(summary.next_open)}.name") if summary.next_open else t("problem.dm.all_done")
    facts = [
        t("problem.dm.subjects", x=escape(student.subject_x), y=escape(student.subject_y)),
        t("problem.dm.supervisors", names=", ".join(mention(p.slack_user_id) for p in supervisors) or "—"),
        t("problem.dm.progress", done=summary.done, total=len(Step), next=next_step),
    ]
    if student.lio:
        facts.append(t("problem.dm.lio"))
    blocks = [
        header(t("problem.dm.header")),
        section(t("problem.dm.from", student=mention(student_slack_id))),
        section(">" + escape(text).replace("\n", "\n>")),
        context(*facts),
    ]
    return blocks, fallback
