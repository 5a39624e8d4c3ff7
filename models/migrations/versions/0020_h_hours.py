"""hours: the log of hours done, lesson-day notices and the weekly confirmations

Revision ID: 0020_h
Revises: 0019_e
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.db import AwareDateTime

revision = "0020_h"
down_revision = "0019_e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hours_confirmation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "student_id", sa.Integer(), sa.ForeignKey("student.person_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("mentor_link_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", AwareDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("review_messages", sa.JSON(), nullable=False, server_default="[]"),
    )
    op.create_index("ix_hours_confirmation_student_id", "hours_confirmation", ["student_id"])
    op.create_index("ix_hours_confirmation_week_start", "hours_confirmation", ["week_start"])
    op.create_index("ix_hours_confirmation_state", "hours_confirmation", ["state"])
    op.create_table(
        "hours_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "student_id", sa.Integer(), sa.ForeignKey("student.person_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "placement_id", sa.Integer(), sa.ForeignKey("placement.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("lesson_start", sa.Time(), nullable=True),
        sa.Column("confirmation_id", sa.Integer(), sa.ForeignKey("hours_confirmation.id"), nullable=True),
        sa.Column("updated_at", AwareDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_hours_entry_student_id", "hours_entry", ["student_id"])
    op.create_index("ix_hours_entry_placement_id", "hours_entry", ["placement_id"])
    op.create_index("ix_hours_entry_confirmation_id", "hours_entry", ["confirmation_id"])
    op.create_table(
        "hours_day_notice",
        sa.Column(
            "student_id",
            sa.Integer(),
            sa.ForeignKey("student.person_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("sent_at", AwareDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hours_day_notice")
    op.drop_table("hours_entry")
    op.drop_table("hours_confirmation")
