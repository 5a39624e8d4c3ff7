"""used links: a document link opens once

Revision ID: 0015_d
Revises: 0015
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0015_d"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_link",
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("used_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("used_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_link_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("used_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_link_expires_at"))
    op.drop_table("used_link")
