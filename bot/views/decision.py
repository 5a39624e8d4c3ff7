"""Approve / send back buttons, and the line that replaces them once someone decided.

Replacing the buttons in place (chat.update or response_url) means a decision cannot be clicked twice;
the handler still checks the record's state, since two people may click at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, mention, plain, section

DECISION_BLOCK = "decision"


@dataclass(frozen=True)
class Wire:
    """A kind of review's ids and texts, from its prefix and the verb of its second button: the buttons
    `<prefix>_approve` and `<prefix>_<verb>`, the reason modal `<prefix>_<verb>_reason`, its texts
    `<prefix>.<verb>.title|reason|submit|reason_needed`."""

    prefix: str
    verb: str
    max_reason: int  # the reason's bound, in the modal and again on the server
    not_allowed: str  # the text for someone who may not decide

    @property
    def approve_action(self) -> str:
        return f"{self.prefix}_approve"

    @property
    def send_back_action(self) -> str:
        return f"{self.prefix}_{self.verb}"

    @property
    def reason_callback(self) -> str:
        return f"{self.prefix}_{self.verb}_reason"

    def key(self, part: str) -> str:
        return f"{self.prefix}.{self.verb}.{part}"


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


def already(t: Translator, *, approved: bool, by_slack_id: str | None, at: datetime) -> str:
    """For whoever clicks after the decision: "already decided: approved by X on date"."""
    key = "decision.approved_by" if approved else "decision.sent_back_by"
    who = mention(by_slack_id) if by_slack_id else "?"
    return t("decision.already", decision=t(key, who=who, when=t.datetime(at, "short")))


def closed(t: Translator, key: str) -> Block:
    """In place of the buttons when the record closed without a decision (a newer version replaced it)."""
    return context(t(key))


REASON_BLOCK, REASON_INPUT = "reason", "reason"


def reason_modal(
    t: Translator,
    *,
    callback_id: str,
    metadata: str,
    title: str,
    label: str,
    submit: str,
    intro: str | None,
    max_length: int,
) -> dict[str, Any]:
    """Send back: the reason, which the submitter reads."""
    field = {
        "type": "input",
        "block_id": REASON_BLOCK,
        "label": plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": REASON_INPUT,
            "multiline": True,
            "max_length": max_length,
        },
    }
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(t("decision.close")),
        "blocks": [*([section(intro)] if intro else []), field],
    }
