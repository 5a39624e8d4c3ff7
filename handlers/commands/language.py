"""`/stage language nl|en|auto` (taal): the user's own choice beats their Slack locale."""

from __future__ import annotations

from bot.i18n import LANGUAGES, translator
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from models.people import set_language

AUTO = ("auto", "slack")


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    choice = invocation.args.strip().lower()
    if choice not in (*LANGUAGES, *AUTO):
        text = scope.t("language.usage", current=scope.t(f"language.name.{scope.t.language}"))
        return reply([section(text)], text)
    chosen = None if choice in AUTO else choice
    set_language(scope.session, scope.actor.person_id, chosen)
    t = translator(chosen, scope.actor.slack_locale, scope.services.settings.timezone)
    text = t("language.set", language=t(f"language.name.{t.language}"))
    return reply([section(text)], text)
