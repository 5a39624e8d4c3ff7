"""`/stage documents [STUDENT]` (documenten): a student's documents and every version with its decision.

A student sees their own, a supervisor their students', the coordinator anyone's; a refusal is logged.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.flows import documents as flow
from bot.views.blocks import section
from bot.views.documents import documents_overview
from handlers.commands.registry import Invocation, Reply, reply
from models import audit, documents
from models.access import may_get_document
from models.people import Person, find_student


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session, actor = scope.t, scope.session, scope.actor
    if invocation.args:
        student, problem = find_student(session, invocation.args)
        if student is None:
            text = t(problem or "documents.student.not_found", text=invocation.args)
            return reply([section(text)], text)
    elif actor.is_student:
        student = session.get_one(Person, actor.person_id)
    else:
        text = t("documents.overview.usage")
        return reply([section(text)], text)
    assert student.id is not None
    if not may_get_document(session, actor, student.id):
        audit.log(
            session, scope.now, "document.view_refused", actor_id=actor.person_id, student_id=student.id
        )
        text = t("documents.overview.not_allowed")
        return reply([section(text)], text)
    own = documents.versions(session, student.id)
    decided = documents.decisions(session, [d.id for d in own if d.id is not None])
    decider_ids = {d.decided_by_id for d in decided.values() if d.decided_by_id}
    deciders = (
        dict(
            session.exec(select(Person.id, Person.slack_user_id).where(col(Person.id).in_(decider_ids))).all()
        )
        if decider_ids
        else {}
    )
    history = []
    for document in sorted(own, key=lambda d: d.uploaded_at):
        decision = decided.get(document.id or 0)
        history.append((document, decision, deciders.get(decision.decided_by_id) if decision else None))
    if actor.person_id != student.id:
        audit.log(session, scope.now, "document.list_viewed", actor_id=actor.person_id, student_id=student.id)
    cfg = flow.config()
    lines = flow.student_lines(session, student.id, scope.today)
    labels = {d.code: d.label(t.language) for d in cfg.types}
    blocks = documents_overview(t, student.name, lines, history, labels)
    return reply(blocks, t("documents.overview.text", name=student.name))
