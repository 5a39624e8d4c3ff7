"""LIO listeners: the application and reduction modals, and the counsellor's Approve / Send back buttons
with the reason modal.

The request is stored in the listener's transaction; the slow part (the proof's download, the DMs to the
counsellors) runs after the ack. A decision replaces the buttons in every counsellor's copy and is told
to the student and their supervisors.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import durable_jobs
from bot.delivery.notifier import send_dm
from bot.flows import documents as document_flow
from bot.flows import lio as lio_review
from bot.flows import start as start_notice
from bot.i18n import Translator, person_translator
from bot.middleware import Scope, request_scope
from bot.services import Services
from bot.status import lio as lio_details
from bot.views import lio as views
from handlers.values import too_long, typed
from models import audit, documents, lio
from models.access import may_decide_lio
from models.lio import Job, LioApplication, ReductionRequest, Request, RequestStatus
from models.people import Person, supervisors_of

logger = logging.getLogger(__name__)


def rules() -> lio.LioRules:
    return lio.load_lio_rules()


_subjects = lio_review.subjects_of
current_proof = lio_review.current_proof


# --- applying ------------------------------------------------------------------------------------------


def open_apply_modal(scope: Scope, client: WebClient, trigger_id: str) -> None:
    student_id = scope.actor.person_id
    earlier = lio.latest_application(scope.session, student_id)
    proof = current_proof(scope.session, student_id)
    usable = proof if proof is not None and proof.status != documents.DocumentStatus.REJECTED else None
    view = views.apply_modal(scope.t, _subjects(scope.session, student_id), earlier, usable)
    client.views_open(trigger_id=trigger_id, view=view)


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return dict((values.get(block) or {}).get(views.INPUT) or {})


def _hours(text: str) -> int | None:
    text = text.strip().replace(" ", "")
    if text.startswith("-") and text[1:].isdigit():
        return -int(text[1:])
    return int(text) if text.isdigit() else None


def read_job(t: Translator, values: dict[str, Any]) -> tuple[Job | None, dict[str, str]]:
    """The form as a Job, or the errors to show under the fields."""
    errors: dict[str, str] = {}
    employer = typed(_value(values, "employer").get("value"), multiline=False)
    if long := too_long(t, employer, lio.MAX_TEXT):
        errors["employer"] = long
    level = (_value(values, "level").get("selected_option") or {}).get("value")
    if level not in set(lio.Level):
        errors["level"] = t("lio.problem.level")
    numbers: dict[str, int] = {}
    for name in lio.HOUR_FIELDS:
        parsed = _hours(str(_value(values, name).get("value") or ""))
        if parsed is None:
            errors[name] = t("lio.problem.not_a_number")
        else:
            numbers[name] = parsed
    days: dict[str, date] = {}
    for name in (views.START, views.END):
        picked = _value(values, name).get("selected_date")
        if not picked:
            errors[name] = t("lio.problem.no_date")
        else:
            days[name] = date.fromisoformat(str(picked))
    if errors:
        return None, errors
    job = Job(employer, lio.Level(str(level)), start=days[views.START], end=days[views.END], **numbers)
    return job, {name: views.problem_text(t, problem) for name, problem in lio.problems(job).items()}


def on_apply_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Refuse impossible facts and a job under the eligibility threshold under the field; else store the
    application, close the modal, and after the ack take the proof and ask the counsellors."""
    values = view.get("state", {}).get("values", {})
    files = _value(values, views.PROOF).get("files") or []
    with request_scope(context) as scope:
        t = scope.t
        if not scope.actor.is_student:
            ack(response_action="errors", errors={"employer": t("lio.students_only")})
            return
        job, errors = read_job(t, values)
        proof = current_proof(scope.session, scope.actor.person_id)
        if not files and (proof is None or proof.status == documents.DocumentStatus.REJECTED):
            errors[views.PROOF] = t("lio.problem.proof_needed")
        if job is not None and "teacher_hours" not in errors:
            outcome = lio.assess(rules(), job)
            if not outcome.eligible:
                errors["teacher_hours"] = t("lio.problem.not_eligible", threshold=rules().eligible_min_hours)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert job is not None
        file_id = str(files[0].get("id")) if files else None
        try:
            application = _application(scope, job, file_id)
        except IntegrityError:  # another submission of this student came in at the same moment
            scope.session.rollback()
            application = _application(scope, job, file_id)
        if application is None:  # this very application was just submitted: nothing to do twice
            ack()
            return
        incoming = (
            document_flow.Incoming(
                student_id=scope.actor.person_id,
                actor_id=scope.actor.person_id,
                type_code=views.PROOF_TYPE,
                file_id=str(files[0].get("id")),
                filename=str(files[0].get("name") or "") or None,
            )
            if files
            else None
        )
        services, application_id = scope.services, application.id or 0
    payload = {
        "application_id": application_id,
        "incoming": document_flow.receive_payload(incoming) if incoming else None,
    }
    job_id = durable_jobs.record(services, AFTER_APPLY_JOB, payload)
    ack()
    durable_jobs.start(services, context.client, job_id)


def _application(scope: Scope, job: Job, file_id: str | None) -> LioApplication | None:
    """A new application, or None when the same one (facts and proof) already waits."""
    student_id = scope.actor.person_id
    application, new = lio.apply(scope.session, student_id, job, student_id, scope.now, proof_file_id=file_id)
    scope.session.flush()
    return application if new else None


def after_apply(
    services: Services, client: WebClient, application_id: int, incoming: document_flow.Incoming | None
) -> None:
    """The background job: the proof through the documents feature, then the counsellors' review DMs and
    the student's receipt with what the rules say."""
    if incoming is not None:
        document_flow.receive(services, client, incoming)
    with services.db.session() as session:
        application = session.get_one(LioApplication, application_id)
        if application.status != RequestStatus.PENDING:
            return  # replaced by a newer application while the proof came in
        student = session.get_one(Person, application.student_id)
        outcome = lio.assess(rules(), application.job())
        _ask_counsellors(services, client, session, application, student)
    t = person_translator(student, services.settings.timezone)
    _dm(client, student.slack_user_id, t("lio.submitted"), views.submitted(t, outcome, services.catalogue))


AFTER_APPLY_JOB = "lio.after_apply"


def after_apply_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of AFTER_APPLY_JOB (registered with the others in handlers.register)."""
    incoming = payload.get("incoming")
    proof = document_flow.incoming_from(incoming) if incoming else None
    after_apply(services, client, int(payload["application_id"]), proof)


_review_blocks = lio_review.review_blocks
_ask_counsellors = lio_review.ask_counsellors


def _dm(client: WebClient, slack_id: str, text: str, blocks: list[Any]) -> None:
    try:
        send_dm(client, slack_id, text, blocks)
    except SlackApiError as error:
        logger.warning("could not tell %s: %s", slack_id, error.response.get("error"))


# --- reduction -------------------------------------------------------------------------------------------


def reduction_subjects(session: Session, student_id: int) -> list[str]:
    """The subject names in which the approved job has too few hours (for the modal's intro)."""
    found = lio.standing(session, rules(), student_id)
    if found is None:
        return []
    subjects = dict(zip(lio.SUBJECTS, _subjects(session, student_id), strict=True))
    return [subjects[s] for s in found.outcome.reduction_subjects]


def reduction_refusal(scope: Scope) -> str | None:
    """Why this student cannot ask for a reduction now, or None when they can."""
    code = lio.reduction_refusal(scope.session, rules(), scope.actor.person_id)
    return scope.t(f"lio.reduction.refused.{code}") if code else None


def on_reduction_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    values = view.get("state", {}).get("values", {})
    motivation = typed(_value(values, views.MOTIVATION).get("value"))
    with request_scope(context) as scope:
        if long := too_long(scope.t, motivation, lio.MAX_REASON_LENGTH):
            ack(response_action="errors", errors={views.MOTIVATION: long})
            return
        try:
            try:
                request = _reduction(scope, motivation)
            except IntegrityError:  # another request of this student came in at the same moment
                scope.session.rollback()
                request = _reduction(scope, motivation)
        except lio.ReductionRefused as refused:
            ack(
                response_action="errors",
                errors={views.MOTIVATION: scope.t(f"lio.reduction.refused.{refused.code}")},
            )
            return
        if request is None:  # this very request was just submitted: nothing to do twice
            ack()
            return
        services, request_id = scope.services, request.id or 0
    ack()
    after_reduction_request(services, context.client, request_id)  # queues the counsellors' DMs


def _reduction(scope: Scope, motivation: str) -> ReductionRequest | None:
    """A new reduction request, or None when the same one already waits."""
    student_id = scope.actor.person_id
    request, new = lio.request_reduction(
        scope.session, rules(), student_id, motivation, student_id, scope.now
    )
    scope.session.flush()
    return request if new else None


def after_reduction_request(services: Services, client: WebClient, request_id: int) -> None:
    with services.db.session() as session:
        request = session.get_one(ReductionRequest, request_id)
        student = session.get_one(Person, request.student_id)
        _ask_counsellors(services, client, session, request, student)
    t = person_translator(student, services.settings.timezone)
    _dm(
        client,
        student.slack_user_id,
        t("lio.reduction.submitted"),
        [views.section(t("lio.reduction.submitted"))],
    )


# --- deciding --------------------------------------------------------------------------------------------


def _parse(value: Any) -> tuple[str, int]:
    kind, _, number = str(value or "").partition(":")
    return (kind, int(number)) if kind in ("application", "reduction") and number.isdigit() else ("", 0)


def _load(session: Session, kind: str, request_id: int) -> Request | None:
    if kind == "application":
        return session.get(LioApplication, request_id)
    return session.get(ReductionRequest, request_id) if kind else None


def _refuse(scope: Scope, request: Request | None, value: str, attempted: str) -> str:
    audit.log(
        scope.session,
        scope.now,
        "lio.decision_refused",
        actor_id=scope.actor.person_id,
        student_id=request.student_id if request else None,
        subject=value[:128],
        attempted=attempted,
    )
    return scope.t("lio.not_allowed")


def _already(scope: Scope, request: Request) -> str:
    if request.status == RequestStatus.SUPERSEDED or request.decided_at is None:
        what = scope.t("lio.review.superseded")
    else:
        decider = scope.session.get(Person, request.decided_by_id or 0)
        key = "decision.approved_by" if request.status == RequestStatus.APPROVED else "decision.sent_back_by"
        who = f"<@{decider.slack_user_id}>" if decider else "?"
        what = scope.t(key, who=who, when=scope.t.datetime(request.decided_at, "short"))
    return scope.t("decision.already", decision=what)


def _check(scope: Scope, value: str, attempted: str) -> tuple[Request | None, str | None]:
    kind, request_id = _parse(value)
    request = _load(scope.session, kind, request_id)
    if request is None or not may_decide_lio(scope.actor):
        return None, _refuse(scope, request, value, attempted)
    if request.status != RequestStatus.PENDING:
        return None, _already(scope, request)
    return request, None


def decide(context: BoltContext, value: str, approved: bool, reason: str | None) -> str | None:
    """Decide in one transaction, then update every counsellor's copy and tell the student and supervisors.
    Returns the text for the clicker when refused."""
    with request_scope(context) as scope:
        request, refusal = _check(scope, value, "approve" if approved else "reject")
        if request is None:
            return refusal
        try:
            if isinstance(request, LioApplication):
                lio.decide_application(
                    scope.session,
                    rules(),
                    request,
                    approved=approved,
                    reason=reason,
                    actor_id=scope.actor.person_id,
                    now=scope.now,
                )
                if approved:  # an LIO student's step 2 also asks the proof: recount it
                    documents.record_step(
                        scope.session, document_flow.config(), request.student_id, scope.now
                    )
            else:
                lio.decide_reduction(
                    scope.session,
                    request,
                    approved=approved,
                    reason=reason,
                    actor_id=scope.actor.person_id,
                    now=scope.now,
                )
        except lio.NotOpen:
            return _already(scope, request)
        starts = start_notice.refresh(scope.session, scope.services, request.student_id, scope.now)
        services, decider = scope.services, scope.actor.slack_user_id
    _after_decision(services, context.client, value, decider)
    start_notice.send(context.client, starts)  # an exemption may clear a placement's start
    return None


def _after_decision(services: Services, client: WebClient, value: str, decider_slack_id: str) -> None:
    kind, request_id = _parse(value)
    with services.db.session() as session:
        request = _load(session, kind, request_id)
        assert request is not None
        for channel, ts, *rest in request.review_messages:
            viewer = session.get(Person, int(rest[0])) if rest else None
            if viewer is None:
                continue
            text, blocks = _review_blocks(services, session, request, viewer, decider_slack_id)
            try:
                client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            except SlackApiError as error:
                logger.warning("could not update LIO review %s: %s", ts, error.response.get("error"))
        approved = request.status == RequestStatus.APPROVED
        student = session.get_one(Person, request.student_id)
        found = lio.standing(session, rules(), request.student_id)
        outcome = found.outcome if found else None
        t = person_translator(student, services.settings.timezone)
        blocks = views.decision_for_student(
            t,
            kind,
            approved,
            request.reason,
            decider_slack_id,
            request.decided_at or services.clock.now(),
            outcome,
            services.catalogue,
        )
        _dm(client, student.slack_user_id, t(f"lio.{kind}.text"), blocks)
        seen: set[int] = set()
        for supervisor in supervisors_of(session, request.student_id).values():
            if supervisor.id in seen:
                continue
            seen.add(supervisor.id or 0)
            st = person_translator(supervisor, services.settings.timezone)
            blocks = views.decision_for_supervisor(
                st, kind, approved, student.slack_user_id, student.name, outcome, services.catalogue
            )
            _dm(
                client, supervisor.slack_user_id, st(f"lio.{kind}.supervisor.text", name=student.name), blocks
            )


def on_approve(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    refusal = decide(context, str(action.get("value") or ""), True, None)
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)


def on_overview_approve(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Approve from `/stage lio overzicht`: decided as from the review DM, then the overview is redrawn."""
    ack()
    refusal = decide(context, str(action.get("value") or ""), True, None)
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    with request_scope(context) as scope:
        blocks = lio_details.overview(scope.session, scope.t, scope.actor)
        text = scope.t("lio.overview.text")
    respond(replace_original=True, text=text, blocks=blocks)


def on_reject(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    """Ask the reason in a modal; who may decide is checked now and again on submission."""
    ack()
    value = str(action.get("value") or "")
    with request_scope(context) as scope:
        _, refusal = _check(scope, value, "reject")
        modal = views.reject_modal(scope.t, value)
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    context.client.views_open(trigger_id=body["trigger_id"], view=modal)


def on_reject_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    values = view.get("state", {}).get("values", {})
    reason = typed(_value(values, views.REASON).get("value"))
    value = str(view.get("private_metadata") or "")
    if not reason or len(reason) > lio.MAX_REASON_LENGTH:
        with request_scope(context) as scope:
            text = too_long(scope.t, reason, lio.MAX_REASON_LENGTH) or scope.t("lio.reject.reason_needed")
        ack(response_action="errors", errors={views.REASON: text})
        return
    ack()
    refusal = decide(context, value, False, reason)
    if refusal is not None:
        user = context.user_id or ""
        try:
            send_dm(context.client, user, refusal)
        except SlackApiError as error:
            logger.warning("could not tell %s: %s", user, error.response.get("error"))


def register(app: App) -> None:
    app.view(views.APPLY_FORM)(on_apply_submit)
    app.view(views.REDUCTION_FORM)(on_reduction_submit)
    app.view(views.REJECT_FORM)(on_reject_submit)
    app.action(views.APPROVE)(on_approve)
    app.action(views.OVERVIEW_APPROVE)(on_overview_approve)
    app.action(views.REJECT)(on_reject)
