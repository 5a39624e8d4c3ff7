"""`/stage request` (aanvraag): the student's placements per school, to record the request and the answer."""

from __future__ import annotations

from bot.views.blocks import section
from bot.views.placements import request_overview
from handlers.commands.registry import Invocation, Reply, reply
from models import placements
from models.people import Student


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    session, t = scope.session, scope.t
    student = session.get(Student, scope.actor.person_id)
    if student is None:
        return reply([section(t("placements.request.none"))], t("placements.request.none"))
    active = placements.of_student(session, scope.actor.person_id)
    schools = placements.institutions(session, (p.institution_id for p in active))
    by_school = [
        (schools[i], [p for p in active if p.institution_id == i])
        for i in dict.fromkeys(p.institution_id for p in active)
        if i in schools
    ]
    blocks = request_overview(t, scope.services.catalogue, student, by_school)
    return reply(blocks, t("placements.request.header"))
