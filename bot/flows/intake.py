"""The DMs that follow an intake change, queued in the outbox (with their own session) once it is stored:
the offer of free slots, the confirmation with its `.ics` invite, and the notices of a cancellation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, col, select

from bot.delivery.notifier import send_dm
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import intake as views
from bot.views.calendar import intake_event, send_invite
from models import intake
from models.people import Person, Student, supervised_by

logger = logging.getLogger(__name__)


def supervisors_by_id(session: Session, slots: list[intake.IntakeSlot]) -> dict[int, Person]:
    ids = {s.supervisor_id for s in slots}
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))) if p.id is not None}


def offer_to_students(services: Services, client: WebClient, supervisor_id: int) -> int:
    """After a publication: each of the supervisor's students without a booking gets their free slots."""
    sent = 0
    with services.db.session() as session:
        now = services.clock.now()
        students = session.exec(
            select(Person)
            .join(Student, col(Student.person_id) == col(Person.id))
            .where(supervised_by(supervisor_id))
            .where(~col(Person.id).in_(select(intake.IntakeBooking.student_id)))
            .order_by(Person.name)
        ).all()
        for student in students:
            assert student.id is not None
            slots = intake.free_slots(session, student.id, now)
            if not slots:
                continue
            t = person_translator(student, services.settings.timezone)
            blocks = views.offer_blocks(t, slots, supervisors_by_id(session, slots), t("intake.offer.intro"))
            try:
                send_dm(client, student.slack_user_id, t("intake.offer.text"), blocks)
                sent += 1
            except SlackApiError as error:
                logger.warning(
                    "intake offer to %s refused: %s", student.slack_user_id, error.response.get("error")
                )
    return sent


def _invite(
    t: Translator,
    booked: intake.Booked,
    now: datetime,
    *,
    cancelled: bool = False,
    sequence: int | None = None,
) -> bytes:
    slot = booked.slot
    return intake_event(
        booking_id=booked.booking.id or 0,
        sequence=booked.booking.sequence if sequence is None else sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=t("intake.invite.summary", student=booked.student.name, supervisor=booked.supervisor.name),
        description=t("intake.invite.description"),
        place=slot.place,
        stamp=now,
        cancelled=cancelled,
    )


def confirm_booking(services: Services, client: WebClient, booking_id: int, moved: bool) -> None:
    """Both people get the confirmation with the invite; the supervisor's has the "held" button."""
    with services.db.session() as session:
        booked = intake.booking(session, booking_id)
        if booked is None:
            return
        now = services.clock.now()
        t_student, t_supervisor = (
            person_translator(booked.student, services.settings.timezone),
            person_translator(booked.supervisor, services.settings.timezone),
        )
        key = "intake.supervisor.moved" if moved else "intake.supervisor.booked"
        try:
            send_invite(
                client,
                booked.student.slack_user_id,
                _invite(t_student, booked, now),
                t_student("intake.invite.title"),
                t_student(
                    "intake.invite.comment",
                    when=views.when_text(t_student, booked.slot.starts_at, booked.slot.ends_at),
                ),
            )
            send_dm(
                client,
                booked.supervisor.slack_user_id,
                t_supervisor(
                    key,
                    who=booked.student.name,
                    when=views.when_text(t_supervisor, booked.slot.starts_at, booked.slot.ends_at),
                ),
                views.supervisor_booking_blocks(t_supervisor, booked, key),
            )
            send_invite(
                client,
                booked.supervisor.slack_user_id,
                _invite(t_supervisor, booked, now),
                t_supervisor("intake.invite.title"),
                t_supervisor(
                    "intake.invite.comment",
                    when=views.when_text(t_supervisor, booked.slot.starts_at, booked.slot.ends_at),
                ),
            )
        except SlackApiError as error:
            logger.warning(
                "intake confirmation %s not delivered: %s", booking_id, error.response.get("error")
            )


@dataclass(frozen=True)
class Cancelled:
    """What a cancelled booking was, kept before its row is gone."""

    booked: intake.Booked
    by_supervisor: bool


def announce_cancellation(services: Services, client: WebClient, cancelled: Cancelled) -> None:
    """The other side is told, and both get a cancelling `.ics`; a student whose slot was withdrawn gets
    the free slots that remain."""
    booked, now = cancelled.booked, services.clock.now()
    with services.db.session() as session:
        student, supervisor = booked.student, booked.supervisor
        t_student, t_supervisor = (
            person_translator(student, services.settings.timezone),
            person_translator(supervisor, services.settings.timezone),
        )
        when_student = views.when_text(t_student, booked.slot.starts_at, booked.slot.ends_at)
        sequence = booked.booking.sequence + 1
        try:
            if cancelled.by_supervisor:
                assert student.id is not None
                slots = intake.free_slots(session, student.id, now)
                intro = t_student(
                    "intake.cancelled_by_supervisor",
                    who=views.mention(supervisor.slack_user_id),
                    when=when_student,
                )
                blocks = views.offer_blocks(t_student, slots, supervisors_by_id(session, slots), intro)
                send_dm(client, student.slack_user_id, intro, blocks)
            else:
                when = views.when_text(t_supervisor, booked.slot.starts_at, booked.slot.ends_at)
                send_dm(
                    client,
                    supervisor.slack_user_id,
                    t_supervisor("intake.supervisor.cancelled", who=student.name, when=when),
                )
            for person, t in ((student, t_student), (supervisor, t_supervisor)):
                content = _invite(t, booked, now, cancelled=True, sequence=sequence)
                send_invite(
                    client,
                    person.slack_user_id,
                    content,
                    t("intake.invite.cancel_title"),
                    t("intake.invite.cancel_comment"),
                )
        except SlackApiError as error:
            logger.warning("intake cancellation not delivered: %s", error.response.get("error"))
