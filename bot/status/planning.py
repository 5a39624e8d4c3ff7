"""What `/stage status` shows under steps 7 and 8 (each placement's planning, and exactly what still blocks
its start), and the planning section of a student's record for staff. A fixed number of queries each."""

from __future__ import annotations

from sqlmodel import Session

from bot.i18n import Translator
from bot.status.placements import catalogue
from bot.views.blocks import Block, header, section
from bot.views.placements import activity_name, course_name
from bot.views.planning import lesson_text, totals_text, version_status_text
from models import planning
from models.placements import Placement


def _course(t: Translator, placement: Placement) -> str:
    return course_name(t, catalogue(), placement.course_code)


def planning_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    picture = planning.load(session, student_id)
    lines = []
    for p in picture.placements:
        head, approved = picture.current(p.id or 0), picture.approved(p.id or 0)
        what = ", ".join(activity_name(t, a) for a in p.activities)
        if head is None:
            state = t("planning.status.none")
        else:
            state = t(f"planning.version.{head.status}", number=head.number)
            if head.late:
                state += " " + t("planning.version.late")
            if approved is not None and approved.id != head.id:
                state += " " + t("planning.status.approved_kept", number=approved.number)
        lines.append(t("planning.status.line", course=_course(t, p), activities=what, state=state))
    return lines


def start_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    lines = []
    for placement, blockers in planning.gate(session, student_id):
        if blockers:
            waiting = "; ".join(t(f"planning.blocker.{b.value}") for b in blockers)
            lines.append(t("planning.status.blocked", course=_course(t, placement), blockers=waiting))
        else:
            lines.append(t("planning.status.may_start", course=_course(t, placement)))
    return lines


def detail_section(session: Session, t: Translator, student_id: int) -> list[Block]:
    """Staff see each placement's approved planning (and a change waiting), its totals and the start gate."""
    picture = planning.load(session, student_id)
    if not picture.placements:
        return []
    blocks: list[Block] = [header(t("planning.header"))]
    for p in picture.placements[:5]:
        head, approved = picture.current(p.id or 0), picture.approved(p.id or 0)
        shown = [approved] if approved is not None else []
        if head is not None and (approved is None or head.id != approved.id):
            shown.append(head)  # a change waiting, shown below the approved version
        parts = [f"*{_course(t, p)}*"]
        if not shown:
            parts.append(t("planning.status.none"))
        for version in shown:
            own = picture.lessons.get(version.id or 0, [])
            parts.append(version_status_text(t, version))
            parts += [f"• {lesson_text(t, x)}" for x in own[:8]]
            if len(own) > 8:
                parts.append(t("planning.more", count=len(own) - 8))
            parts.append(totals_text(t, planning.required_hours(catalogue(), p), own))
        blocks.append(section("\n".join(parts)))
    blocks.append(section("\n".join(start_lines(session, t, student_id))))
    return blocks
