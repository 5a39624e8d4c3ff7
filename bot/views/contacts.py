"""`/stage contacts`: who is who for the caller."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.blocks import Block, context, header, mention, section
from models.people import Person


def _line(label: str, person: Person) -> str:
    email = f" · {person.email}" if person.email else ""
    return f"*{label}*: {mention(person.slack_user_id)}{email}"


def contacts_blocks(t: Translator, entries: list[tuple[str, Person]]) -> list[Block]:
    """entries: (label already translated, person), in the order they matter to the caller."""
    if not entries:
        return [header(t("contacts.header")), section(t("contacts.none"))]
    return [
        header(t("contacts.header")),
        section("\n".join(_line(label, person) for label, person in entries)),
        context(t("contacts.footer")),
    ]
