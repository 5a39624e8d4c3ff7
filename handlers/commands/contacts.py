"""`/stage contacts` (contacten): who is who for the caller."""

from __future__ import annotations

from bot.placement_details import school_people
from bot.views.contacts import contacts_blocks
from handlers.commands.registry import Invocation, Reply, reply
from models.people import Person, Role, Student, people_with_role, supervisors_of


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session, actor = scope.t, scope.session, scope.actor
    entries: list[tuple[str, Person]] = []
    if actor.is_student:
        student = session.get(Student, actor.person_id)
        supervisors = supervisors_of(session, actor.person_id)
        if student is not None and "x" in supervisors:
            entries.append((t("contacts.supervisor_subject", subject=student.subject_x), supervisors["x"]))
        if student is not None and "y" in supervisors:
            entries.append((t("contacts.supervisor_subject", subject=student.subject_y), supervisors["y"]))
        if "general" in supervisors:
            entries.append((t("contacts.supervisor"), supervisors["general"]))
    entries += [(t("contacts.coordinator"), p) for p in people_with_role(session, Role.COORDINATOR)]
    entries += [(t("contacts.counsellor"), p) for p in people_with_role(session, Role.COUNSELLOR)]
    blocks = contacts_blocks(t, entries)
    if actor.is_student:
        blocks += school_people(session, t, actor.person_id)
    return reply(blocks, t("contacts.header"))
