"""LIO applications and internship-reduction requests

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-28 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def _decision_columns() -> list[sa.Column]:
    return [
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("submitted_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("review_messages", sa.JSON(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "lio_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("employer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("teacher_hours", sa.Integer(), nullable=False),
        sa.Column("grades_2_3_hours", sa.Integer(), nullable=False),
        sa.Column("subject_x_hours", sa.Integer(), nullable=False),
        sa.Column("subject_y_hours", sa.Integer(), nullable=False),
        sa.Column("job_start", sa.Date(), nullable=False),
        sa.Column("job_end", sa.Date(), nullable=False),
        *_decision_columns(),
        sa.ForeignKeyConstraint(["student_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lio_application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lio_application_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lio_application_status"), ["status"], unique=False)

    op.create_table(
        "lio_reduction_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("motivation", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        *_decision_columns(),
        sa.ForeignKeyConstraint(["student_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["application_id"], ["lio_application.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lio_reduction_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lio_reduction_request_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lio_reduction_request_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lio_reduction_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lio_reduction_request_status"))
        batch_op.drop_index(batch_op.f("ix_lio_reduction_request_student_id"))
    op.drop_table("lio_reduction_request")
    with op.batch_alter_table("lio_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lio_application_status"))
        batch_op.drop_index(batch_op.f("ix_lio_application_student_id"))
    op.drop_table("lio_application")
