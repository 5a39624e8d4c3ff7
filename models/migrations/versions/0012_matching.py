"""matching: institutions' capacity, matching runs and their proposals

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-28 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institution_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("updated_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("institution_id", "subject", "semester", "activity"),
    )
    with op.batch_alter_table("institution_capacity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_institution_capacity_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "match_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("cohort", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("excluded_ids", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["requested_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_run_requested_by_id"), ["requested_by_id"], unique=False)

    op.create_table(
        "match_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("course_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("region", sa.Boolean(), nullable=False),
        sa.Column("why_not", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["match_run.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_proposal_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_proposal_student_id"), ["student_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_proposal_student_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposal_run_id"))
    op.drop_table("match_proposal")
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_run_requested_by_id"))
    op.drop_table("match_run")
    with op.batch_alter_table("institution_capacity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institution_capacity_institution_id"))
    op.drop_table("institution_capacity")
