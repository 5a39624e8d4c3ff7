"""Telling the coordinators about a problem; used by `/stage problem`, retried by the scheduler."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.i18n import person_translator
from bot.views.problem import coordinator_message
from models import problems, progress
from models.people import Person, Role, Student, people_with_role, supervisors_of

logger = logging.getLogger(__name__)


def deliver(
    client: WebClient, session: Session, problem: problems.Problem, timezone: str, now: datetime
) -> list[Person]:
    """DM every coordinator; the problem counts as delivered once at least one of them got it."""
    coordinators = people_with_role(session, Role.COORDINATOR)
    student = session.get(Student, problem.student_id)
    person = session.get(Person, problem.student_id)
    if not coordinators or student is None or person is None:
        return []
    summary = progress.summaries(session, [problem.student_id])[0]
    supervisors = list({p.id: p for p in supervisors_of(session, problem.student_id).values()}.values())
    delivered = []
    for coordinator in coordinators:
        t = person_translator(coordinator, timezone)
        blocks, fallback = coordinator_message(
            t, person.slack_user_id, student, summary, supervisors, problem.text
        )
        try:
            send_dm(client, coordinator.slack_user_id, fallback, blocks)
        except SlackApiError as error:
            logger.warning("problem %s: DM to %s failed: %s", problem.id, coordinator.slack_user_id, error)
            continue
        delivered.append(coordinator)
    if delivered:
        assert problem.id is not None
        problems.mark_notified(session, problem.id, now)
    return delivered
