"""`/stage help` (hulp)."""

from __future__ import annotations

from bot.views.help import help_blocks
from handlers.commands.registry import Invocation, Reply, Subcommand, reply


def help_reply(invocation: Invocation, subcommands: list[Subcommand], intro_key: str = "help.intro") -> Reply:
    t, actor = invocation.scope.t, invocation.scope.actor
    entries = [(s.name, s.alias, s.description_key) for s in subcommands if s.allowed(actor)]
    return reply(help_blocks(t, entries, intro_key=intro_key), t("help.header"))
