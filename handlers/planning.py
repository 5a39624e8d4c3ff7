"""Step 7 and 8 listeners: lessons typed in the DM or sent as a spreadsheet (read after the ack by
bot.flows.planning, previewed, saved on confirmation), the lesson modal and submitting. The supervisor's
Approve / Request changes are the one review's (handlers/review.py)."""

from __future__ import annotations

import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import durable_jobs
from bot.delivery.notifier import send_dm
from bot.flows import planning as flow
from bot.flows import start as start_notice
from bot.middleware import Scope, request_scope
from bot.views import planning as views
from bot.views.blocks import escape, section
from bot.views.placements import course_name
from handlers.values import field_value, too_long, typed
from models import bell_schedules, once, placements, planning
from models.lesson_text import LessonReading, looks_like_lessons, parse_clock, parse_lessons
from models.planning import PlanningError, PlanningPreview, PlanningVersion, VersionStatus

logger = logging.getLogger(__name__)
SHEET_SUFFIXES = (".xlsx", ".csv")
MAX_SHEET_BYTES = 2_000_000


# --- which placement a student means ----------------------------------------------------------------------


def _own_placement(session: Session, student_id: int, raw: Any) -> placements.Placement | None:
    try:
        placement = placements.get(session, int(str(raw)))
    except ValueError:
        return None
    if placement is None or placement.student_id != student_id or not placement.is_active:
        return None
    return placement


# --- the DM conversation: free text, then a preview ------------------------------------------------------


def start_typing(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """Open the DM conversation for one placement: the student's next DMs are read as lessons."""
    ack()
    with request_scope(context) as scope:
        placement = _own_placement(scope.session, scope.actor.person_id, action.get("value"))
        if placement is None:
            text = scope.t("planning.not_yours")
        else:
            try:
                draft = planning.draft_for(scope.session, placement, now=scope.now)
                draft.typing_until = scope.now + planning.TYPING_WINDOW
                scope.session.add(draft)
                text = scope.t(
                    "planning.type.intro",
                    course=course_name(scope.t, scope.services.catalogue, placement.course_code),
                )
            except PlanningError as error:
                text = scope.t(error.key, **error.params)
        slack_id = scope.actor.slack_user_id
    send_dm(client, slack_id, text, [section(text)])


def _in_conversation(event: dict[str, Any], context: BoltContext) -> bool:
    """Plain DMs (no files) from a student whose planning conversation is open, or lines that read as
    lessons from a student with a placement (typed straight in the DM, without "Lessen typen" first)."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("files") or event.get("bot_id"):
        return False
    actor, session, services = context.get("actor"), context.get("session"), context.get("services")
    if actor is None or session is None or services is None or not actor.is_student:
        return False
    now = services.clock.now()
    if planning.typing_version(session, actor.person_id, now) is not None:
        return True
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    if not looks_like_lessons(parse_lessons(str(event.get("text") or ""), today)):
        return False
    return bool(placements.of_student(session, actor.person_id))


def _is_planning_sheet(event: dict[str, Any], context: BoltContext) -> bool:
    """Only a student's DM files named .xlsx or .csv: every other file is a step-2 document."""
    if event.get("channel_type") != "im" or not event.get("files"):
        return False
    actor = context.get("actor")
    if actor is None or not actor.is_student:
        return False
    return all(str(f.get("name") or "").lower().endswith(SHEET_SUFFIXES) for f in event["files"])


def on_text(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Lines for the open conversation's placement; without one, for the only placement they fit, or the
    student is asked which placement they are for (the conversation then opens for the chosen one)."""
    text = str(event.get("text") or "")
    with request_scope(context) as scope:
        version = planning.typing_version(scope.session, scope.actor.person_id, scope.now)
        if version is None:
            picture = planning.load(scope.session, scope.actor.person_id)
            bells = {
                i: bell_schedules.schedule_of(scope.session, i)
                for i in {p.institution_id for p in picture.placements}
            }

            def lessons_for(p: placements.Placement) -> list[LessonReading]:
                readings = parse_lessons(text, scope.today, bells[p.institution_id])
                return [r.lesson for r in readings if r.lesson]

            fitting = planning.placements_for_lessons(picture.placements, lessons_for)
            if len(fitting) != 1:
                schools = placements.institutions(scope.session, (p.institution_id for p in fitting))
                blocks, fallback = views.which_placement(
                    scope.t, scope.services.catalogue, fitting, schools, text
                )
                flow.tell(client, event["channel"], fallback, blocks)
                return
            try:  # no conversation is opened: a later DM is read as lessons only when it reads as such
                version = planning.draft_for(scope.session, fitting[0], now=scope.now)
            except PlanningError as error:
                flow.tell(client, event["channel"], scope.t(error.key, **error.params))
                return
        if version.id is None:
            return
        job = flow.Job(scope.actor.person_id, version.id, event["channel"], scope.t.language, scope.today)
        services = scope.services
    durable_jobs.start(
        services, client, durable_jobs.record(services, flow.READ_JOB, flow.read_payload(job, text=text))
    )


def _open_typing(scope: Scope, placement: placements.Placement) -> PlanningVersion:
    """The placement's draft, its DM conversation open: the student's next DMs are read for it."""
    draft = planning.draft_for(scope.session, placement, now=scope.now)
    draft.typing_until = scope.now + planning.TYPING_WINDOW
    scope.session.add(draft)
    scope.session.flush()
    return draft


def on_pick(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond,
    client: WebClient,
) -> None:  # fmt: skip
    """The student's answer to "for which placement?": the lines typed before are read for that one."""
    ack()
    try:
        value = json.loads(str(action.get("value") or ""))
        placement_raw, text = value["placement"], str(value["text"])
    except (ValueError, KeyError, TypeError):
        return
    job: flow.Job | None = None
    with request_scope(context) as scope:
        t = scope.t
        placement = _own_placement(scope.session, scope.actor.person_id, placement_raw)
        if placement is None:
            answer = t("planning.not_yours")
        else:
            try:
                version = _open_typing(scope, placement)
                channel = str((body.get("container") or {}).get("channel_id") or scope.actor.slack_user_id)
                job = flow.Job(scope.actor.person_id, version.id or 0, channel, t.language, scope.today)
                course = course_name(t, scope.services.catalogue, placement.course_code)
                answer = t("planning.pick.chosen", course=escape(course))
            except PlanningError as error:
                answer = t(error.key, **error.params)
        services = scope.services
    if job is None:
        respond(replace_original=False, response_type="ephemeral", text=answer)
        return
    respond(replace_original=True, text=answer, blocks=[section(answer)])
    durable_jobs.start(
        services, client, durable_jobs.record(services, flow.READ_JOB, flow.read_payload(job, text=text))
    )


def on_sheet(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """A spreadsheet in the DM: for the open conversation's placement, or the student's only one."""
    with request_scope(context) as scope:
        version = planning.typing_version(scope.session, scope.actor.person_id, scope.now)
        if version is None:
            active = placements.of_student(scope.session, scope.actor.person_id)
            if len(active) != 1:
                text = scope.t("planning.sheet.which")
                flow.tell(client, event["channel"], text)
                return
            try:
                version = planning.draft_for(scope.session, active[0], now=scope.now)
            except PlanningError as error:
                flow.tell(client, event["channel"], scope.t(error.key, **error.params))
                return
        assert version.id is not None
        job = flow.Job(scope.actor.person_id, version.id, event["channel"], scope.t.language, scope.today)
        services = scope.services
    for file in event["files"][:1]:
        payload = flow.read_payload(job, file_id=str(file["id"]))
        durable_jobs.start(services, client, durable_jobs.record(services, flow.READ_JOB, payload))


def on_save(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Confirmation: the preview's lessons go into the draft (once; a second click finds it used)."""
    ack()
    with request_scope(context) as scope:
        t = scope.t
        preview = _preview(scope, action)
        if preview is None or not _use(scope, preview):
            # Gone (expired, or saved by a click a moment ago): said to the clicker alone, so the message
            # keeps what the click that counted put there ("9 lessen bewaard").
            text = t("planning.preview.gone" if preview is None else "planning.preview.already_used")
            respond(replace_original=False, response_type="ephemeral", text=text)
            return
        else:
            version = scope.session.get_one(PlanningVersion, preview.version_id)
            try:
                count = planning.add_lessons(scope.session, version, preview.lessons)
                text = t("planning.preview.saved", count=count)
                text = "\n\n".join([text, *_record_and_starts(scope)])
            except PlanningError as error:
                scope.session.rollback()  # the preview stays as it was
                text = t(error.key, **error.params)
    respond(replace_original=True, text=text, blocks=[section(text)])


def _use(scope: Scope, preview: PlanningPreview) -> bool:
    """Mark the preview used, first in the transaction: of two clicks at once (Save, Cancel) one counts."""
    return once.transition(scope.session, preview, "used", False, used=True)


def _record_and_starts(scope: Scope) -> list[str]:
    """Record steps 7 and 8 in this transaction; "you may start" for any placement that just cleared."""
    services = scope.services
    cleared = planning.record_steps(scope.session, services.catalogue, scope.actor.person_id, scope.now)
    return start_notice.texts(scope.session, services, scope.t, cleared)


def on_cancel(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        preview = _preview(scope, action)
        if preview is not None and not _use(scope, preview):
            text = scope.t("planning.preview.already_used")
            respond(replace_original=False, response_type="ephemeral", text=text)
            return
        text = scope.t("planning.preview.cancelled")
    respond(replace_original=True, text=text, blocks=[section(text)])


def _preview(scope: Scope, action: dict[str, Any]) -> PlanningPreview | None:
    try:
        preview = scope.session.get(PlanningPreview, int(str(action.get("value"))))
    except ValueError:
        return None
    if preview is None:  # a used one is told apart: "already handled"
        return None
    version = scope.session.get(PlanningVersion, preview.version_id)
    if version is None or version.student_id != scope.actor.person_id:
        return None
    return preview


# --- the lesson modal ------------------------------------------------------------------------------------


def open_modal(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    ack()
    with request_scope(context) as scope:
        placement = _own_placement(scope.session, scope.actor.person_id, action.get("value"))
        if placement is None:
            return
        versions = planning.versions_of(scope.session, [placement.id or 0])[placement.id or 0]
        head = planning.current(versions)
        lessons = []
        if head is not None and head.status == VersionStatus.DRAFT and head.id is not None:
            lessons = planning.lessons_of(scope.session, [head.id])[head.id]
        modal = views.lesson_modal(scope.t, placement.id or 0, list(placement.activities), lessons)
    context.client.views_open(trigger_id=body["trigger_id"], view=modal)


def submit_modal(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Add one lesson to the draft; each problem is shown at its field and nothing is saved."""
    values = view.get("state", {}).get("values", {})
    with request_scope(context) as scope:
        t = scope.t
        placement = _own_placement(scope.session, scope.actor.person_id, view.get("private_metadata"))
        if placement is None:
            ack(response_action="errors", errors={"day": t("planning.not_yours")})
            return
        start = parse_clock(str(field_value(values, "start") or ""))
        end = parse_clock(str(field_value(values, "end") or ""))
        errors: dict[str, str] = {}
        if start is None:
            errors["start"] = t("planning.modal.bad_time")
        if end is None:
            errors["end"] = t("planning.modal.bad_time")
        elif start is not None and end <= start:
            errors["end"] = t("planning.line.end_before_start")
        day_raw = field_value(values, "day")
        if not day_raw:
            errors["day"] = t("planning.line.no_date")
        texts = {
            name: typed(field_value(values, name), multiline=False) for name in planning.LESSON_TEXT_LIMITS
        }
        for name, limit in planning.LESSON_TEXT_LIMITS.items():
            if long := too_long(t, texts[name], limit):
                errors[name] = long
        if errors:
            ack(response_action="errors", errors=errors)
            scope.session.rollback()
            return
        lesson = {
            "day": str(day_raw),
            "start": start.strftime("%H:%M"),  # type: ignore[union-attr]
            "end": end.strftime("%H:%M"),  # type: ignore[union-attr]
            "activity": str(field_value(values, "activity") or ""),
            **texts,
            "level": placement.level,
            "grade": placement.grade,
        }
        try:
            problem = _add_lesson(scope, placement, lesson)
        except IntegrityError:  # the same lesson (or a new draft) came in at the same moment: look again
            scope.session.rollback()
            problem = _add_lesson(scope, placement, lesson)
        if problem is not None:
            ack(response_action="errors", errors={"day": problem})
            scope.session.rollback()
            return
        text = "\n\n".join([t("planning.preview.saved", count=1), *_record_and_starts(scope)])
        slack_id = scope.actor.slack_user_id
    ack()
    send_dm(context.client, slack_id, text, [section(text)])


def _add_lesson(scope: Scope, placement: placements.Placement, lesson: dict[str, Any]) -> str | None:
    """Add one lesson to the placement's draft (flushed: the database refuses a twin); the problem text
    when it cannot be added."""
    t = scope.t
    try:
        draft = planning.draft_for(scope.session, placement, now=scope.now)
    except PlanningError as error:
        return t(error.key, **error.params)
    picture = planning.load(scope.session, scope.actor.person_id)
    existing = picture.lesson_facts(picture.current(placement.id or 0))
    per_lesson, _ = planning.check(
        scope.services.catalogue, picture, placement, [*existing, planning.facts(lesson)], scope.today
    )
    found = per_lesson.get(len(existing), [])
    if found:
        return " ".join(views.problem_text(t, p) for p in found)
    if not planning.add_lessons(scope.session, draft, [lesson]):  # it came in a moment ago
        twin = planning.facts(lesson)
        return views.problem_text(
            t, planning.Problem("planning.rule.overlap", {"start": twin.start, "end": twin.end})
        )
    scope.session.flush()
    return None


def delete_lesson(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    placement_raw, _, lesson_raw = str(action.get("value") or "").partition(":")
    with request_scope(context) as scope:
        placement = _own_placement(scope.session, scope.actor.person_id, placement_raw)
        done = False
        if placement is not None and lesson_raw.isdigit():
            head = planning.current(
                planning.versions_of(scope.session, [placement.id or 0])[placement.id or 0]
            )
            if head is not None:
                done = planning.delete_lesson(scope.session, head, int(lesson_raw))
        text = scope.t("planning.deleted" if done else "planning.not_deleted")
        slack_id = scope.actor.slack_user_id
    send_dm(context.client, slack_id, text, [section(text)])


# --- submitting -------------------------------------------------------------------------------------------


def on_submit(ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """The draft to the supervisor (bot.flows.review); the student hears to whom, or why not."""
    ack()
    with request_scope(context) as scope:
        t = scope.t
        placement = _own_placement(scope.session, scope.actor.person_id, action.get("value"))
        if placement is None:
            answer = t("planning.not_yours")
        else:
            answer = flow.submit(
                scope.services, client, scope.session, t, scope.actor, placement, scope.today, scope.now
            )
        send_dm(client, scope.actor.slack_user_id, answer, [section(answer)])


def register(app: App) -> None:
    """The sheet listener must come before the step-2 file listener (first match wins)."""
    app.event({"type": "message", "subtype": "file_share"}, matchers=[_is_planning_sheet])(on_sheet)
    app.event("message", matchers=[_in_conversation])(on_text)
    app.action(views.TYPE_ACTION)(start_typing)
    app.action(views.PICK_ACTION)(on_pick)
    app.action(views.ADD_ACTION)(open_modal)
    app.action(views.DELETE_ACTION)(delete_lesson)
    app.action(views.SUBMIT_ACTION)(on_submit)
    app.action(views.SAVE_ACTION)(on_save)
    app.action(views.CANCEL_ACTION)(on_cancel)
    app.view(views.LESSON_CALLBACK)(submit_modal)
