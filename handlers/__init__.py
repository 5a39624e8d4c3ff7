"""Bolt listeners, one module per surface; each exposes register(app)."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, events


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    events.register(app)
