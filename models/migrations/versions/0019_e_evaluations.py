"""evaluations: the mentor's evaluation of an activity, and the record a school link is about

Revision ID: 0019_e
Revises: 0018_r
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0019_e"
down_revision = "0018_r"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "placement_id", sa.Integer(), sa.ForeignKey("placement.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "student_id",
            sa.Integer(),
            sa.ForeignKey("student.person_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("institution_id", sa.Integer(), sa.ForeignKey("institution.id"), nullable=False),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mentor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mentor_email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("invited_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("saved_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("review_messages", sa.JSON(), nullable=False),
        sa.UniqueConstraint("placement_id", "activity", name="uq_evaluation_placement_activity"),
    )
    op.create_index("ix_evaluation_placement_id", "evaluation", ["placement_id"])
    op.create_index("ix_evaluation_student_id", "evaluation", ["student_id"])
    op.create_index("ix_evaluation_status", "evaluation", ["status"])
    with op.batch_alter_table("school_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school_link", schema=None) as batch_op:
        batch_op.drop_column("record_id")
    op.drop_index("ix_evaluation_status", table_name="evaluation")
    op.drop_index("ix_evaluation_student_id", table_name="evaluation")
    op.drop_index("ix_evaluation_placement_id", table_name="evaluation")
    op.drop_table("evaluation")
