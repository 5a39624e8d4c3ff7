"""documents: when the scheduler asked for a newer criminal-record extract (once per version)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_asked_at", models.db.AwareDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("renewal_asked_at")
