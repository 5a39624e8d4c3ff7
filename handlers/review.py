"""The reviewers' buttons, for every kind of review (bot/flows/review.py): Approve, Send back (which asks
the reason in a modal) and the reason's submission. Each kind keeps its own action ids and values."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.flows import review
from bot.flows.registry import REVIEWS
from bot.middleware import request_scope
from bot.views.decision import REASON_BLOCK, REASON_INPUT
from handlers.values import too_long, typed

logger = logging.getLogger(__name__)


def approve(context: BoltContext, kind: review.ReviewKind, value: str) -> str | None:
    """Approve in the request's transaction; the refusal text for the clicker, if any."""
    with request_scope(context) as scope:
        return review.decide(
            scope.services, context.client, scope.session, scope.t, scope.actor, kind, value,
            approved=True, reason=None, now=scope.now,
        )  # fmt: skip


def on_approve(kind: review.ReviewKind) -> Any:
    def listener(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        refusal = approve(context, kind, str(action.get("value") or ""))
        if refusal is not None:
            respond(replace_original=False, response_type="ephemeral", text=refusal)

    return listener


def on_send_back(kind: review.ReviewKind) -> Any:
    """Ask the reason in a modal; who may decide is checked now and again on submission."""

    def listener(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with request_scope(context) as scope:
            record, refusal = review.check(
                scope.t, scope.session, scope.actor, kind, str(action.get("value") or ""), "reject",
                scope.now,
            )  # fmt: skip
            modal = review.reason_modal(scope.t, scope.session, kind, record) if record is not None else None
        if modal is None:
            respond(replace_original=False, response_type="ephemeral", text=refusal or "")
            return
        context.client.views_open(trigger_id=body["trigger_id"], view=modal)

    return listener


def on_reason(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """The reason, then the decision; the modal stays open with what stands in the way: an empty or too
    long reason, or someone who decided meanwhile (nothing changes then)."""
    values = view.get("state", {}).get("values", {})
    reason = typed(((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value"))
    name, _, value = str(view.get("private_metadata") or "").partition("|")
    kind = next((k for k in REVIEWS if k.name == name), None)
    with request_scope(context) as scope:
        if kind is None:
            ack()
            return
        needed = scope.t(kind.wire.key("reason_needed"))
        problem = too_long(scope.t, reason, kind.wire.max_reason) if reason else needed
        if problem is None:
            problem = review.decide(
                scope.services, context.client, scope.session, scope.t, scope.actor, kind, value,
                approved=False, reason=reason, now=scope.now,
            )  # fmt: skip
        if problem is not None:
            ack(response_action="errors", errors={REASON_BLOCK: problem})
            return
        ack()


def register(app: App) -> None:
    for kind in REVIEWS:
        app.action(kind.wire.approve_action)(on_approve(kind))
        app.action(kind.wire.send_back_action)(on_send_back(kind))
        app.view(kind.wire.reason_callback)(on_reason)
