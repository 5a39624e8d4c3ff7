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
    lio,
    matching,
    placements,
    planning,
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
    planning.register(app)  # before documents: its .xlsx/.csv file listener must match first
    documents.register(app)
    placements.register(app)
    agreements.register(app)
    lio.register(app)
    matching.register(app)
    events.register_fallbacks(app)
