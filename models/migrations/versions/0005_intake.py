"""intake slots and bookings

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-28 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["supervisor_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supervisor_id", "starts_at", name="uq_intake_slot_start"),
    )
    with op.batch_alter_table("intake_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_slot_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_slot_supervisor_id"), ["supervisor_id"], unique=False)

    op.create_table(
        "intake_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("booked_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("held_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("held_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["held_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["slot_id"], ["intake_slot.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_id"),
        sa.UniqueConstraint("student_id"),
    )


def downgrade() -> None:
    op.drop_table("intake_booking")
    with op.batch_alter_table("intake_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_slot_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_intake_slot_starts_at"))
    op.drop_table("intake_slot")
