"""merge the feature branches (documents, intake, preferences, placements, reminders)

Revision ID: 0009
Revises: 0004, 0005, 0006, 0007, 0008
Create Date: 2026-11-28 17:00:00
"""

from __future__ import annotations

revision = "0009"
down_revision = ("0004", "0005", "0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
