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
class Labels:
    """The words of a review's buttons and of the line that replaces them (a kind may choose its own)."""

    approve: str = "decision.approve"
    send_back: str = "decision.send_back"
    approved_by: str = "decision.approved_by"
    sent_back_by: str = "decision.sent_back_by"


DEFAULT_LABELS = Labels()


def review_buttons(
    t: Translator, approve_action: str, reject_action: str, value: str, labels: Labels = DEFAULT_LABELS
) -> Block:
    return actions(
        button(t(labels.approve), approve_action, value, style="primary"),
        button(t(labels.send_back), reject_action, value, style="danger"),
        block_id=DECISION_BLOCK,
    )


def decided(
    t: Translator, *, approved: bool, by_slack_id: str, at: datetime, reason: str | None = None,
    labels: Labels = DEFAULT_LABELS,
) -> Block:  # fmt: skip
    key = labels.approved_by if approved else labels.sent_back_by
    text = t(key, who=mention(by_slack_id), when=t.datetime(at, "short"))
    if reason:
        text += "\n" + t("decision.reason", reason=escape(reason))
    return context(text)


def already(
    t: Translator, *, approved: bool, by_slack_id: str | None, at: datetime, labels: Labels = DEFAULT_LABELS
) -> str:
    """For whoever clicks after the decision: "already decided: approved by X on date"."""
    key = labels.approved_by if approved else labels.sent_back_by
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
