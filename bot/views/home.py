"""The App Home tab: the caller's status, as in `/stage status`."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, context, section

HOME_LIMIT = 100


def home_view(t: Translator, blocks: list[Block]) -> dict[str, Any]:
    footer = context(t("home.footer"))
    return {"type": "home", "blocks": [*blocks[: HOME_LIMIT - 1], footer]}


def unregistered_home(t: Translator) -> dict[str, Any]:
    return {"type": "home", "blocks": [section(t("unregistered.text"))]}
