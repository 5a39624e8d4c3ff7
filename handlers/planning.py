"""Step 7 and 8 listeners: lessons typed in the DM or sent as a spreadsheet (read after the ack, previewed,
saved on confirmation), the lesson modal, submitting, and the supervisor's Approve / Request changes.

Every action decides again from who clicked (models.access); the review buttons are replaced by the decision.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import durable_jobs
from bot.delivery.notifier import send_dm
from bot.flows import documents as document_flow
from bot.flows import start as start_notice
from bot.i18n import Translator, person_translator
from bot.middleware import Scope, request_scope
from bot.services import Services
from bot.views import planning as views
from bot.views.blocks import escape, section
from bot.views.decision import already, decided, with_decision
from bot.views.placements import course_name
from handlers.values import too_long, typed
from models import bell_schedules, once, placements, planning, planning_sheet
from models.access import may_review
from models.lesson_text import LessonReading, LineReading, looks_like_lessons, parse_clock, parse_lessons
from models.people import Person, supervisors_of
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


def _tell(client: WebClient, channel: str, text: str, blocks: list[Any] | None = None) -> None:
    client.chat_postMessage(channel=channel, text=text, blocks=blocks or [section(text)])


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


@dataclass(frozen=True)
class Job:
    """What the background reader needs: whose draft, where to answer, in which language."""

    student_id: int
    version_id: int
    channel: str
    language: str
    today: date


READ_JOB = "planning.read"


def _read_payload(job: Job, *, text: str | None = None, file_id: str | None = None) -> dict[str, Any]:
    fields = dataclasses.asdict(job) | {"today": job.today.isoformat()}
    return {"job": fields, "text": text, "file_id": file_id}


def read_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of READ_JOB (registered with the others in handlers.register)."""
    fields = payload["job"]
    job = Job(**(fields | {"today": date.fromisoformat(fields["today"])}))
    read_and_preview(services, client, job, text=payload.get("text"), file_id=payload.get("file_id"))


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
                _tell(client, event["channel"], fallback, blocks)
                return
            try:  # no conversation is opened: a later DM is read as lessons only when it reads as such
                version = planning.draft_for(scope.session, fitting[0], now=scope.now)
            except PlanningError as error:
                _tell(client, event["channel"], scope.t(error.key, **error.params))
                return
        if version.id is None:
            return
        job = Job(scope.actor.person_id, version.id, event["channel"], scope.t.language, scope.today)
        services = scope.services
    durable_jobs.start(
        services, client, durable_jobs.record(services, READ_JOB, _read_payload(job, text=text))
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
    job: Job | None = None
    with request_scope(context) as scope:
        t = scope.t
        placement = _own_placement(scope.session, scope.actor.person_id, placement_raw)
        if placement is None:
            answer = t("planning.not_yours")
        else:
            try:
                version = _open_typing(scope, placement)
                channel = str((body.get("container") or {}).get("channel_id") or scope.actor.slack_user_id)
                job = Job(scope.actor.person_id, version.id or 0, channel, t.language, scope.today)
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
        services, client, durable_jobs.record(services, READ_JOB, _read_payload(job, text=text))
    )


def on_sheet(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """A spreadsheet in the DM: for the open conversation's placement, or the student's only one."""
    with request_scope(context) as scope:
        version = planning.typing_version(scope.session, scope.actor.person_id, scope.now)
        if version is None:
            active = placements.of_student(scope.session, scope.actor.person_id)
            if len(active) != 1:
                text = scope.t("planning.sheet.which")
                _tell(client, event["channel"], text)
                return
            try:
                version = planning.draft_for(scope.session, active[0], now=scope.now)
            except PlanningError as error:
                _tell(client, event["channel"], scope.t(error.key, **error.params))
                return
        assert version.id is not None
        job = Job(scope.actor.person_id, version.id, event["channel"], scope.t.language, scope.today)
        services = scope.services
    for file in event["files"][:1]:
        payload = _read_payload(job, file_id=str(file["id"]))
        durable_jobs.start(services, client, durable_jobs.record(services, READ_JOB, payload))


def read_and_preview(
    services: Services, client: WebClient, job: Job, *, text: str | None = None, file_id: str | None = None
) -> None:
    """After the ack: read the lines, check every rule, keep the preview and show it."""
    t = Translator(job.language, services.settings.timezone)
    if file_id is not None:
        try:
            info = document_flow._file_info(client, file_id)
            url = info.get("url_private_download") or info.get("url_private")
            content = document_flow._download(
                str(url), services.settings.slack_bot_token or "", MAX_SHEET_BYTES
            )
            sheet = planning_sheet.read(str(info.get("name") or ""), content)
        except (document_flow.FetchFailed, planning_sheet.SheetError) as error:
            key = error.key if isinstance(error, planning_sheet.SheetError) else "planning.sheet.fetch_failed"
            _tell(client, job.channel, t(key))
            return
    with services.db.session() as session:
        version = session.get(PlanningVersion, job.version_id)
        if version is None or version.status != VersionStatus.DRAFT:
            return
        placement = session.get_one(placements.Placement, version.placement_id)
        bells = bell_schedules.schedule_of(session, placement.institution_id)
        if file_id is not None:
            readings = planning_sheet.readings(sheet, job.today, bells, lambda day: t.date(day, "medium"))
        else:
            readings = parse_lessons(text or "", job.today, bells)
        blocks, fallback = preview_blocks(session, services, t, placement, version, readings, job.today)
        session.commit()
    _tell(client, job.channel, fallback, blocks)


def preview_blocks(
    session: Session,
    services: Services,
    t: Translator,
    placement: placements.Placement,
    version: PlanningVersion,
    readings: list[LineReading],
    today: date,
) -> tuple[list[Any], str]:
    """Check the read lines against the rules with the draft's lessons; store what may be saved."""
    picture = planning.load(session, placement.student_id)
    existing = picture.lesson_facts(version)
    required = planning.required_hours(services.catalogue, placement)
    lines = [(r.number, r.lesson) for r in readings if r.lesson]
    read = planning.read_lessons(lines, placement, required, existing)
    new = [planning.facts(x.lesson, placement.id or 0) for x in read]
    per_lesson, _ = planning.check(services.catalogue, picture, placement, existing + new, today)
    problems: dict[int, list[str]] = {}
    keep = []
    for i, x in enumerate(read):
        found = per_lesson.get(len(existing) + i, [])
        if found:
            problems[x.number] = [views.problem_text(t, p) for p in found]
        else:
            keep.append(x.lesson)
    stored = PlanningPreview(version_id=version.id or 0, lessons=keep, created_at=services.clock.now())
    session.add(stored)
    session.flush()
    school = placements.institutions(session, [placement.institution_id]).get(placement.institution_id)
    course = course_name(t, services.catalogue, placement.course_code)
    taken = {x.number: x.taken for x in read if x.taken}
    blocks = views.preview(
        t, readings, problems, len(keep), stored.id or 0, taken=taken, course=course, school=school
    )
    return blocks, views.preview_title(t, len(readings), len(keep))


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
    if preview is None or preview.used:
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


def _value(values: dict[str, Any], block: str) -> Any:
    element = (values.get(block) or {}).get(block) or {}
    if "selected_date" in element:
        return element["selected_date"]
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value")
    return element.get("value")


def submit_modal(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Add one lesson to the draft; each problem is shown at its field and nothing is saved."""
    values = view.get("state", {}).get("values", {})
    with request_scope(context) as scope:
        t = scope.t
        placement = _own_placement(scope.session, scope.actor.person_id, view.get("private_metadata"))
        if placement is None:
            ack(response_action="errors", errors={"day": t("planning.not_yours")})
            return
        start = parse_clock(str(_value(values, "start") or ""))
        end = parse_clock(str(_value(values, "end") or ""))
        errors: dict[str, str] = {}
        if start is None:
            errors["start"] = t("planning.modal.bad_time")
        if end is None:
            errors["end"] = t("planning.modal.bad_time")
        elif start is not None and end <= start:
            errors["end"] = t("planning.line.end_before_start")
        day_raw = _value(values, "day")
        if not day_raw:
            errors["day"] = t("planning.line.no_date")
        texts = {name: typed(_value(values, name), multiline=False) for name in planning.LESSON_TEXT_LIMITS}
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
            "activity": str(_value(values, "activity") or ""),
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


# --- submitting and the supervisor's decision ------------------------------------------------------------


def reviewer_of(session: Session, catalogue: Any, placement: placements.Placement) -> Person | None:
    """The subject's supervisor for a subject didactics course, else the general one (or any)."""
    found = supervisors_of(session, placement.student_id)
    course = catalogue.course(placement.course_code)
    subject = (course.subject or "").lower() if course else ""
    return found.get(subject) or found.get("general") or found.get("x") or found.get("y")


def on_submit(ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    review: tuple[str, str, list[Any]] | None = None
    with request_scope(context) as scope:
        t, catalogue = scope.t, scope.services.catalogue
        placement = _own_placement(scope.session, scope.actor.person_id, action.get("value"))
        if placement is None:
            answer = t("planning.not_yours")
        else:
            try:
                version, problems = planning.submit(
                    scope.session,
                    catalogue,
                    scope.actor.person_id,
                    placement,
                    now=scope.now,
                    today=scope.today,
                )
            except PlanningError as error:
                version, problems, answer = None, [], t(error.key, **error.params)
            if problems:
                listed = dict.fromkeys(f"• {views.problem_text(t, p)}" for p in problems)
                answer = t("planning.submit.refused") + "\n" + "\n".join(listed)
            elif version is not None:
                reviewer = reviewer_of(scope.session, catalogue, placement)
                if reviewer is None:
                    scope.session.rollback()
                    answer = t("planning.submit.no_supervisor")
                else:
                    rt = person_translator(reviewer, scope.services.settings.timezone)
                    lessons = planning.lessons_of(scope.session, [version.id or 0])[version.id or 0]
                    school = placements.institutions(scope.session, [placement.institution_id]).get(
                        placement.institution_id
                    )
                    blocks = views.review_message(
                        rt, catalogue, scope.actor.slack_user_id, placement, school, version, lessons,
                        planning.required_hours(catalogue, placement),
                    )  # fmt: skip
                    review = (reviewer.slack_user_id, rt("planning.review.text"), blocks)
                    key = "planning.submit.sent_late" if version.late else "planning.submit.sent"
                    answer = t(key, supervisor=f"<@{reviewer.slack_user_id}>")
        slack_id = scope.actor.slack_user_id
    if review is not None:
        send_dm(client, *review)
    send_dm(client, slack_id, answer, [section(answer)])


def _version_for_review(scope: Scope, raw: Any) -> tuple[PlanningVersion | None, str | None]:
    try:
        version = scope.session.get(PlanningVersion, int(str(raw)))
    except ValueError:
        version = None
    if version is None or not may_review(scope.session, scope.actor, version.student_id):
        return None, scope.t("planning.review.not_allowed")
    if version.status != VersionStatus.SUBMITTED:
        return None, _already(scope, version)
    return version, None


def _already(scope: Scope, version: PlanningVersion) -> str:
    """Who decided this version and when, for whoever clicks after them."""
    decided_by = scope.session.get(Person, version.decided_by_id) if version.decided_by_id else None
    if version.decided_at is None or version.status not in (
        VersionStatus.APPROVED,
        VersionStatus.CHANGES_REQUESTED,
        VersionStatus.SUPERSEDED,
    ):
        return scope.t(
            "planning.review.already",
            status=scope.t(f"planning.version.{version.status}", number=version.number),
        )
    return already(
        scope.t,
        approved=version.status != VersionStatus.CHANGES_REQUESTED,
        by_slack_id=decided_by.slack_user_id if decided_by else None,
        at=version.decided_at,
    )


def on_approve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    ack()
    with request_scope(context) as scope:
        version, refusal = _version_for_review(scope, action.get("value"))
        catalogue = scope.services.catalogue
        if version is not None and not planning.decide(
            scope.session, catalogue, version, approve=True, actor_id=scope.actor.person_id, now=scope.now
        ):
            refusal = _already(scope, version)
            version = None
        if version is not None:
            cleared = [
                p.id or 0
                for p in planning.record_steps(scope.session, catalogue, version.student_id, scope.now)
            ]
            line = decided(scope.t, approved=True, by_slack_id=scope.actor.slack_user_id, at=scope.now)
            blocks = with_decision((body.get("message") or {}).get("blocks") or [], line)
        services, student_id, version_id = (
            scope.services,
            version.student_id if version else 0,
            version.id if version else 0,
        )
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    respond(replace_original=True, text=scope.t("planning.review.text"), blocks=blocks)
    tell_student(services, context.client, student_id, version_id or 0, cleared)


def on_changes(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    ack()
    with request_scope(context) as scope:
        version, refusal = _version_for_review(scope, action.get("value"))
        if version is not None:
            container = body.get("container") or {}
            metadata = f"{version.id}|{container.get('channel_id', '')}|{container.get('message_ts', '')}"
            modal = views.changes_modal(scope.t, version.id or 0, metadata)
    if refusal is not None:
        respond(replace_original=False, response_type="ephemeral", text=refusal)
        return
    context.client.views_open(trigger_id=body["trigger_id"], view=modal)


def submit_changes(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    values = view.get("state", {}).get("values", {})
    reason = typed(((values.get(views.REASON_BLOCK) or {}).get(views.REASON_INPUT) or {}).get("value"))
    version_raw, channel, ts = [*str(view.get("private_metadata") or "").split("|"), "", "", ""][:3]
    with request_scope(context) as scope:
        if reason:
            problem = too_long(scope.t, reason, planning.MAX_REASON_LENGTH)
        else:
            problem = scope.t("planning.changes.reason_needed")
        if problem is not None:
            ack(response_action="errors", errors={views.REASON_BLOCK: problem})
            return
        version, refusal = _version_for_review(scope, version_raw)
        if version is not None and not planning.decide(
            scope.session, scope.services.catalogue, version, approve=False, actor_id=scope.actor.person_id,
            now=scope.now, reason=reason,
        ):  # fmt: skip
            refusal = _already(scope, version)
            version = None
        if version is None:
            ack(response_action="errors", errors={views.REASON_BLOCK: refusal or ""})
            return
        planning.record_steps(scope.session, scope.services.catalogue, version.student_id, scope.now)
        line = decided(
            scope.t, approved=False, by_slack_id=scope.actor.slack_user_id, at=scope.now, reason=reason
        )
        blocks = with_decision(_review_blocks(scope, version), line)
        services, student_id, version_id = scope.services, version.student_id, version.id or 0
    ack()
    if channel and ts:
        try:
            client.chat_update(channel=channel, ts=ts, text=line["elements"][0]["text"], blocks=blocks)
        except SlackApiError as error:
            logger.warning("could not replace the review buttons: %s", error.response.get("error"))
    tell_student(services, client, student_id, version_id, [])


def _review_blocks(scope: Scope, version: PlanningVersion) -> list[Any]:
    """The review message as the supervisor saw it, rebuilt from the data (to swap its buttons)."""
    catalogue = scope.services.catalogue
    placement = scope.session.get_one(placements.Placement, version.placement_id)
    student = scope.session.get_one(Person, version.student_id)
    school = placements.institutions(scope.session, [placement.institution_id]).get(placement.institution_id)
    lessons = planning.lessons_of(scope.session, [version.id or 0])[version.id or 0]
    required = planning.required_hours(catalogue, placement)
    return views.review_message(
        scope.t, catalogue, student.slack_user_id, placement, school, version, lessons, required
    )


def tell_student(
    services: Services, client: WebClient, student_id: int, version_id: int, cleared: list[int]
) -> None:
    """The decision in the student's DM, and "you may start" for each placement the decision cleared."""
    with services.db.session() as session:
        student = session.get_one(Person, student_id)
        version = session.get_one(PlanningVersion, version_id)
        placement = session.get_one(placements.Placement, version.placement_id)
        t = person_translator(student, services.settings.timezone)
        course = course_name(t, services.catalogue, placement.course_code)
        if version.status == VersionStatus.APPROVED:
            text = t("planning.decision.approved", course=course)
        else:
            text = t("planning.decision.changes", course=course, reason=escape(version.reason or ""))
        starts = start_notice.texts(
            session, services, t, [session.get_one(placements.Placement, i) for i in cleared]
        )
        slack_id = student.slack_user_id
    send_dm(client, slack_id, text, [section(text)])
    for start in starts:
        send_dm(client, slack_id, start, [section(start)])


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
    app.action(views.APPROVE_ACTION)(on_approve)
    app.action(views.CHANGES_ACTION)(on_changes)
    app.view(views.LESSON_CALLBACK)(submit_modal)
    app.view(views.CHANGES_CALLBACK)(submit_changes)
