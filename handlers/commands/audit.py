"""`/stage audit STUDENT` (logboek): the coordinator reads who did what to a student's records, newest first.

Reading the log is itself written to the log.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.flows import documents as document_flow
from bot.views.audit import audit_lines
from bot.views.blocks import Block, context, header, section
from handlers.commands.registry import Invocation, Reply, reply
from models import audit
from models.access import may_read_audit
from models.people import Person, find_student

SHOWN = 60
LINES_PER_SECTION = 20


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session = scope.t, scope.session
    if not may_read_audit(scope.actor):
        text = t("audit.not_allowed")
        return reply([section(text)], text)
    if not invocation.args:
        text = t("audit.usage")
        return reply([section(text)], text)
    student, problem = find_student(session, invocation.args)
    if student is None:
        text = t(problem or "documents.student.not_found", text=invocation.args)
        return reply([section(text)], text)
    assert student.id is not None
    entries = audit.for_student(session, student.id, limit=SHOWN)
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    names = (
        {
            person_id: slack_id
            for person_id, slack_id in session.exec(
                select(Person.id, Person.slack_user_id).where(col(Person.id).in_(actor_ids))
            )
            if person_id is not None
        }
        if actor_ids
        else {}
    )
    lines = audit_lines(session, t, scope.services.catalogue, document_flow.config(), entries, names)
    audit.log(session, scope.now, "audit.read", actor_id=scope.actor.person_id, student_id=student.id)
    blocks: list[Block] = [header(t("audit.header", name=student.name))]
    if not lines:
        blocks.append(section(t("audit.empty")))
    for start in range(0, len(lines), LINES_PER_SECTION):
        blocks.append(section("\n".join(lines[start : start + LINES_PER_SECTION])))
    blocks.append(context(t("audit.footer", count=len(lines))))
    return reply(blocks, t("audit.text", name=student.name))
