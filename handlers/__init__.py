"""Bolt listeners, one module per surface; each exposes register(app)."""

from __future__ import annotations

from slack_bolt import App

from bot.flows.registry import register_jobs
from handlers import (
    actions,
    agreements,
    commands,
    documents,
    evaluations,
    events,
    hours,
    intake,
    lio,
    matching,
    placements,
    planning,
    preferences,
    questions,
    reminders,
    review,
)


def register(app: App) -> None:
    register_jobs()  # the durable job kinds of bot/flows/registry.py
    commands.register(app)
    actions.register(app)
    events.register(app)
    reminders.register(app)
    review.register(app)  # the reviewers' buttons of every kind of review
    preferences.register(app)
    intake.register(app)
    hours.register(app)  # before planning: a DM of typed hours is not read as lessons
    planning.register(app)  # before documents: its .xlsx/.csv file listener must match first
    documents.register(app)
    placements.register(app)
    agreements.register(app)
    lio.register(app)
    evaluations.register(app)
    matching.register(app)
    questions.register(app)
    events.register_fallbacks(app)
