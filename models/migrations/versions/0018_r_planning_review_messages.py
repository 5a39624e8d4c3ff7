"""planning review messages: the supervisor's review DM is remembered, as for documents and LIO

Revision ID: 0018_r
Revises: 0017_d
Create Date: 2026-12-02 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_r"
down_revision = "0017_d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("planning_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_messages", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("planning_version", schema=None) as batch_op:
        batch_op.drop_column("review_messages")
