"""The supervisor's "send the link again" beside an open evaluation (`/stage evaluations`); the review
buttons of a submitted evaluation are handlers/review.py's, as for every kind of review."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.flows import evaluations as evaluation_flow
from bot.middleware import request_scope
from bot.views import evaluations as views


def resend(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        text = evaluation_flow.resend_for(
            scope.session, scope.services, scope.t, scope.actor, str(action.get("value") or ""), scope.now
        )
    respond(response_type="ephemeral", replace_original=False, text=text)


def register(app: App) -> None:
    app.action(views.RESEND_ACTION)(resend)
