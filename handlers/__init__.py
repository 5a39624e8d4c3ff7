"""Bolt listeners, one module per surface; each exposes register(app)."""

from __future__ import annotations

from slack_bolt import App

from bot import durable_jobs
from bot.flows import documents as document_flow
from bot.flows import export as export_flow
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
    questions,
    reminders,
)

# Every kind of durable background job (bot/durable_jobs.py) and the function that does it. A process that
# builds the app knows them all; `stagebot scheduler`, which builds none, leaves them to the web processes.
JOB_KINDS: dict[str, durable_jobs.JobFunction] = {
    document_flow.RECEIVE_JOB: document_flow.receive_job,
    planning.READ_JOB: planning.read_job,
    lio.AFTER_APPLY_JOB: lio.after_apply_job,
    matching.PROPOSE_JOB: matching.propose_durable_job,
    export_flow.EXPORT_JOB: export_flow.export_job,
}


def register(app: App) -> None:
    for kind, function in JOB_KINDS.items():
        durable_jobs.register(kind, function)
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
    questions.register(app)
    events.register_fallbacks(app)
