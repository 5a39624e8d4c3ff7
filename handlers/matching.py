"""Matching suggestions: solving after the ack, the proposal DM, and its buttons (accept all, accept one
student, exclude an institution and propose again). Accepting goes through the placements feature's own
checks and messages; every click is checked with models.access."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot.flows import matching as flow
from bot.flows import school_links as school_request
from bot.flows import start as start_notice
from bot.i18n import person_translator
from bot.middleware import Scope, request_scope
from bot.views import matching as views
from bot.views import placements as placement_views
from bot.views.blocks import Block, section
from bot.views.decision import already
from handlers.placements import notify
from models import audit, matching_runs, placement_steps, placements, preferences
from models.access import may_place, runs_the_cohort
from models.matching_runs import MatchProposal, MatchRun, ProposalStatus
from models.people import Person, Student
from models.schools import Institution

log = logging.getLogger(__name__)


def accept(
    scope: Scope, proposals: list[MatchProposal]
) -> tuple[int, int, list[tuple[Person, str, list[Block]]]]:
    """Place the open proposals the actor may place, student by student, through the placements checks.
    Each proposal is taken first (matching_runs.take): one another click took at the same moment is left.

    Returns (accepted, refused, messages to send after the commit)."""
    session, catalogue = scope.session, scope.services.catalogue
    by_student: dict[int, list[MatchProposal]] = {}
    for p in proposals:
        if p.status == ProposalStatus.OPEN:
            by_student.setdefault(p.student_id, []).append(p)
    accepted = refused = 0
    messages: list[tuple[Person, str, list[Block]]] = []
    actor = session.get_one(Person, scope.actor.person_id)
    for student_id, items in sorted(by_student.items()):
        if not may_place(session, scope.actor, student_id):
            continue
        person = session.get_one(Person, student_id)
        student = session.get_one(Student, student_id)
        held = placements.held_of(placements.of_student(session, student_id))
        former = placements.former_school_ids(session, student_id)
        latest = preferences.latest(session, student_id)
        conflicts = set(latest.relative_school_ids) if latest else set()
        former |= set(latest.former_school_ids) if latest else set()
        created: dict[int, list[placements.Placement]] = {}
        for p in items:
            if not matching_runs.take(session, p):
                continue
            school = session.get_one(Institution, p.institution_id)
            proposal = placements.Proposal(p.course_code, tuple(p.activities), p.semester, p.level, p.grade)
            found = placements.check_placement(
                catalogue, proposal, school, held, former_school_ids=former, conflict_ids=conflicts
            )
            if found:
                p.status = ProposalStatus.REFUSED.value
                refused += 1
            else:
                placement = placements.place(
                    session,
                    catalogue,
                    student_id,
                    school,
                    proposal,
                    actor_id=scope.actor.person_id,
                    now=scope.now,
                )
                held.append(
                    placements.Held(p.course_code, tuple(p.activities), placement.hours, p.level, p.grade)
                )
                p.placement_id = placement.id
                created.setdefault(school.id or 0, []).append(placement)
                accepted += 1
            session.add(p)
        placement_steps.refresh(session, catalogue, student_id, scope.now)
        st = person_translator(person, scope.services.settings.timezone)
        for school_id, made in created.items():
            school = session.get_one(Institution, school_id)
            school_request.ask(session, scope.services, person, school)  # the contact person answers by mail
            blocks = placement_views.placed_for_student(
                st, catalogue, made, school, student, actor.slack_user_id
            )
            messages.append((person, st("placements.dm.placed_text"), blocks))
    if accepted or refused:
        audit.log(session, scope.now, "matching.accepted", actor_id=scope.actor.person_id,
                  accepted=accepted, refused=refused)  # fmt: skip
    return accepted, refused, messages


def _parts(action: dict[str, Any]) -> tuple[int, int]:
    first, _, second = str(action.get("value", "")).partition(":")
    try:
        return int(first), int(second or 0)
    except ValueError:
        return 0, 0


def _run_for(scope: Scope, run_id: int) -> MatchRun | None:
    """A run its requester (or the coordinator) may act on."""
    run = scope.session.get(MatchRun, run_id)
    if run is None:
        return None
    if run.requested_by_id != scope.actor.person_id and not runs_the_cohort(scope.actor):
        return None
    return run


def _accept(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond, one: bool
) -> None:
    ack()
    run_id, student_id = _parts(action)
    with request_scope(context) as scope:
        t = scope.t
        run = _run_for(scope, run_id)
        if run is None or (one and not may_place(scope.session, scope.actor, student_id)):
            respond(response_type="ephemeral", replace_original=False, text=t("matching.not_allowed"))
            return
        proposals = matching_runs.proposals_of(scope.session, run_id, open_only=True)
        if one:
            proposals = [p for p in proposals if p.student_id == student_id]
        try:
            accepted, refused, messages = accept(scope, proposals)
        except IntegrityError:  # an activity was placed by another request at the same moment: again
            scope.session.rollback()
            accepted, refused, messages = accept(scope, proposals)
        taken = _already(scope, proposals) if not accepted and not refused else None
        if taken is not None:  # another click accepted them a moment ago
            respond(response_type="ephemeral", replace_original=False, text=taken)
            return
        starts = [  # steps 3-6 are recorded; a placement may clear its start (an LIO exemption)
            notice
            for student_id in {person.id or 0 for person, _, _ in messages}
            for notice in start_notice.refresh(
                scope.session, scope.services, student_id, scope.now, steps_3_to_6=False
            )
        ]
        scope.session.flush()
        blocks = flow.render(scope.session, scope.services, t, run, 0)
        note = t.ngettext("matching.accept_done", accepted, accepted=accepted, refused=refused)
    respond(replace_original=True, text=note, blocks=[section(note), *blocks])  # a page leaves room
    for person, text, dm_blocks in messages:
        notify(client, person, text, dm_blocks)
    start_notice.send(client, starts)


def _already(scope: Scope, proposals: list[MatchProposal]) -> str | None:
    """Who accepted these proposals a moment ago, and when; None when they are all still open."""
    for proposal in proposals:
        scope.session.refresh(proposal)
    decided = [p for p in proposals if p.status != ProposalStatus.OPEN]
    for proposal in decided:
        placement = placements.get(scope.session, proposal.placement_id) if proposal.placement_id else None
        if placement is not None:
            by = scope.session.get(Person, placement.placed_by_id) if placement.placed_by_id else None
            return already(
                scope.t, approved=True, by_slack_id=by.slack_user_id if by else None, at=placement.placed_at
            )
    return scope.t("matching.already_decided") if decided else None


def accept_all(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    _accept(ack, action, context, client, respond, one=False)


def accept_one(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    _accept(ack, action, context, client, respond, one=True)


def exclude(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """Exclude an institution and propose again (the earlier exclusions stay)."""
    ack()
    run_id, institution_id = _parts(action)
    with request_scope(context) as scope:
        t = scope.t
        run = _run_for(scope, run_id)
        if run is None or scope.session.get(Institution, institution_id) is None:
            respond(response_type="ephemeral", replace_original=False, text=t("matching.not_allowed"))
            return
        excluded = sorted({*run.excluded_ids, institution_id})
        cohort, requester = run.cohort, scope.actor.person_id
        if not runs_the_cohort(scope.actor):
            cohort = False
        flow.propose_later(scope, client, requester, cohort, excluded)
    respond(replace_original=True, text=t("matching.again"), blocks=[section(t("matching.again"))])


def page(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    run_id, offset = _parts(action)
    with request_scope(context) as scope:
        run = _run_for(scope, run_id)
        if run is None:
            respond(response_type="ephemeral", replace_original=False, text=scope.t("matching.not_allowed"))
            return
        blocks = flow.render(scope.session, scope.services, scope.t, run, max(0, offset))
        text = scope.t("matching.dm_text")
    respond(replace_original=True, text=text, blocks=blocks)


def register(app: App) -> None:
    app.action(views.ACCEPT_ALL)(accept_all)
    app.action(views.ACCEPT_ONE)(accept_one)
    app.action(views.EXCLUDE)(exclude)
    app.action(re.compile(rf"^{views.PAGE}(_previous|_next)?$"))(page)
