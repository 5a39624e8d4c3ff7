"""The buttons under an answer to a question: the next page, and the list as a file in the DM. The
question travels in the button and is answered again for whoever clicks, with their own scope."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.flows import export as export_flow
from bot.middleware import request_scope
from bot.views import questions as views
from bot.views.blocks import section
from handlers.commands.who import answer
from models.access import STAFF_WITH_STUDENTS
from models.questions import MAX_QUESTION


def _question(action: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    value = views.read_value(action.get("value"))
    return str(value.get("q") or "")[:MAX_QUESTION], value


def more(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    question, value = _question(action)
    given = value.get("o")
    offset = given if isinstance(given, int) else 0
    with request_scope(context) as scope:
        if not scope.actor.has(*STAFF_WITH_STUDENTS):
            text = scope.t("questions.not_allowed")
            blocks = [section(text)]
        else:
            blocks, text = answer(scope, question, offset)
    respond(replace_original=True, text=text, blocks=blocks)


def export(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    question, _ = _question(action)
    fmt = "csv" if str(action.get("action_id", "")).endswith("_csv") else "xlsx"
    with request_scope(context) as scope:
        if not scope.actor.has(*STAFF_WITH_STUDENTS):
            text = scope.t("questions.not_allowed")
        else:
            export_flow.start(scope, client, fmt=fmt, question=question)
            text = scope.t("export.started")
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=[section(text)])


def register(app: App) -> None:
    app.action(views.MORE_ACTION)(more)
    app.action(re.compile(f"^{views.EXPORT_ACTION}_(xlsx|csv)$"))(export)
