"""Step 8's "you may start": decided from the data whenever something it depends on changes (the planning
approved, a placement made or withdrawn, an agreement signed, an LIO exemption), and sent once per
placement, on its own, as soon as the change is committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views.blocks import section
from bot.views.placements import course_name, school_name
from models import placement_steps, placements, planning
from models.people import Person

logger = logging.getLogger(__name__)


def texts(
    session: Session, services: Services, t: Translator, cleared: list[placements.Placement]
) -> list[str]:
    """One message per cleared placement, with the reminder to hand the evaluation forms to the mentor."""
    schools = placements.institutions(session, [p.institution_id for p in cleared])
    return [
        t(
            "planning.may_start",
            course=course_name(t, services.catalogue, p.course_code),
            school=school_name(schools.get(p.institution_id)),
        )
        for p in cleared
    ]


def clear_starts(services: Services, client: WebClient, student_id: int) -> None:
    """For other features (a placement approved, an agreement signed): record steps 7 and 8 again from the
    data and tell the student "you may start" for each placement it cleared. Opens its own session."""
    with services.db.session() as session:
        student = session.get(Person, student_id)
        if student is None:
            return
        cleared = planning.record_steps(session, services.catalogue, student_id, services.clock.now())
        found = texts(session, services, person_translator(student, services.settings.timezone), cleared)
        slack_id = student.slack_user_id
    for text in found:
        try:
            send_dm(client, slack_id, text, [section(text)])
        except SlackApiError:  # the gate is recorded; the checklist says the same
            continue


@dataclass(frozen=True)
class Notice:
    slack_user_id: str
    text: str


def refresh(
    session: Session,
    services: Services,
    student_id: int,
    now: datetime,
    *,
    steps_3_to_6: bool = True,
) -> list[Notice]:
    """For a listener whose transaction changed something step 8 depends on: record the student's steps
    (3 to 6 unless the caller did, then 7 and 8) in that transaction; returns "you may start" for each
    placement it cleared, for the caller to `send` after the commit (after its own messages)."""
    student = session.get(Person, student_id)
    if student is None:
        return []
    if steps_3_to_6:
        placement_steps.refresh(session, services.catalogue, student_id, now)
    cleared = planning.record_steps(session, services.catalogue, student_id, now)
    if not cleared:
        return []
    found = texts(session, services, person_translator(student, services.settings.timezone), cleared)
    return [Notice(student.slack_user_id, text) for text in found]


def send(client: WebClient, notices: list[Notice]) -> None:
    for notice in notices:
        try:
            send_dm(client, notice.slack_user_id, notice.text, [section(notice.text)])
        except SlackApiError as error:  # the gate is recorded; the checklist says the same
            logger.warning("could not tell %s they may start: %s", notice.slack_user_id, error)
