"""`/stage preferences` (voorkeuren): the preferences modal; `... chat` asks the same in the DM."""

from __future__ import annotations

from bot.views.blocks import section
from bot.views.preferences import locked_text, modal
from handlers.commands.registry import Invocation, Reply, reply
from handlers.preferences import current_preferences, school_list, start_conversation
from models import preferences

CHAT_WORDS = frozenset({"chat", "gesprek", "conversation", "dm"})


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session, student_id = scope.t, scope.session, scope.actor.person_id
    lock = preferences.lock_state(session, scope.services.catalogue, student_id, scope.today)
    if lock.locked:
        text = locked_text(t, lock)
        return reply([section(text)], text)
    if invocation.args.lower() in CHAT_WORDS:
        start_conversation(scope, invocation.client)
        text = t("preferences.chat.started")
        return reply([section(text)], text)
    if invocation.args:
        text = t("preferences.usage")
        return reply([section(text)], text)
    view = modal(t, school_list(session), current_preferences(session, student_id), lock)
    invocation.client.views_open(trigger_id=invocation.trigger_id, view=view)
    return {}
