"""`/stage contacts` (contacten): who is who for the caller."""

from __future__ import annotations

from bot.status.placements import school_people
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
        subjects = {"x": student.subject_x, "y": student.subject_y} if student is not None else {}
        by_person: dict[int, tuple[Person, list[str]]] = {}  # one line per person, whatever they supervise
        for key, person in supervisors.items():
            _, theirs = by_person.setdefault(person.id or 0, (person, []))
            if key in subjects:
                theirs.append(subjects[key])
        for person, theirs in by_person.values():
            if len(theirs) == 2:
                label = t("contacts.supervisor_subjects", first=theirs[0], second=theirs[1])
            elif theirs:
                label = t("contacts.supervisor_subject", subject=theirs[0])
            else:
                label = t("contacts.supervisor")
            entries.append((label, person))
    entries += [(t("contacts.coordinator"), p) for p in people_with_role(session, Role.COORDINATOR)]
    entries += [(t("contacts.counsellor"), p) for p in people_with_role(session, Role.COUNSELLOR)]
    blocks = contacts_blocks(t, entries)
    if actor.is_student:
        blocks += school_people(session, t, actor.person_id, resend=scope.services.settings.mail_enabled)
    return reply(blocks, t("contacts.header"))
