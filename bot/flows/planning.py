"""Step 7 between Slack and the models: typed or spreadsheet lessons read after the ack (a durable job),
checked and previewed; a submitted draft to the supervisor's review, and what follows the decision."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.flows import documents as document_flow
from bot.flows import review
from bot.flows import start as start_notice
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import planning as views
from bot.views.blocks import Block, escape, section
from bot.views.placements import course_name
from models import bell_schedules, placements, planning, planning_sheet
from models.access import may_review
from models.lesson_text import LineReading, parse_lessons
from models.people import Actor, Person
from models.planning import PlanningError, PlanningPreview, PlanningVersion, VersionStatus

MAX_SHEET_BYTES = 2_000_000


def tell(client: WebClient, channel: str, text: str, blocks: list[Any] | None = None) -> None:
    client.chat_postMessage(channel=channel, text=text, blocks=blocks or [section(text)])


# --- reading lessons after the ack ----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What the background reader needs: whose draft, where to answer, in which language."""

    student_id: int
    version_id: int
    channel: str
    language: str
    today: date


READ_JOB = "planning.read"


def read_payload(job: Job, *, text: str | None = None, file_id: str | None = None) -> dict[str, Any]:
    fields = dataclasses.asdict(job) | {"today": job.today.isoformat()}
    return {"job": fields, "text": text, "file_id": file_id}


def read_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of READ_JOB (listed in bot.flows.registry)."""
    fields = payload["job"]
    job = Job(**(fields | {"today": date.fromisoformat(fields["today"])}))
    read_and_preview(services, client, job, text=payload.get("text"), file_id=payload.get("file_id"))


def read_and_preview(
    services: Services, client: WebClient, job: Job, *, text: str | None = None, file_id: str | None = None
) -> None:
    """After the ack: read the lines, check every rule, keep the preview and show it."""
    t = Translator(job.language, services.settings.timezone)
    if file_id is not None:
        try:
            info = document_flow.file_info(client, file_id)
            url = info.get("url_private_download") or info.get("url_private")
            content = document_flow.download(
                str(url), services.settings.slack_bot_token or "", MAX_SHEET_BYTES
            )
            sheet = planning_sheet.read(str(info.get("name") or ""), content)
        except (document_flow.FetchFailed, planning_sheet.SheetError) as error:
            key = error.key if isinstance(error, planning_sheet.SheetError) else "planning.sheet.fetch_failed"
            tell(client, job.channel, t(key))
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
    tell(client, job.channel, fallback, blocks)


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


# --- submitting and the supervisor's review (bot.flows.review) -------------------------------------------


def submit(
    services: Services,
    client: WebClient,
    session: Session,
    t: Translator,
    actor: Actor,
    placement: placements.Placement,
    today: date,
    now: datetime,
) -> str:
    """Submit the placement's draft and ask its reviewer; the answer for the student (sent to whom, or
    what still stands in the way: then nothing changed)."""
    try:
        version, problems = planning.submit(
            session, services.catalogue, actor.person_id, placement, now=now, today=today
        )
    except PlanningError as error:
        return t(error.key, **error.params)
    if problems:
        listed = dict.fromkeys(f"• {views.problem_text(t, p)}" for p in problems)
        return t("planning.submit.refused") + "\n" + "\n".join(listed)
    reviewers = review.ask(services, client, session, REVIEW, version)
    if not reviewers:
        session.rollback()
        return t("planning.submit.no_supervisor")
    key = "planning.submit.sent_late" if version.late else "planning.submit.sent"
    return t(key, supervisor=f"<@{reviewers[0].slack_user_id}>")


class PlanningReview:
    """A submitted planning version, reviewed by the course's supervisor."""

    name = "planning"
    wire = views.REVIEW_WIRE
    closed_errors: tuple[type[Exception], ...] = ()

    def load(self, session: Session, value: str) -> PlanningVersion | None:
        return session.get(PlanningVersion, int(value)) if value.isdigit() else None

    def value_of(self, record: PlanningVersion) -> str:
        return str(record.id)

    def student_id(self, record: PlanningVersion) -> int:
        return record.student_id

    def may_decide(self, session: Session, actor: Actor, record: PlanningVersion) -> bool:
        return may_review(session, actor, record.student_id)

    def state(self, session: Session, record: PlanningVersion) -> review.State:
        if record.status == VersionStatus.SUBMITTED:
            return review.State(open=True)
        decided = (VersionStatus.APPROVED, VersionStatus.CHANGES_REQUESTED, VersionStatus.SUPERSEDED)
        if record.decided_at is not None and record.status in decided:
            approved = record.status != VersionStatus.CHANGES_REQUESTED
            return review.State(False, approved, record.decided_by_id, record.decided_at, record.reason)
        return review.State(open=False, closed="decision.closed")

    def reviewers(self, services: Services, session: Session, record: PlanningVersion) -> list[Person]:
        placement = session.get_one(placements.Placement, record.placement_id)
        reviewer = planning.reviewer_of(session, services.catalogue, placement)
        return [reviewer] if reviewer is not None else []

    def message(
        self, services: Services, session: Session, record: PlanningVersion, t: Translator
    ) -> tuple[str, list[Block]]:
        """The whole version as the supervisor reads it, rebuilt from the data."""
        catalogue = services.catalogue
        placement = session.get_one(placements.Placement, record.placement_id)
        student = session.get_one(Person, record.student_id)
        school = placements.institutions(session, [placement.institution_id]).get(placement.institution_id)
        lessons = planning.lessons_of(session, [record.id or 0])[record.id or 0]
        required = planning.required_hours(catalogue, placement)
        blocks = views.review_message(
            t, catalogue, student.slack_user_id, placement, school, record, lessons, required
        )
        return t("planning.review.text"), blocks

    def reason_intro(self, t: Translator, session: Session, record: PlanningVersion) -> str | None:
        return None

    def decide(self, record: PlanningVersion, verdict: review.Verdict) -> None:
        if not planning.decide(
            verdict.session, verdict.services.catalogue, record, approve=verdict.approved,
            actor_id=verdict.actor_id, now=verdict.at, reason=verdict.reason,
        ):  # fmt: skip
            raise review.Closed

    def follow_up(self, record: PlanningVersion, verdict: review.Verdict) -> None:
        """Steps 7 and 8 recorded; the decision in the student's DM, then "you may start" for each placement
        it cleared."""
        services, session, client = verdict.services, verdict.session, verdict.client
        starts = start_notice.refresh(session, services, record.student_id, verdict.at, steps_3_to_6=False)
        student = session.get_one(Person, record.student_id)
        placement = session.get_one(placements.Placement, record.placement_id)
        t = person_translator(student, services.settings.timezone)
        course = course_name(t, services.catalogue, placement.course_code)
        if verdict.approved:
            text = t("planning.decision.approved", course=course)
        else:
            text = t("planning.decision.changes", course=course, reason=escape(record.reason or ""))
        send_dm(client, student.slack_user_id, text, [section(text)])
        start_notice.send(client, starts)


REVIEW = PlanningReview()
