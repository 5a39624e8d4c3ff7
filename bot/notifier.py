"""Direct messages from the bot; a message counts as sent only once Slack accepted it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


def send_dm(
    client: WebClient, slack_user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> str:
    """Post in the bot's DM with the user; returns the message ts. Raises SlackApiError when Slack refuses."""
    channel = client.conversations_open(users=slack_user_id)["channel"]["id"]
    response = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return str(response["ts"])
