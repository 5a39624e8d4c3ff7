"""The domain of Stagebot: one module per concept, free of Slack, Bolt and APScheduler.

Importing this package registers every table on ``SQLModel.metadata`` (for migrations and tests).
"""

from models import audit, leases, people, problems, processed_events, progress, schools  # noqa: F401
