"""`/stage problem TEXT` (probleem): a student tells the placement coordinator, with their context.

The report is stored first; the coordinator's DM is sent after. If Slack refuses the DM, the report stays
stored as not yet delivered and the student is told so honestly.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.i18n import translator
from bot.notifier import send_dm
from bot.views.blocks import section
from bot.views.problem import coordinator_message
from handlers.commands.registry import Invocation, Reply, reply
from models import problems, progress
from models.people import Role, Student, people_with_role, supervisors_of

logger = logging.getLogger(__name__)


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session, actor = scope.t, scope.session, scope.actor
    text = invocation.args.strip()
    if not text:
        message = t("problem.usage")
        return reply([section(message)], message)
    if len(text) > problems.MAX_PROBLEM_LENGTH:
        message = t("problem.too_long", max=problems.MAX_PROBLEM_LENGTH, length=len(text))
        return reply([section(message)], message)
    problem = problems.report(session, actor.person_id, text, scope.now)
    session.commit()
    coordinators = people_with_role(session, Role.COORDINATOR)
    if not coordinators:
        message = t("problem.no_coordinator")
        return reply([section(message)], message)
    student = session.get_one(Student, actor.person_id)
    summary = progress.summaries(session, [actor.person_id])[0]
    supervisors = list(supervisors_of(session, actor.person_id).values())
    delivered = []
    for coordinator in coordinators:
        ct = translator(coordinator.language, coordinator.slack_locale, scope.services.settings.timezone)
        blocks, fallback = coordinator_message(ct, actor.slack_user_id, student, summary, supervisors, text)
        try:
            send_dm(invocation.client, coordinator.slack_user_id, fallback, blocks)
        except SlackApiError as error:
            logger.warning("problem %s: DM to %s failed: %s", problem.id, coordinator.slack_user_id, error)
            continue
        delivered.append(coordinator)
    if not delivered:
        message = t("problem.not_delivered")
        return reply([section(message)], message)
    assert problem.id is not None
    problems.mark_notified(session, problem.id, scope.now)
    names = ", ".join(f"<@{c.slack_user_id}>" for c in delivered)
    message = t("problem.sent", coordinators=names)
    return reply([section(message)], message)
