"""scheduler tick: the scheduler's last completed tick, for `stagebot doctor` and `/readyz`

Revision ID: 0016_h
Revises: 0015_f
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0016_h"
down_revision = "0015_f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_tick",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("ticked_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_tick")
