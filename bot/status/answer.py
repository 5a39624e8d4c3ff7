"""The status answer for whoever asks: a student's checklist, a supervisor's students, or the cohort.

Shared by `/stage status`, the App Home and the page buttons, so all three always agree.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from bot.flows import documents as document_flow
from bot.i18n import Translator
from bot.middleware import Scope
from bot.status import hours as hours_details
from bot.status import intake as intake_details
from bot.status import lio as lio_details
from bot.status import placements as placement_details
from bot.status import planning as planning_details
from bot.views.blocks import Block, section
from bot.views.status import PAGE_SIZE, group_overview, student_checklist
from models import progress
from models.access import COHORT_READERS
from models.people import Role

# What a feature adds under its step in a student's checklist: (session, translator, student id) -> lines
# of mrkdwn. Each provider runs a fixed number of queries, whatever the cohort size.
StepDetails = Callable[[Session, Translator, int], list[str]]
STEP_DETAILS: dict[progress.Step, StepDetails] = {
    progress.Step.INTAKE: intake_details.step_lines,  # the intake line, then the preferences' lines
    progress.Step.DOCUMENTS: document_flow.step_lines,
    progress.Step.MATCHING: placement_details.matching_lines,
    progress.Step.REQUEST: placement_details.request_lines,
    progress.Step.AGREEMENT: placement_details.agreement_lines,
    progress.Step.CONTACT: placement_details.contact_lines,
    # the planning's own lines first, then the LIO outcome
    progress.Step.PLANNING: lambda s, t, sid: (
        planning_details.planning_lines(s, t, sid) + lio_details.step_lines(s, t, sid)
    ),
    # the start gate, then the hours done and confirmed once lessons are approved
    progress.Step.APPROVAL: lambda s, t, sid: (
        planning_details.start_lines(s, t, sid) + hours_details.hours_lines(s, t, sid)
    ),
}


def status_blocks(scope: Scope, offset: int = 0) -> list[Block]:
    actor, t = scope.actor, scope.t
    if actor.has(*COHORT_READERS):
        lio = lio_details.waiting_for_decision(scope.session, t) if actor.has(Role.COUNSELLOR) else []
        return lio + _overview(scope, offset, supervisor_id=None)
    if actor.has(Role.SUPERVISOR):
        return _overview(scope, offset, supervisor_id=actor.person_id)
    if actor.is_student:
        statuses = progress.checklist(scope.session, actor.person_id)
        deadline = progress.next_deadline(scope.services.catalogue, statuses, scope.today)
        details = {step: lines(scope.session, t, actor.person_id) for step, lines in STEP_DETAILS.items()}
        overdue = progress.overdue_deadlines(scope.services.catalogue, statuses, scope.today)
        return student_checklist(t, actor.name, statuses, deadline, scope.today, details, overdue)
    return [section(t("status.no_view"))]


def _overview(scope: Scope, offset: int, supervisor_id: int | None) -> list[Block]:
    session, t = scope.session, scope.t
    total, counts = progress.step_counts(session, supervisor_id=supervisor_id)
    offset = max(0, min(offset, max(total - 1, 0)))
    ids, _ = progress.student_ids_page(session, offset, PAGE_SIZE, supervisor_id=supervisor_id)
    title = (
        t("status.group.header.cohort", count=total)
        if supervisor_id is None
        else t("status.group.header.supervisor", count=total)
    )
    return group_overview(
        t, title=title, total=total, counts=counts, page=progress.summaries(session, ids), offset=offset,
        late_steps=progress.passed_steps(scope.services.catalogue, scope.today),
    )  # fmt: skip
