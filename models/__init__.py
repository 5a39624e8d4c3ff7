"""The domain of Stagebot: one module per concept, free of Slack, Bolt and APScheduler.

Importing this package registers every table on ``SQLModel.metadata`` (for migrations and tests).
"""

from models import (  # noqa: F401
    agreements,
    audit,
    bell_schedules,
    capacity,
    documents,
    evaluations,
    hours,
    intake,
    leases,
    lio,
    matching_runs,
    outbox,
    pending_jobs,
    people,
    placements,
    planning,
    preferences,
    problems,
    processed_events,
    progress,
    reminders,
    scheduler_ticks,
    school_contacts,
    school_links,
    schools,
    used_links,
)
