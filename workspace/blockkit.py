"""What the workspace knows about Block Kit: Slack's limits, the ids Slack fills in, and interactive elements.

Only the rules a bot can plausibly break are checked, so a layout Slack would refuse fails here too
instead of only in production.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Iterator
from typing import Any

from workspace.errors import ApiError

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
SECTION_FIELD_LIMIT = 2000
SECTION_FIELD_COUNT = 10
HEADER_TEXT_LIMIT = 150
ACTIONS_ELEMENT_COUNT = 25
CONTEXT_ELEMENT_COUNT = 10
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
ID_LIMIT = 255
PRIVATE_METADATA_LIMIT = 3000
VIEW_TITLE_LIMIT = 24

# For each element type: the key that carries the chosen value in payloads and how it is shaped.
_VALUE_KEYS: dict[str, tuple[str, str]] = {
    "button": ("value", "raw"),
    "plain_text_input": ("value", "raw"),
    "number_input": ("value", "raw"),
    "email_text_input": ("value", "raw"),
    "url_text_input": ("value", "raw"),
    "rich_text_input": ("rich_text_value", "raw"),
    "datepicker": ("selected_date", "raw"),
    "timepicker": ("selected_time", "raw"),
    "datetimepicker": ("selected_date_time", "raw"),
    "users_select": ("selected_user", "raw"),
    "conversations_select": ("selected_conversation", "raw"),
    "channels_select": ("selected_channel", "raw"),
    "multi_users_select": ("selected_users", "list"),
    "multi_conversations_select": ("selected_conversations", "list"),
    "multi_channels_select": ("selected_channels", "list"),
    "static_select": ("selected_option", "option"),
    "external_select": ("selected_option", "option"),
    "radio_buttons": ("selected_option", "option"),
    "overflow": ("selected_option", "option"),
    "checkboxes": ("selected_options", "options"),
    "multi_static_select": ("selected_options", "options"),
    "multi_external_select": ("selected_options", "options"),
}


def parse_blocks(raw: Any) -> list[dict[str, Any]]:
    """Blocks as sent: a list (JSON body) or a JSON string (form body); anything else is malformed."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ApiError("invalid_blocks_format", [f"[ERROR] blocks is not valid JSON: {exc}"]) from exc
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        raise ApiError("invalid_blocks_format", ["[ERROR] blocks must be an array of objects"])
    return raw


def validate_blocks(blocks: list[dict[str, Any]], limit: int, pointer: str = "/blocks") -> None:
    """Raise `invalid_blocks` with one line per problem, the way Slack lists them."""
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= ID_LIMIT:
                problems.append(f"[ERROR] block_id must be 1 to {ID_LIMIT} characters [json-pointer:{where}]")
            elif block_id in seen_ids:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{where}/block_id]")
            seen_ids.add(str(block_id))
        problems.extend(_block_problems(block, where))
    if problems:
        raise ApiError("invalid_blocks", problems)


def _text_problems(text: Any, where: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(text, dict) or text.get("type") not in ("plain_text", "mrkdwn"):
        return [f"[ERROR] must be a text object [json-pointer:{where}]"]
    if plain_only and text["type"] != "plain_text":
        return [f"[ERROR] must be plain_text [json-pointer:{where}/type]"]
    body = text.get("text")
    if not isinstance(body, str) or not body:
        return [f"[ERROR] text must be more than 0 characters [json-pointer:{where}/text]"]
    if len(body) > limit:
        return [f"[ERROR] text must be at most {limit} characters [json-pointer:{where}/text]"]
    return []


def _block_problems(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    problems: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"[ERROR] a section needs text or fields [json-pointer:{where}]")
        if "text" in block:
            problems += _text_problems(block["text"], f"{where}/text", SECTION_TEXT_LIMIT)
        fields = block.get("fields", [])
        if len(fields) > SECTION_FIELD_COUNT:
            problems.append(
                f"[ERROR] no more than {SECTION_FIELD_COUNT} fields [json-pointer:{where}/fields]"
            )
        for i, field in enumerate(fields):
            problems += _text_problems(field, f"{where}/fields/{i}", SECTION_FIELD_LIMIT)
        if "accessory" in block:
            problems += _element_problems(block["accessory"], f"{where}/accessory")
    elif kind == "header":
        problems += _text_problems(block.get("text"), f"{where}/text", HEADER_TEXT_LIMIT, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 0 < len(elements) <= ACTIONS_ELEMENT_COUNT:
            problems.append(f"[ERROR] 1 to {ACTIONS_ELEMENT_COUNT} elements [json-pointer:{where}/elements]")
        action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            problems.append(f"[ERROR] duplicate action_id in one block [json-pointer:{where}/elements]")
        for i, element in enumerate(elements):
            problems += _element_problems(element, f"{where}/elements/{i}")
    elif kind == "context":
        if not 0 < len(block.get("elements", [])) <= CONTEXT_ELEMENT_COUNT:
            problems.append(f"[ERROR] 1 to {CONTEXT_ELEMENT_COUNT} elements [json-pointer:{where}/elements]")
    elif kind == "input":
        problems += _text_problems(block.get("label"), f"{where}/label", 2000, plain_only=True)
        if not isinstance(block.get("element"), dict):
            problems.append(f"[ERROR] an input needs an element [json-pointer:{where}/element]")
        else:
            problems += _element_problems(block["element"], f"{where}/element")
    elif not isinstance(kind, str):
        problems.append(f"[ERROR] missing block type [json-pointer:{where}/type]")
    return problems


def _element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"[ERROR] must be an element object [json-pointer:{where}]"]
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None and (not isinstance(action_id, str) or not 0 < len(action_id) <= ID_LIMIT):
        problems.append(f"[ERROR] action_id must be 1 to {ID_LIMIT} characters [json-pointer:{where}]")
    if element["type"] == "button":
        problems += _text_problems(element.get("text"), f"{where}/text", BUTTON_TEXT_LIMIT, plain_only=True)
        value = element.get("value")
        if value is not None and len(str(value)) > BUTTON_VALUE_LIMIT:
            problems.append(
                f"[ERROR] value over {BUTTON_VALUE_LIMIT} characters [json-pointer:{where}/value]"
            )
    return problems


def validate_view(view: dict[str, Any]) -> None:
    """Slack's checks on a modal or Home tab.

    Problems with the view's own properties are `invalid_arguments`; problems in its blocks `invalid_blocks`.
    """
    metadata = view.get("private_metadata") or ""
    if len(str(metadata)) > PRIVATE_METADATA_LIMIT:
        limit = PRIVATE_METADATA_LIMIT
        pointer = "[json-pointer:/view/private_metadata]"
        raise ApiError("invalid_arguments", [f"[ERROR] must be at most {limit} characters {pointer}"])
    for key in ("callback_id", "external_id"):
        if len(str(view.get(key) or "")) > ID_LIMIT:
            raise ApiError("invalid_arguments", [f"[ERROR] too long [json-pointer:/view/{key}]"])
    kind = view.get("type")
    if kind not in ("modal", "home"):
        raise ApiError(
            "invalid_arguments", ["[ERROR] view type must be modal or home [json-pointer:/view/type]"]
        )
    blocks = parse_blocks(view.get("blocks"))
    if kind == "modal":
        problems = _text_problems(view.get("title"), "/view/title", VIEW_TITLE_LIMIT, plain_only=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                problems += _text_problems(view[key], f"/view/{key}", VIEW_TITLE_LIMIT, plain_only=True)
        if view.get("submit") is None and any(b.get("type") == "input" for b in blocks):
            problems.append("[ERROR] a modal with input blocks needs submit [json-pointer:/view/submit]")
        if problems:
            raise ApiError("invalid_arguments", problems)
    validate_blocks(blocks, VIEW_BLOCK_LIMIT, "/view/blocks")


def fill_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy with a block_id on every block and an action_id on every element, as Slack stores them.

    Slack invents these when the bot leaves them out, and payloads carry the invented ones.
    """
    filled = copy.deepcopy(blocks)
    for block in filled:
        block.setdefault("block_id", secrets.token_urlsafe(3))
        for element in _elements_of(block):
            element.setdefault("action_id", secrets.token_urlsafe(3))
    return filled


def _elements_of(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = block.get("type")
    if kind == "actions":
        yield from (e for e in block.get("elements", []) if isinstance(e, dict))
    elif kind == "section" and isinstance(block.get("accessory"), dict):
        if block["accessory"].get("type") != "image":
            yield block["accessory"]
    elif kind == "input" and isinstance(block.get("element"), dict):
        yield block["element"]


def find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The (block_id, element) with this action_id, so callers need not know which block holds it."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in _elements_of(block):
            if element.get("action_id") == action_id:
                return str(block.get("block_id")), element
    return None


def input_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(block_id, element) of each input block: these are what a view's state.values holds."""
    for block in blocks:
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield str(block.get("block_id")), block["element"]


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(element.get("options", []))
    for group in element.get("option_groups", []):
        found += group.get("options", [])
    return found


def _option(element: dict[str, Any], value: Any) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return option
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": value}
    raise LookupError(f"{element.get('action_id')!r} has no option with value {value!r}")


def element_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The typed value payload Slack sends for `element` set to `value` (None = left empty).

    For option elements `value` is the option's value (a list of them for multi-choice elements).
    """
    kind = str(element.get("type"))
    key, shape = _VALUE_KEYS.get(kind, ("value", "raw"))
    result: dict[str, Any] = {"type": kind}
    if kind == "button" and value is None:
        value = element.get("value")
    if shape == "raw":
        result[key] = value
    elif shape == "list":
        result[key] = [] if value is None else list(value if isinstance(value, list | tuple) else [value])
    elif shape == "option":
        result[key] = None if value is None else _option(element, value)
    else:
        values = [] if value is None else (value if isinstance(value, list | tuple) else [value])
        result[key] = [_option(element, v) for v in values]
    return result
