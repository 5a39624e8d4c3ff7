"""scheduler lease

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:48:25.356864
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("expires_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("lease")
