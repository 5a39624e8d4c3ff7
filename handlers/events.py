"""Events: the App Home shows the caller's status whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.middleware import request_scope
from bot.status.answer import status_blocks
from bot.views.home import home_view


def publish_home(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    if event.get("tab") not in (None, "home"):
        return
    with request_scope(context) as scope:
        view = home_view(scope.t, status_blocks(scope))
    client.views_publish(user_id=scope.actor.slack_user_id, view=view)


def answer_other_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """A DM no conversation took: a short pointer to the help, so no message goes unanswered.

    Registered last; other message events (edits, channel messages) are acknowledged and left alone.
    """
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    with request_scope(context) as scope:
        text = scope.t("events.unknown_message")
    client.chat_postMessage(channel=event["channel"], text=text)


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def register_fallbacks(app: App) -> None:
    """After every feature's own message listeners: the first matching listener wins."""
    app.event("message")(answer_other_message)
