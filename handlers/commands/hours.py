"""`/stage hours` (uren): a student's hours per course with Add hours, or typed hours to preview
("/stage uren di 9/3 2u werkplekleertaak leerlingenraad"); for staff, who is behind."""

from __future__ import annotations

from sqlmodel import col, func, select

from bot.views import hours as views
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from handlers.hours import preview_typed
from models import hours
from models.access import COHORT_READERS
from models.people import Person, Role, Student, supervised_by
from models.placements import Placement, PlacementStatus


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
    picture = hours.load(scope.session, [scope.actor.person_id], scope.today)
    result = picture.completion(scope.services.catalogue, scope.actor.person_id)
    entries, states = hours.student_entries(scope.session, scope.actor.person_id)
    blocks = views.student_overview(scope.t, scope.services.catalogue, result, entries, states)
    return reply(blocks, scope.t("hours.header"))


def staff(invocation: Invocation) -> Reply:
    """The coordinator's cohort, a supervisor's own students: a fixed number of queries for any size."""
    scope = invocation.scope
    query = select(Student.person_id)
    if not scope.actor.has(*COHORT_READERS):
        query = query.where(supervised_by(scope.actor.person_id))
    ids = list(scope.session.exec(query))
    cohort = scope.actor.has(*COHORT_READERS)
    found = hours.behind(scope.session, scope.services.catalogue, None if cohort else ids, scope.today)
    wanted = [b.student_id for b in found]
    slack = (
        dict(
            scope.session.exec(
                select(Person.id, Person.slack_user_id).where(col(Person.id).in_(wanted))
            ).all()
        )
        if wanted
        else {}
    )
    rows = sorted((slack.get(b.student_id, "?"), b.confirmed, b.done, b.required) for b in found)
    placed = select(func.count(func.distinct(Placement.student_id))).where(
        Placement.status == PlacementStatus.ACTIVE.value
    )
    if not cohort:
        placed = placed.where(col(Placement.student_id).in_(ids))
    total = int(scope.session.exec(placed).one())
    blocks = views.staff_overview(scope.t, scope.services.catalogue, total, rows)
    return reply(blocks, scope.t("hours.staff.header"))
