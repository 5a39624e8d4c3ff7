"""Step 8's "you may start": decided from the data whenever something it depends on changes (the planning
approved, a placement approved, an agreement signed), and sent once per placement."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.document_flow import person_translator
from bot.i18n import Translator
from bot.notifier import send_dm
from bot.services import Services
from bot.views.blocks import section
from bot.views.placements import course_name, school_name
from models import placements, planning
from models.people import Person


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
        found = texts(session, services, person_translator(student, services), cleared)
        slack_id = student.slack_user_id
    for text in found:
        try:
            send_dm(client, slack_id, text, [section(text)])
        except SlackApiError:  # the gate is recorded; the checklist says the same
            continue
