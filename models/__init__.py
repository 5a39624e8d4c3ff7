"""The domain of Stagebot: one module per concept, free of Slack, Bolt and APScheduler.

Importing this package registers every table on ``SQLModel.metadata`` (for migrations and tests).
"""

from models import (  # noqa: F401
    agreements,
    audit,
    documents,
    intake,
    leases,
    people,
    placements,
    preferences,
    problems,
    processed_events,
    progress,
    reminders,
    school_contacts,
    schools,
)
