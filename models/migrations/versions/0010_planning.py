"""lesson planning, bell schedules, start clearance and calendar feeds

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bell_period",
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("institution_id", "period"),
    )
    op.create_table(
        "planning_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("typing_until", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id", "number"),
    )
    with op.batch_alter_table("planning_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_version_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_planning_version_student_id"), ["student_id"], unique=False)
    op.create_table(
        "planned_lesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("class_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mentor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["planning_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("planned_lesson", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planned_lesson_version_id"), ["version_id"], unique=False)
    op.create_table(
        "planning_preview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("lessons", sa.JSON(), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["planning_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("planning_preview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_preview_version_id"), ["version_id"], unique=False)
    op.create_table(
        "start_clearance",
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("cleared_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("placement_id"),
    )
    with op.batch_alter_table("start_clearance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_start_clearance_student_id"), ["student_id"], unique=False)
    op.create_table(
        "calendar_feed",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id"),
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_token"), ["token"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_token"))
    op.drop_table("calendar_feed")
    with op.batch_alter_table("start_clearance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_start_clearance_student_id"))
    op.drop_table("start_clearance")
    with op.batch_alter_table("planning_preview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_preview_version_id"))
    op.drop_table("planning_preview")
    with op.batch_alter_table("planned_lesson", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_lesson_version_id"))
    op.drop_table("planned_lesson")
    with op.batch_alter_table("planning_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_version_student_id"))
        batch_op.drop_index(batch_op.f("ix_planning_version_placement_id"))
    op.drop_table("planning_version")
    op.drop_table("bell_period")
