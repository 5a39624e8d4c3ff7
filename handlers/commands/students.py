"""`/stage students` (studenten): a supervisor's students (the coordinator: all), with Details buttons."""

from __future__ import annotations

from bot.middleware import Scope
from bot.views.blocks import Block
from bot.views.status import PAGE_SIZE
from bot.views.student_detail import student_list
from handlers.commands.registry import Invocation, Reply, reply
from models import progress
from models.access import COHORT_READERS


def students_blocks(scope: Scope, offset: int) -> list[Block]:
    supervisor_id = None if scope.actor.has(*COHORT_READERS) else scope.actor.person_id
    ids, total = progress.student_ids_page(
        scope.session, max(0, offset), PAGE_SIZE, supervisor_id=supervisor_id
    )
    return student_list(scope.t, progress.summaries(scope.session, ids), max(0, offset), total)


def run(invocation: Invocation) -> Reply:
    return reply(students_blocks(invocation.scope, 0), invocation.scope.t("students.text"))
