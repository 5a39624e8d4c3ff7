"""The scheduler's jobs. Each is a plain function of (services, client, now) so tests can call it directly."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import select

from bot.flows import documents as document_flow
from bot.flows import evaluations as evaluation_flow
from bot.flows import hours as hours_flow
from bot.flows import lio as lio_review
from bot.flows.problems import deliver
from bot.services import Services
from models import problems
from models.documents import Document, DocumentStatus

logger = logging.getLogger(__name__)


def deliver_pending_problems(services: Services, client: WebClient, now: datetime) -> int:
    """Problems whose DM Slack refused earlier: try again; returns how many got through."""
    delivered = 0
    with services.db.session() as session:
        for problem in problems.unnotified(session):
            if deliver(client, session, problem, services.settings.timezone, now):
                delivered += 1
                session.commit()
    if delivered:
        logger.info("delivered %d pending problem report(s)", delivered)
    return delivered


def deliver_pending_reviews(services: Services, client: WebClient, now: datetime) -> int:
    """Documents waiting for review whose review DM never reached anyone (Slack refused it, or they were
    stored without Slack): post them now; returns how many."""
    with services.db.session() as session:
        waiting = session.exec(
            select(Document).where(Document.status == DocumentStatus.AWAITING_REVIEW.value)
        )
        pending = [d.id for d in waiting if not d.review_messages and d.id is not None]
    for document_id in pending:
        document_flow.to_review(services, client, document_id, None, tell_student=False)
    if pending:
        logger.info("posted %d pending review message(s)", len(pending))
    return len(pending)


def deliver_pending_lio_reviews(services: Services, client: WebClient, now: datetime) -> int:
    """Open LIO and reduction requests whose review DM reached no counsellor: post them now."""
    asked = lio_review.ask_pending(services, client, now)
    if asked:
        logger.info("asked the counsellors about %d open LIO request(s)", asked)
    return asked


def ask_extract_renewals(services: Services, client: WebClient, now: datetime) -> int:
    """Approved criminal-record extracts that run out before the internships end: ask a newer one, once."""
    return document_flow.ask_renewals(services, client, now)


def evaluations(services: Services, client: WebClient, now: datetime) -> int:
    """Mentors still to be mailed their evaluation form, and submitted evaluations no supervisor saw yet."""
    return evaluation_flow.invite_pending(services, client, now)


def ask_about_lesson_days(services: Services, client: WebClient, now: datetime) -> int:
    """After each lesson day of an approved planning: the student's DM with the day's lessons, once."""
    return hours_flow.ask_lesson_days(services, client, now)


def ask_hours_confirmations(services: Services, client: WebClient, now: datetime) -> int:
    """Each week of logged hours that ended: to the supervisor to confirm, once."""
    asked = hours_flow.ask_confirmations(services, client, now)
    if asked:
        logger.info("asked to confirm %d week(s) of hours", asked)
    return asked
