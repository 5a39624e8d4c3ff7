"""`/stage lio`: a student applies for (or updates) the LIO track, or asks for an internship reduction
(`/stage lio reduction`); the counsellor and the coordinator get the overview (`/stage lio overview`)."""

from __future__ import annotations

from bot.status import lio as lio_details
from bot.views import lio as views
from bot.views.blocks import section
from handlers import lio as listeners
from handlers.commands.registry import Invocation, Reply, reply
from models.access import may_see_lio_overview

OVERVIEW_WORDS = ("overview", "overzicht")
REDUCTION_WORDS = ("reduction", "vermindering", "stagevermindering")


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, actor = scope.t, scope.actor
    word = invocation.args.split()[0].lower() if invocation.args.split() else ""
    if word in OVERVIEW_WORDS or (not word and not actor.is_student):
        if not may_see_lio_overview(actor):
            return reply([section(t("lio.overview.not_allowed"))], t("lio.overview.not_allowed"))
        return _overview(invocation)
    if not actor.is_student or word not in ("", *REDUCTION_WORDS):
        return reply([section(t("lio.usage"))], t("lio.usage"))
    if not invocation.trigger_id:
        return reply([section(t("lio.needs_modal"))], t("lio.needs_modal"))
    if word in REDUCTION_WORDS:
        refusal = listeners.reduction_refusal(scope)
        if refusal is not None:
            return reply([section(refusal)], refusal)
        subjects = listeners.reduction_subjects(scope.session, actor.person_id)
        invocation.client.views_open(
            trigger_id=invocation.trigger_id, view=views.reduction_modal(t, subjects)
        )
        return {}
    listeners.open_apply_modal(scope, invocation.client, invocation.trigger_id)
    return {}


def _overview(invocation: Invocation) -> Reply:
    scope = invocation.scope
    blocks = lio_details.overview(scope.session, scope.t, scope.actor)
    return reply(blocks, scope.t("lio.overview.text"))
