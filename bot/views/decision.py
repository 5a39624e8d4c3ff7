"""Approve / send back buttons, and the line that replaces them once someone decided.

Replacing the buttons in place (chat.update or response_url) means a decision cannot be clicked twice;
the handler still checks the record's state, since two people may click at the same moment.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, mention

DECISION_BLOCK = "decision"


def review_buttons(t: Translator, approve_action: str, reject_action: str, value: str) -> Block:
    return actions(
        button(t("decision.approve"), approve_action, value, style="primary"),
        button(t("decision.send_back"), reject_action, value, style="danger"),
        block_id=DECISION_BLOCK,
    )


def decided(
    t: Translator, *, approved: bool, by_slack_id: str, at: datetime, reason: str | None = None
) -> Block:
    key = "decision.approved_by" if approved else "decision.sent_back_by"
    text = t(key, who=mention(by_slack_id), when=t.datetime(at, "short"))
    if reason:
        text += "\n" + t("decision.reason", reason=escape(reason))
    return context(text)


def with_decision(blocks: list[Block], decision: Block) -> list[Block]:
    """The same message, its review buttons swapped for the decision."""
    return [decision if block.get("block_id") == DECISION_BLOCK else block for block in blocks]


def already(t: Translator, *, approved: bool, by_slack_id: str | None, at: datetime) -> str:
    """For whoever clicks after the decision: "already decided: approved by X on date"."""
    key = "decision.approved_by" if approved else "decision.sent_back_by"
    who = mention(by_slack_id) if by_slack_id else "?"
    return t("decision.already", decision=t(key, who=who, when=t.datetime(at, "short")))
