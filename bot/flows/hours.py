"""Hours between Slack and the models: the DM after each lesson day, the weekly confirmation (a kind of
the one review, bot/flows/review.py) and what follows it. The scheduler calls `ask_lesson_days` and
`ask_confirmations` each tick; both are keyed so nothing goes out twice."""

from __future__ import annotations

import logging
from datetime import date, datetime

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.delivery.notifier import send_dm
from bot.delivery.outbox import bound, wall_now
from bot.flows import review
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import hours as views
from bot.views.blocks import Block
from models import hours, outbox, placements
from models.access import may_review
from models.hours import ConfirmationState, HoursConfirmation, HoursEntry
from models.people import Actor, Person, supervisors_of
from models.planning import PlannedLesson, PlanningVersion, VersionStatus

logger = logging.getLogger(__name__)


def local_now(services: Services, now: datetime) -> datetime:
    return now.astimezone(Translator(timezone=services.settings.timezone).tz)


# --- the lesson-day DM ----------------------------------------------------------------------------------


def day_lessons(session: Session, student_id: int, day: date) -> list[PlannedLesson]:
    """The student's approved lessons of one day (one query)."""
    return list(
        session.exec(
            select(PlannedLesson)
            .join(PlanningVersion, PlanningVersion.id == PlannedLesson.version_id)  # type: ignore[arg-type]
            .where(PlanningVersion.student_id == student_id)
            .where(PlanningVersion.status == VersionStatus.APPROVED.value)
            .where(PlannedLesson.day == day)
            .order_by(col(PlannedLesson.start))
        )
    )


def draw_day(session: Session, t: Translator, student_id: int, day: date) -> tuple[str, list[Block]]:
    """The lesson-day DM as the data stand now (the answers given, what is confirmed)."""
    lessons = day_lessons(session, student_id, day)
    placement_of = {
        v.id: v.placement_id
        for v in session.exec(
            select(PlanningVersion).where(col(PlanningVersion.id).in_({x.version_id for x in lessons}))
        )
    } if lessons else {}  # fmt: skip
    keys = {x.id or 0: hours.lesson_key(placement_of.get(x.version_id, 0), x.day, x.start) for x in lessons}
    found = hours.entries_by_key(session, list(keys.values()))
    ids = {e.confirmation_id for e in found.values() if e.confirmation_id is not None}
    states = (
        dict(
            session.exec(
                select(HoursConfirmation.id, HoursConfirmation.state).where(
                    col(HoursConfirmation.id).in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    answers = {}
    for lesson_id, key in keys.items():
        entry = found.get(key)
        answers[lesson_id] = (
            entry,
            states.get(entry.confirmation_id) if entry and entry.confirmation_id else None,
        )
    return views.lesson_day(t, day, lessons, answers)


def ask_lesson_days(services: Services, client: WebClient, now: datetime) -> int:
    """One DM per student and lesson day once its last lesson ended: an outbox row written with the
    day's notice in one transaction (a second scheduler or a replayed tick finds the notice)."""
    local = local_now(services, now)
    queued = 0
    with services.db.session() as session:
        due = hours.lesson_days_due(session, local.date(), local.time().replace(tzinfo=None))
        if not due:
            return 0
        people = {
            p.id: p
            for p in session.exec(select(Person).where(col(Person.id).in_({d.student_id for d in due})))
        }
        for day in due:
            student = people.get(day.student_id)
            if student is None or not hours.mark_asked(session, day.student_id, day.day, now):
                continue
            t = person_translator(student, services.settings.timezone)
            text, blocks = draw_day(session, t, day.student_id, day.day)
            payload = {"channel": student.slack_user_id, "text": text, "blocks": blocks}
            key = f"hours.day:{day.student_id}:{day.day.isoformat()}"
            if outbox.enqueue(session, key, student.slack_user_id, "chat.postMessage", payload, wall_now()):
                queued += 1
        session.commit()
    if queued:
        services.outbox.kick()
        logger.info("asked about %d lesson day(s)", queued)
    return queued


# --- the weekly confirmation (the one review) -----------------------------------------------------------


def ask_confirmations(services: Services, client: WebClient, now: datetime) -> int:
    """Each student's counted hours of a week that ended go to their supervisor once, as one review."""
    today = local_now(services, now).date()
    asked = 0
    with services.db.session() as session:
        weeks = hours.weeks_to_confirm(session, today)
        for (student_id, week_start), entries in weeks.items():
            with bound(client, session):
                record = hours.open_confirmation(session, student_id, week_start, entries, now)
                if not review.ask(services, client, session, REVIEW, record):
                    session.rollback()  # no supervisor yet: asked again once there is one
                    continue
                session.commit()
            asked += 1
    return asked


def resubmit(
    services: Services,
    client: WebClient,
    session: Session,
    t: Translator,
    actor: Actor,
    value: str,
    now: datetime,
) -> str:
    """The student's corrected week, to be confirmed again; the answer for the student."""
    try:
        record = hours.resubmit(session, actor.person_id, int(value) if value.isdigit() else 0, now)
    except hours.HoursError as error:
        return t(error.key, **error.params)
    reviewers = review.ask(services, client, session, REVIEW, record)
    if not reviewers:
        session.rollback()
        return t("hours.error.no_supervisor")
    return t("hours.resubmitted", supervisor=f"<@{reviewers[0].slack_user_id}>")


class HoursReview:
    """A student's hours of one week, confirmed by their supervisor (the mentor's link page, later, decides
    the same record: `by_id` or `mentor_link_id`)."""

    name = "hours"
    wire = views.REVIEW_WIRE
    closed_errors: tuple[type[Exception], ...] = ()

    def load(self, session: Session, value: str) -> HoursConfirmation | None:
        return session.get(HoursConfirmation, int(value)) if value.isdigit() else None

    def value_of(self, record: HoursConfirmation) -> str:
        return str(record.id)

    def student_id(self, record: HoursConfirmation) -> int:
        return record.student_id

    def may_decide(self, session: Session, actor: Actor, record: HoursConfirmation) -> bool:
        return may_review(session, actor, record.student_id)

    def state(self, session: Session, record: HoursConfirmation) -> review.State:
        if record.state == ConfirmationState.OPEN:
            return review.State(open=True)
        if record.decided_at is not None:
            approved = record.state == ConfirmationState.CONFIRMED
            return review.State(False, approved, record.by_id, record.decided_at, record.reason)
        return review.State(open=False, closed="decision.closed")

    def reviewers(self, services: Services, session: Session, record: HoursConfirmation) -> list[Person]:
        found = supervisors_of(session, record.student_id)
        ordered = [found[k] for k in ("general", "x", "y") if k in found]
        return list({p.id: p for p in ordered}.values())[:1]

    def message(
        self, services: Services, session: Session, record: HoursConfirmation, t: Translator
    ) -> tuple[str, list[Block]]:
        student = session.get_one(Person, record.student_id)
        return views.confirmation_message(
            t, student.slack_user_id, record, hours.entries_of(session, record.id or 0)
        )

    def reason_intro(self, t: Translator, session: Session, record: HoursConfirmation) -> str | None:
        return t("hours.send_back.intro", week=t.date(record.week_start, "d MMM yyyy"))

    def decide(self, record: HoursConfirmation, verdict: review.Verdict) -> None:
        if not hours.decide(
            verdict.session, record, approve=verdict.approved, actor_id=verdict.actor_id, now=verdict.at,
            reason=verdict.reason,
        ):  # fmt: skip
            raise review.Closed

    def follow_up(self, record: HoursConfirmation, verdict: review.Verdict) -> None:
        """The student hears it: confirmed, or the correction asked with the supervisor's note."""
        services, session, client = verdict.services, verdict.session, verdict.client
        student = session.get_one(Person, record.student_id)
        t = person_translator(student, services.settings.timezone)
        if verdict.approved:
            text = t("hours.decision.confirmed", week=t.date(record.week_start, "d MMM yyyy"))
            send_dm(client, student.slack_user_id, text)
            return
        text, blocks = views.sent_back(t, record, record.reason or "")
        send_dm(client, student.slack_user_id, text, blocks)


REVIEW = HoursReview()


def placement_of_lesson(session: Session, version: PlanningVersion) -> placements.Placement:
    return session.get_one(placements.Placement, version.placement_id)


def entries_for(session: Session, student_id: int) -> list[HoursEntry]:
    return list(
        session.exec(
            select(HoursEntry).where(HoursEntry.student_id == student_id).order_by(col(HoursEntry.day))
        )
    )
