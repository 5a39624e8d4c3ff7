"""internship preferences: submissions, reopenings, the DM conversation

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-28 16:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "preference_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("institution_ids", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("tutoring_semester", sa.Integer(), nullable=True),
        sa.Column("professional_semester", sa.Integer(), nullable=True),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("former_school_ids", sa.JSON(), nullable=False),
        sa.Column("relative_school_ids", sa.JSON(), nullable=False),
        sa.Column("conflicts_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("remarks", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("preference_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preference_submission_student_id"), ["student_id"], unique=False)

    op.create_table(
        "preference_reopening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("reopened_by_id", sa.Integer(), nullable=False),
        sa.Column("reopened_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("open_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["reopened_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("preference_reopening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preference_reopening_student_id"), ["student_id"], unique=False)

    op.create_table(
        "preference_conversation",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("updated_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id"),
    )


def downgrade() -> None:

    op.drop_table("preference_conversation")
    with op.batch_alter_table("preference_reopening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preference_reopening_student_id"))
    op.drop_table("preference_reopening")
    with op.batch_alter_table("preference_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preference_submission_student_id"))
    op.drop_table("preference_submission")
