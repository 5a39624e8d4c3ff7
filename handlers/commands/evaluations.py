"""`/stage evaluations` (evaluaties): the mentors' evaluations of a supervisor's students still open (the
coordinator: everyone's), each with "send the link again"."""

from __future__ import annotations

from bot.flows import evaluations as evaluation_flow
from handlers.commands.registry import Invocation, Reply, reply


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    blocks = evaluation_flow.overview(scope.session, scope.services, scope.t, scope.actor, scope.now)
    return reply(blocks, scope.t("evaluation.overview.text"))
