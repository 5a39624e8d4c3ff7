"""What a `/stage` subcommand is: its names, who may use it and the function that answers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from bot.middleware import Scope
from models.people import Actor, Role

Reply = dict[str, Any]


@dataclass(frozen=True)
class Invocation:
    scope: Scope
    args: str
    client: WebClient
    channel_id: str | None
    trigger_id: str | None = None  # for subcommands that open a modal (views.open)


@dataclass(frozen=True)
class Subcommand:
    name: str
    alias: str
    run: Callable[[Invocation], Reply]
    roles: frozenset[Role] | None = None  # None: every registered person
    aliases: tuple[str, ...] = field(default=())

    @property
    def description_key(self) -> str:
        return f"help.cmd.{self.name}"

    def allowed(self, actor: Actor) -> bool:
        return self.roles is None or bool(actor.roles & self.roles)

    def names(self) -> tuple[str, ...]:
        return (self.name, self.alias, *self.aliases)


def reply(blocks: list[dict[str, Any]], text: str) -> Reply:
    """An ephemeral answer to the person who typed the command (the body of the slash command's ack)."""
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
