"""The buttons under a reminder: snooze it, or see where you stand."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.middleware import request_scope
from bot.status.answer import status_blocks
from bot.views.blocks import section
from bot.views.reminders import SNOOZE_ACTION, STATUS_ACTION
from models import reminders

SNOOZE_DAYS = (1, 3)


def snooze(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    days = int(action.get("value", "1")) if action.get("value") in {str(d) for d in SNOOZE_DAYS} else 1
    with request_scope(context) as scope:
        until = scope.today + timedelta(days=days)
        reminders.snooze(scope.session, scope.actor.slack_user_id, until)
        text = scope.t("reminders.snoozed", until=scope.t.date(until))
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=[section(text)])


def show_status(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        blocks = status_blocks(scope)
        text = scope.t("status.text")
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)


def register(app: App) -> None:
    app.action(re.compile(f"^{SNOOZE_ACTION}_[0-9]+$"))(snooze)
    app.action(STATUS_ACTION)(show_status)
