"""LIO listeners: the application and reduction modals, and approving from the overview.

The request is stored in the listener's transaction; the slow part (the proof's download, the counsellors'
review DMs) runs after the ack in bot.flows.lio. The counsellor's Approve / Send back are the one review's
(handlers/review.py)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import durable_jobs
from bot.flows import documents as document_flow
from bot.flows import lio as lio_flow
from bot.i18n import Translator
from bot.middleware import Scope, request_scope
from bot.status import lio as lio_details
from bot.views import lio as views
from handlers import review as review_handlers
from handlers.values import too_long, typed
from models import documents, lio
from models.lio import Job, LioApplication, ReductionRequest

logger = logging.getLogger(__name__)


def rules() -> lio.LioRules:
    return lio.load_lio_rules()


_subjects = lio_flow.subjects_of
current_proof = lio_flow.current_proof


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
    job_id = durable_jobs.record(services, lio_flow.AFTER_APPLY_JOB, payload)
    ack()
    durable_jobs.start(services, context.client, job_id)


def _application(scope: Scope, job: Job, file_id: str | None) -> LioApplication | None:
    """A new application, or None when the same one (facts and proof) already waits."""
    student_id = scope.actor.person_id
    application, new = lio.apply(scope.session, student_id, job, student_id, scope.now, proof_file_id=file_id)
    scope.session.flush()
    return application if new else None


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
    lio_flow.after_reduction_request(services, context.client, request_id)  # queues the counsellors' DMs


def _reduction(scope: Scope, motivation: str) -> ReductionRequest | None:
    """A new reduction request, or None when the same one already waits."""
    student_id = scope.actor.person_id
    request, new = lio.request_reduction(
        scope.session, rules(), student_id, motivation, student_id, scope.now
    )
    scope.session.flush()
    return request if new else None


# --- deciding (the one review: handlers/review.py) ------------------------------------------------------


def on_overview_approve(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Approve from `/stage lio overzicht`: decided as from the review DM, then the overview is redrawn."""
    ack()
    refusal = review_handlers.approve(context, lio_flow.REVIEW, str(action.get("value") or ""))
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    with request_scope(context) as scope:
        blocks = lio_details.overview(scope.session, scope.t, scope.actor)
        text = scope.t("lio.overview.text")
    respond(replace_original=True, text=text, blocks=blocks)


def register(app: App) -> None:
    app.view(views.APPLY_FORM)(on_apply_submit)
    app.view(views.REDUCTION_FORM)(on_reduction_submit)
    app.action(views.OVERVIEW_APPROVE)(on_overview_approve)
