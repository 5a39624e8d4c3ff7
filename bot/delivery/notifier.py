"""Direct messages from the bot; a message counts as sent only once Slack accepted it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


def send_dm(
    client: WebClient, slack_user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> str:
    """Post in the bot's DM with the user (to the user id: Slack finds the DM; no conversations.open).
    Through the outbox the answer is at once and the ts is the row's placeholder until it is sent."""
    response = client.chat_postMessage(channel=slack_user_id, text=text, blocks=blocks)
    return str(response["ts"])
