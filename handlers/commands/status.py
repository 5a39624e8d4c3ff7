"""`/stage status` (stand): the checklist, or the overview for staff."""

from __future__ import annotations

from bot.status.answer import status_blocks
from handlers.commands.registry import Invocation, Reply, reply


def run(invocation: Invocation) -> Reply:
    return reply(status_blocks(invocation.scope), invocation.scope.t("status.text"))
