"""Listeners of step 5: the student's lerarenstage.be contract, and the coordinator starting and tracking a
framework agreement. Once an agreement becomes valid, the students it covers are told."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.flows import start as start_notice
from bot.i18n import person_translator
from bot.middleware import Scope, request_scope
from bot.views import agreements as views
from bot.views.blocks import Block, section
from bot.views.placements import errors_reply, school_name
from handlers.placements import notify
from handlers.values import number, own_school, picked_date
from models import agreements, audit, placement_steps, placements
from models.access import may_manage_agreements
from models.agreements import PARTIES, AgreementError, FrameworkEvent
from models.people import Person
from models.placements import Refusal
from models.schools import Institution


def open_contract(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    with request_scope(context) as scope:
        school = own_school(scope, action.get("value"), pending=False)
        if school is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=scope.t("placements.request.not_yours"),
            )
            return
        mine = [
            p
            for p in placements.of_student(scope.session, scope.actor.person_id)
            if p.institution_id == school.id
        ]
        contracts = agreements.contracts_of(scope.session, [scope.actor.person_id])
        contract = next((c for c in contracts if c.institution_id == school.id), None)
        modal = views.contract_modal(
            scope.t, school, contract, min(p.start for p in mine), max(p.end for p in mine)
        )
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def submit_contract(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    with request_scope(context) as scope:
        t = scope.t
        school = own_school(scope, str(meta.get("institution")), pending=False)
        start, end = picked_date(values, views.START), picked_date(values, views.END)
        if school is None or school.id is None:
            ack(errors_reply(t, {views.START: [Refusal("placements.request.not_yours")]}))
            return
        if start is None or end is None:
            ack(
                errors_reply(
                    t,
                    {views.START if start is None else views.END: [Refusal("placements.error.date_needed")]},
                )
            )
            return
        try:
            agreements.save_contract(
                scope.session, scope.actor.person_id, school.id, start, end,
                {party: picked_date(values, party) for party in PARTIES}, now=scope.now, today=scope.today,
            )  # fmt: skip
        except AgreementError as error:
            block = views.END if error.key == "agreements.error.dates_order" else PARTIES[0]
            ack(errors_reply(t, {block: [Refusal(error.key, error.params)]}))
            return
        placement_steps.refresh(scope.session, scope.services.catalogue, scope.actor.person_id, scope.now)
        active = placements.of_student(scope.session, scope.actor.person_id)
        cover = next(
            c
            for c in agreements.student_coverage(scope.session, scope.actor.person_id, active)
            if c.institution_id == school.id
        )
        lines = views.coverage_lines(t, cover, school)
        me = scope.session.get_one(Person, scope.actor.person_id)
    ack()
    text = t("agreements.contract.saved")
    notify(client, me, text, [section(text), section("\n".join(lines))])
    start_notice.clear_starts(scope.services, client, scope.actor.person_id)  # step 8 may now be clear


def _coordinator_only(scope: Scope, respond: Respond) -> bool:
    if may_manage_agreements(scope.actor):
        return True
    audit.log(scope.session, scope.now, "agreement.refused_not_allowed", actor_id=scope.actor.person_id)
    respond(response_type="ephemeral", replace_original=False, text=scope.t("agreements.not_allowed"))
    return False


def start(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Draw up a framework agreement for the institution (one already under way is shown instead)."""
    ack()
    with request_scope(context) as scope:
        if not _coordinator_only(scope, respond):
            return
        school = scope.session.get(Institution, number(action.get("value")) or 0)
        if school is None or school.id is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=scope.t("agreements.unknown_institution"),
            )
            return
        waiting = _placements_at(scope, school.id)
        valid_from = min((p.start for p in waiting), default=scope.today)
        agreement, _ = agreements.start_framework(
            scope.session,
            school.id,
            min(valid_from, scope.today),
            actor_id=scope.actor.person_id,
            now=scope.now,
        )
        blocks = views.tracking(scope.t, school, agreement)
    respond(replace_original=True, text=scope.t("agreements.framework.started"), blocks=blocks)


def _placements_at(scope: Scope, institution_id: int) -> list[placements.Placement]:
    ids = agreements.students_at(scope.session, institution_id)
    return [p for p in placements.of_students(scope.session, ids) if p.institution_id == institution_id]


def track(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    agreement_part, _, event_part = str(action.get("value", "")).partition(":")
    messages: list[tuple[Person, str, list[Block]]] = []
    with request_scope(context) as scope:
        if not _coordinator_only(scope, respond):
            return
        agreement = scope.session.get(agreements.FrameworkAgreement, number(agreement_part) or 0)
        if agreement is None or event_part not in {e.value for e in FrameworkEvent}:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=scope.t("agreements.unknown_institution"),
            )
            return
        event = FrameworkEvent(event_part)
        recorded = agreements.track_framework(
            scope.session, agreement, event, scope.today, actor_id=scope.actor.person_id, now=scope.now
        )
        school = scope.session.get_one(Institution, agreement.institution_id)
        if recorded and agreements.framework_signed(agreement):  # the click that completed it tells
            messages = _now_covered(scope, school)
        blocks = views.tracking(scope.t, school, agreement)
    respond(replace_original=True, text=scope.t("agreements.framework.tracking_text"), blocks=blocks)
    for person, text, shown in messages:
        notify(client, person, text, shown)
        start_notice.clear_starts(scope.services, client, person.id or 0)  # step 8 may now be clear


def _now_covered(scope: Scope, school: Institution) -> list[tuple[Person, str, list[Block]]]:
    """Refresh step 5 of every student placed there; tell those the agreement now covers."""
    out = []
    for student_id in agreements.students_at(scope.session, school.id or 0):
        placement_steps.refresh(scope.session, scope.services.catalogue, student_id, scope.now)
        mine = placements.of_student(scope.session, student_id)
        covers = agreements.student_coverage(scope.session, student_id, mine)
        if any(c.institution_id == school.id and c.covered for c in covers):
            person = scope.session.get_one(Person, student_id)
            st = person_translator(person, scope.services.settings.timezone)
            text = st("agreements.dm.now_covered", school=school_name(school))
            out.append((person, text, [section(text)]))
    return out


def refresh_institution(scope: Scope, institution_id: int) -> None:
    for student_id in agreements.students_at(scope.session, institution_id):
        placement_steps.refresh(scope.session, scope.services.catalogue, student_id, scope.now)


def register(app: App) -> None:
    app.action(views.CONTRACT_ACTION)(open_contract)
    app.view(views.CONTRACT_CALLBACK)(submit_contract)
    app.action(views.START_ACTION)(start)
    app.action(re.compile(f"^{views.TRACK_ACTION}_"))(track)
