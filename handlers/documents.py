"""Step 2 listeners: a file dropped in the DM, the type and date questions and the upload modal (the
reviewers' buttons are the one review's: handlers/review.py).

Listeners stay thin: they check who acts (models.access), change the models in one transaction, and
hand the download to the background pool.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import durable_jobs
from bot.flows import documents as flow
from bot.middleware import Scope, request_scope
from bot.views import documents as views
from bot.views.blocks import section
from bot.web.document_download import link_for
from handlers.values import number
from models import audit, documents
from models.access import may_get_document
from models.date_text import read_date
from models.document_dates import issue_date_problem
from models.documents import Document, DocumentStatus, InternshipWindow
from models.people import Student

logger = logging.getLogger(__name__)


# --- uploading ---------------------------------------------------------------------------------------------


def _is_dm_file(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im" and bool(event.get("files"))


def on_dm_file(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Ask, with buttons, which document each dropped file is."""
    with request_scope(context) as scope:
        t = scope.t
        if not scope.actor.is_student:
            text = t("documents.students_only")
            blocks = [section(text)]
            asks: list[tuple[str, list[Any]]] = [(text, blocks)]
        else:
            types = _offered_types(scope)
            asks = [
                (
                    t("documents.ask_type_text"),
                    views.which_type(t, str(f.get("name") or f["id"]), str(f["id"]), types),
                )
                for f in event.get("files", [])[:5]
                if f.get("id")
            ]
    for text, blocks in asks:
        client.chat_postMessage(channel=event["channel"], text=text, blocks=blocks)


def ignore(ack: Ack) -> None:
    """file_shared comes with the file_share message, which is the one handled."""
    ack()


def on_pick_type(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    """The student said which document the file is: answer "checking" now, fetch it after the ack."""
    ack()
    code = str(action.get("action_id", "")).partition(":")[2]
    try:
        picked = json.loads(str(action.get("value") or "{}"))
        file_id, name = str(picked["file"]), str(picked.get("name") or picked["file"])
    except (ValueError, KeyError, TypeError):
        file_id = name = ""
    with request_scope(context) as scope:
        doctype = flow.config().type(code)
        if not scope.actor.is_student or doctype is None or not file_id:
            respond(
                replace_original=False, response_type="ephemeral", text=scope.t("documents.students_only")
            )
            return
        blocks = views.checking(scope.t, name, doctype)
        incoming = flow.Incoming(
            student_id=scope.actor.person_id,
            actor_id=scope.actor.person_id,
            type_code=doctype.code,
            file_id=file_id,
            channel=(body.get("channel") or {}).get("id"),
            message_ts=(body.get("message") or {}).get("ts"),
            filename=name,
        )
        services = scope.services
    job = durable_jobs.record(services, flow.RECEIVE_JOB, flow.receive_payload(incoming))
    respond(replace_original=True, text=scope.t("documents.checking_text"), blocks=blocks)
    durable_jobs.start(services, context.client, job)


def _offered_types(scope: Scope) -> list[documents.DocumentType]:
    """The document types this student hands in (the LIO proof only to an LIO student)."""
    student = scope.session.get(Student, scope.actor.person_id)
    return flow.config().required_types(lio=bool(student and student.lio))


def open_upload_modal(scope: Scope, client: WebClient, trigger_id: str, initial: str | None = None) -> None:
    lines = flow.student_lines(scope.session, scope.actor.person_id, scope.today)
    if initial is None:
        initial = next((line.type.code for line in lines if line.state in views.NEEDS_UPLOAD), None)
    client.views_open(trigger_id=trigger_id, view=views.upload_modal(scope.t, _offered_types(scope), initial))


def on_upload_again(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    ack()
    with request_scope(context) as scope:
        if scope.actor.is_student:
            open_upload_modal(
                scope, context.client, body["trigger_id"], str(action.get("value") or "") or None
            )


def on_open(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """A link that opens the file, for the person who clicked and only if they may; refusals are logged."""
    ack()
    document_id = number(action.get("value")) or 0
    with request_scope(context) as scope:
        document = scope.session.get(Document, document_id)
        if document is None or not may_get_document(
            scope.session, scope.actor, document.student_id, document.type_code
        ):
            if document is not None:
                audit.log(
                    scope.session,
                    scope.now,
                    "document.open_refused",
                    actor_id=scope.actor.person_id,
                    student_id=document.student_id,
                    subject=document.subject,
                )
            text = scope.t("documents.open.not_allowed")
        elif (url := link_for(scope.services, scope.actor, document)) is None:
            text = scope.t("documents.open.no_public_url")
        else:
            audit.log(
                scope.session,
                scope.now,
                "document.link_given",
                actor_id=scope.actor.person_id,
                student_id=document.student_id,
                subject=document.subject,
            )
            text = views.open_link(scope.t, url, document.filename)
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=[section(text)])


def _selected(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return dict((values.get(block) or {}).get(action) or {})


def on_upload_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Check the form in the modal (type, one file, the extract's date); the file itself after the ack."""
    values = view.get("state", {}).get("values", {})
    code = (_selected(values, views.TYPE_BLOCK, views.TYPE_INPUT).get("selected_option") or {}).get("value")
    files = _selected(values, views.FILE_BLOCK, views.FILE_INPUT).get("files") or []
    picked = _selected(values, views.ISSUE_BLOCK, views.ISSUE_INPUT).get("selected_date")
    with request_scope(context) as scope:
        t, cfg = scope.t, flow.config()
        doctype = cfg.type(str(code)) if code else None
        errors: dict[str, str] = {}
        if not scope.actor.is_student:
            errors[views.TYPE_BLOCK] = t("documents.students_only")
        elif doctype is None:
            errors[views.TYPE_BLOCK] = t("documents.modal.choose_type")
        if not files:
            errors[views.FILE_BLOCK] = t("documents.modal.choose_file")
        issued = date.fromisoformat(picked) if picked else None
        if doctype is not None and doctype.needs_issue_date:
            if issued is None:
                errors[views.ISSUE_BLOCK] = t("documents.modal.date_needed")
            else:
                window = InternshipWindow.of(scope.services.catalogue)
                problem = issue_date_problem(issued, scope.today, window.first, doctype.max_age_months)
                if problem is not None:
                    errors[views.ISSUE_BLOCK] = views.issue_date_problem_text(
                        t, problem, doctype.max_age_months
                    )
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert doctype is not None
        incoming = flow.Incoming(
            student_id=scope.actor.person_id,
            actor_id=scope.actor.person_id,
            type_code=doctype.code,
            file_id=str(files[0].get("id")),
            issue_date=issued if doctype.needs_issue_date else None,
        )
        services = scope.services
    job = durable_jobs.record(services, flow.RECEIVE_JOB, flow.receive_payload(incoming))
    ack()
    durable_jobs.start(services, context.client, job)


# --- the extract's issue date ------------------------------------------------------------------------------


def _set_date(scope: Scope, document: Document, issued: date) -> str | None:
    """A problem text, or None when the date was taken (and the version goes to review after commit)."""
    doctype = flow.config().type(document.type_code)
    assert doctype is not None
    window = InternshipWindow.of(scope.services.catalogue)
    problem = issue_date_problem(issued, scope.today, window.first, doctype.max_age_months)
    if problem is not None:
        return views.issue_date_problem_text(scope.t, problem, doctype.max_age_months)
    documents.set_issue_date(
        scope.session, flow.config(), document, issued, scope.actor.person_id, scope.now, window
    )
    return None


def on_date_picked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    ack()
    block_id = str(action.get("block_id", ""))
    document_id = (
        int(block_id.removeprefix(views.DATE_BLOCK)) if block_id[len(views.DATE_BLOCK) :].isdigit() else 0
    )
    picked = action.get("selected_date")
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts")
    with request_scope(context) as scope:
        document = scope.session.get(Document, document_id)
        if (
            document is None
            or document.student_id != scope.actor.person_id
            or document.status != DocumentStatus.AWAITING_DATE
            or not picked
        ):
            return
        problem = _set_date(scope, document, date.fromisoformat(picked))
        doctype = flow.config().type(document.type_code)
        assert doctype is not None
        t, services = scope.t, scope.services
    if problem is not None and channel and ts:
        context.client.chat_update(
            channel=channel, ts=ts, text=problem, blocks=views.ask_issue_date(t, document, doctype, problem)
        )
        return
    incoming = flow.Incoming(
        document.student_id,
        document.student_id,
        document.type_code,
        document.slack_file_id,
        None,
        channel,
        ts,
    )
    flow.to_review(services, context.client, document_id, incoming)


def _awaits_typed_date(event: dict[str, Any], context: BoltContext) -> bool:
    """Only plain DMs from a student whose extract waits for its date: other DMs are not ours."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("files") or event.get("bot_id"):
        return False
    actor = context.get("actor")
    session = context.get("session")
    if actor is None or session is None or not actor.is_student:
        return False
    return documents.awaiting_date(session, actor.person_id) is not None


def on_typed_date(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    with request_scope(context) as scope:
        t = scope.t
        document = documents.awaiting_date(scope.session, scope.actor.person_id)
        if document is None:
            return
        typed = read_date(str(event.get("text") or ""), scope.today, past=True)
        issued = typed if isinstance(typed, date) else None
        problem = t("documents.date_not_understood") if issued is None else _set_date(scope, document, issued)
        services = scope.services
    if problem is not None:
        client.chat_postMessage(channel=event["channel"], text=problem, blocks=[section(problem)])
        return
    incoming = flow.Incoming(
        document.student_id, document.student_id, document.type_code, document.slack_file_id, None
    )
    flow.to_review(services, client, document.id or 0, incoming)


def register(app: App) -> None:
    app.event({"type": "message", "subtype": "file_share"}, matchers=[_is_dm_file])(on_dm_file)
    app.event("file_shared")(ignore)
    app.event("message", matchers=[_awaits_typed_date])(on_typed_date)
    app.action(re.compile(f"^{views.PICK_ACTION}:"))(on_pick_type)
    app.action(views.DATE_ACTION)(on_date_picked)
    app.action(views.UPLOAD_AGAIN_ACTION)(on_upload_again)
    app.action(views.OPEN_ACTION)(on_open)
    app.view(views.UPLOAD_CALLBACK)(on_upload_submit)
