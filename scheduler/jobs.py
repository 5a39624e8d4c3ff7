"""The scheduler's jobs. Each is a plain function of (services, client, now) so tests can call it directly."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.problem_delivery import deliver
from bot.services import Services
from models import problems

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
