"""`/stage match propose` (matchen voorstellen): a proposed placement for the caller's students (the
coordinator: the cohort), solved after the ack and sent as a DM to review."""

from __future__ import annotations

from bot.flows.matching import propose_later
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from models.access import runs_the_cohort

PROPOSE_WORDS = ("propose", "voorstel", "voorstellen")


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t = scope.t
    word = invocation.args.split()[0].lower() if invocation.args.split() else ""
    if word not in PROPOSE_WORDS:
        text = t("matching.usage")
        return reply([section(text)], text)
    cohort = runs_the_cohort(scope.actor)
    propose_later(scope, invocation.client, scope.actor.person_id, cohort, [])
    text = t("matching.started_cohort") if cohort else t("matching.started")
    return reply([section(text)], text)
