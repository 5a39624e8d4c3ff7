"""Bolt listeners, one module per surface; each exposes register(app)."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    actions,
    agreements,
    commands,
    documents,
    events,
    intake,
    placements,
    preferences,
    reminders,
)


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    events.register(app)
    reminders.register(app)
    preferences.register(app)
    intake.register(app)
    documents.register(app)
    placements.register(app)
    agreements.register(app)
    events.register_fallbacks(app)
