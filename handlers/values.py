"""Reading what a button or form sends back: anything can arrive in a forged payload."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.middleware import Scope
from models import free_text, placements
from models.schools import Institution


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


def picked_date(values: dict[str, Any], block: str) -> date | None:
    """A modal's datepicker (its action id is its block id), or None when empty or forged."""
    text = ((values.get(block) or {}).get(block) or {}).get("selected_date")
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def own_school(scope: Scope, value: str | None, *, pending: bool) -> Institution | None:
    """The institution of one of the acting student's placements (still waiting for an answer if asked)."""
    institution_id = number(value) or 0
    mine = placements.of_student(scope.session, scope.actor.person_id)
    ok = [
        p
        for p in mine
        if p.institution_id == institution_id and (not pending or p.answer == placements.Answer.PENDING)
    ]
    return scope.session.get(Institution, institution_id) if ok else None


def field_value(values: dict[str, Any], block: str) -> Any:
    """What a modal's field holds (its action id is its block id): a date, an option's value or the text."""
    element = (values.get(block) or {}).get(block) or {}
    if "selected_date" in element:
        return element["selected_date"]
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value")
    return element.get("value")
