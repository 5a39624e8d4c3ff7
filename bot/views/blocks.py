"""Small Block Kit builders so that every view is written the same way."""

from __future__ import annotations

from datetime import date
from typing import Any

from models import free_text

Block = dict[str, Any]

SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """User-typed text shown in mrkdwn must not become markup, mentions or links, nor hide or reorder what
    the reader sees (control and direction characters go): the one way every free text is shown."""
    return free_text.clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(slack_user_id: str) -> str:
    return f"<@{slack_user_id}>"


def shorten(text: str, limit: int) -> str:
    """Slack refuses a text over its field's limit: cut with a visible ellipsis, never silently."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = 150) -> Block:
    """A plain_text object (labels, placeholders, titles of options); 150 is the shortest common limit."""
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def section(text: str, *, accessory: Block | None = None, fields: list[str] | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, SECTION_LIMIT)}}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": f[:2000]} for f in fields[:10]]
    if accessory:
        block["accessory"] = accessory
    return block


def line_sections(lines: list[str], limit: int = SECTION_LIMIT - 200) -> list[Block]:
    """Lines in as many sections as they need (a section holds 3,000 characters): a long list is split,
    never cut. A single line over the limit is shortened visibly."""
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > limit:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def fields_section(fields: list[str]) -> Block:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f[:2000]} for f in fields[:10]]}


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": t[:SECTION_LIMIT]} for t in texts[:10]],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    """A modal's labelled field."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def datepicker(action_id: str | None, value: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if action_id:
        element["action_id"] = action_id
    if value:
        element["initial_date"] = value.isoformat()
    return element
