"""`/stage hours` (uren): a student's hours per course with Add hours, or typed hours to preview
("/stage uren di 9/3 2u werkplekleertaak leerlingenraad"); for staff, who is behind."""

from __future__ import annotations

from sqlmodel import col, select

from bot.views import hours as views
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from handlers.hours import preview_typed
from models import hours
from models.access import COHORT_READERS
from models.people import Person, Role, Student, supervised_by


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    if scope.actor.is_student:
        if invocation.args:
            text, blocks = preview_typed(scope, invocation.args)
            return reply(blocks, text)
        return student(invocation)
    if scope.actor.has(*COHORT_READERS) or scope.actor.has(Role.SUPERVISOR):
        return staff(invocation)
    text = scope.t("hours.students_only")
    return reply([section(text)], text)


def student(invocation: Invocation) -> Reply:
    scope = invocation.scope
    picture = hours.load(scope.session, [scope.actor.person_id])
    result = picture.completion(scope.services.catalogue, scope.actor.person_id)
    entries = picture.entries.get(scope.actor.person_id, [])
    blocks = views.student_overview(scope.t, scope.services.catalogue, result, entries, picture.states)
    return reply(blocks, scope.t("hours.header"))


def staff(invocation: Invocation) -> Reply:
    """The coordinator's cohort, a supervisor's own students: a fixed number of queries for any size."""
    scope = invocation.scope
    query = select(Student.person_id)
    if not scope.actor.has(*COHORT_READERS):
        query = query.where(supervised_by(scope.actor.person_id))
    ids = list(scope.session.exec(query))
    picture = hours.load(scope.session, None if scope.actor.has(*COHORT_READERS) else ids)
    slack = (
        dict(scope.session.exec(select(Person.id, Person.slack_user_id).where(col(Person.id).in_(ids))).all())
        if ids
        else {}
    )
    behind = []
    for student_id in sorted(ids, key=lambda i: slack.get(i, "")):
        if student_id not in picture.placements:
            continue
        found = picture.behind(scope.services.catalogue, student_id, scope.today)
        if found is not None:
            behind.append((slack.get(student_id, "?"), *found))
    total = sum(1 for i in ids if i in picture.placements)
    return reply(
        views.staff_overview(scope.t, scope.services.catalogue, total, behind), scope.t("hours.staff.header")
    )
