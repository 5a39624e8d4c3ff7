"""The one place an unexpected failure of a listener ends: logged with a short reference, and the person
told politely, in their language, that nothing changed (never the exception itself)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk.errors import SlackApiError

from bot import logs
from bot.delivery.outbox import DeferredClient
from bot.i18n import Translator, translator

logger = logging.getLogger("stagebot.errors")


def _slack_unreachable(error: Exception) -> bool:
    """A modal that could not open: Slack refused, was too slow, or could not be reached."""
    return isinstance(error, (SlackApiError, TimeoutError, ConnectionError, OSError))


def answer_error(
    error: Exception, body: dict[str, Any], context: BoltContext, settings_timezone: str
) -> BoltResponse:
    ref = secrets.token_hex(3)
    t: Translator = context.get("t") or translator(None, None, settings_timezone)
    logs.mark(f"error {ref}")
    if _slack_unreachable(error):
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        logger.warning("Slack call failed [%s]: %s: %s", ref, type(error).__name__, code or "unreachable")
        text = t("errors.slack_busy")
    else:
        logger.exception("unexpected error [%s] in a %s request", ref, body.get("type") or "command")
        text = t("errors.unexpected", ref=ref)
    if body.get("command"):  # a slash command: the answer travels in the HTTP response
        return _json({"response_type": "ephemeral", "text": text})
    if body.get("type") == "view_submission":
        return _json({"response_action": "update", "view": _notice_view(t, text)})
    client = context.get("client")
    user = context.user_id
    if isinstance(client, DeferredClient) and user:
        try:
            if context.response_url:
                client.enqueue(
                    "response_url",
                    {"url": context.response_url, "message": {"response_type": "ephemeral", "text": text}},
                    context.channel_id or user,
                )
            else:
                client.chat_postMessage(channel=user, text=text)
        except Exception:  # the database itself may be what failed; the log has the reference
            logger.exception("could not tell %s about error [%s]", user, ref)
    return BoltResponse(status=200, body="")


def _notice_view(t: Translator, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Stagebot"},
        "close": {"type": "plain_text", "text": t("errors.close")},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _json(content: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(content), headers={"Content-Type": "application/json;charset=utf-8"}
    )


def register(app: App, timezone: str) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
        return answer_error(error, body, context, timezone)
