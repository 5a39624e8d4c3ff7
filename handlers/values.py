"""Reading what a button or form sends back: anything can arrive in a forged payload."""

from __future__ import annotations

from bot.i18n import Translator
from models import free_text


def number(text: object) -> int | None:
    """A non-negative whole number (a record id, an offset, a grade), or None for anything else."""
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def typed(raw: object, *, multiline: bool = True) -> str:
    """What a person typed in a text field, as it is stored: without control or direction characters."""
    return free_text.clean(raw if isinstance(raw, str) else "", multiline=multiline)


def too_long(t: Translator, text: str, limit: int) -> str | None:
    """The field error for a text over its bound, or None. The modal's max_length says the same bound, but a
    request can be forged: it is checked again here, and nothing is stored."""
    if not free_text.too_long(text, limit):
        return None
    return t("free_text.too_long", max=limit, length=len(text))
