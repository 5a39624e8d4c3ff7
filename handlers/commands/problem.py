"""`/stage problem TEXT` (probleem): a student tells the placement coordinator, with their context.

The report is stored (and committed) first; the coordinators' DMs are sent after. If Slack refuses them,
the report stays stored as not yet delivered, the scheduler retries, and the student is told so honestly.
"""

from __future__ import annotations

from bot.flows.problems import deliver
from bot.views.blocks import mention, section
from handlers.commands.registry import Invocation, Reply, reply
from models import problems
from models.people import Role, people_with_role


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session = scope.t, scope.session
    text = invocation.args.strip()
    if not text:
        message = t("problem.usage")
    elif len(text) > problems.MAX_PROBLEM_LENGTH:
        message = t("problem.too_long", max=problems.MAX_PROBLEM_LENGTH, length=len(text))
    else:
        problem = problems.report(session, scope.actor.person_id, text, scope.now)
        session.commit()
        if not people_with_role(session, Role.COORDINATOR):
            message = t("problem.no_coordinator")
        elif delivered := deliver(
            invocation.client, session, problem, scope.services.settings.timezone, scope.now
        ):
            message = t("problem.sent", coordinators=", ".join(mention(c.slack_user_id) for c in delivered))
        else:
            message = t("problem.not_delivered")
    return reply([section(message)], message)
