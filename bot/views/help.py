"""`/stage help`: only what the caller's roles may use, in their language."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.blocks import Block, context, header, section


def help_blocks(
    t: Translator, entries: list[tuple[str, str, str]], *, intro_key: str = "help.intro"
) -> list[Block]:
    """entries: (name, dutch alias, message key of the description)."""
    lines = []
    for name, alias, description_key in entries:
        shown = f"`/stage {name}`" if alias == name else f"`/stage {name}` (`{alias}`)"
        lines.append(f"{shown} — {t(description_key)}")
    return [
        header(t("help.header")),
        section(t(intro_key)),
        section("\n".join(lines)),
        context(t("help.footer")),
    ]
