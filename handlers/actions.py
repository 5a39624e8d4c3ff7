"""Buttons: paging through the status overview (in a message or in the App Home)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.middleware import request_scope
from bot.status import status_blocks
from bot.views.home import home_view
from bot.views.status import PAGE_ACTION


def page_status(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """The offset comes from the button; what may be seen is decided again from who clicked."""
    ack()
    try:
        offset = max(0, int(action.get("value", "0")))
    except ValueError:
        offset = 0
    with request_scope(context) as scope:
        blocks = status_blocks(scope, offset)
    if body.get("container", {}).get("type") == "view":
        client.views_publish(user_id=scope.actor.slack_user_id, view=home_view(scope.t, blocks))
    else:
        respond(replace_original=True, text=scope.t("status.text"), blocks=blocks)


def register(app: App) -> None:
    app.action(re.compile(f"^{PAGE_ACTION}_(previous|next)$"))(page_status)
