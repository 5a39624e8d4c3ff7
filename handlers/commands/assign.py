"""`/stage assign [@student]` (plaats): a supervisor places a student; opens the placement form."""

from __future__ import annotations

from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from handlers.placements import assign_view
from models import audit
from models.access import may_place
from models.people import find_student


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session = scope.t, scope.session
    student_id = None
    if invocation.args:
        person, problem = find_student(session, invocation.args)
        if person is None:
            text = t("placements.check.not_a_student")
            if problem == "documents.student.ambiguous":  # a name several students share
                text = t("documents.student.ambiguous", text=invocation.args)
            return reply([section(text)], text)
        assert person.id is not None
        if not may_place(session, scope.actor, person.id):
            audit.log(
                session, scope.now, "placement.refused_not_allowed",
                actor_id=scope.actor.person_id, student_id=person.id,
            )  # fmt: skip
            text = t("placements.check.not_your_student")
            return reply([section(text)], text)
        student_id = person.id
    if not invocation.trigger_id:
        text = t("placements.no_trigger")
        return reply([section(text)], text)
    invocation.client.views_open(trigger_id=invocation.trigger_id, view=assign_view(scope, student_id))
    return {}
