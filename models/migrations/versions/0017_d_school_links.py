"""school links: pages for the school side (a contact person answers the placement request)

Revision ID: 0017_d
Revises: 0016_h
Create Date: 2026-12-02 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0017_d"
down_revision = "0016_h"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("used_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("school_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_link_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_school_link_student_id"), ["student_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("school_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_link_student_id"))
        batch_op.drop_index(batch_op.f("ix_school_link_token_hash"))
    op.drop_table("school_link")
