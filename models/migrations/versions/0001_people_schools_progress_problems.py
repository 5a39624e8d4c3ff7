"""people, schools, progress, problems

Revision ID: 0001
Revises:
Create Date: 2026-11-28 15:33:49.776558
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "institution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("uses_lerarenstage", sa.Boolean(), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_institution_code"), ["code"], unique=True)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("slack_locale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_slack_user_id"), ["slack_user_id"], unique=True)

    op.create_table(
        "person_role",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "role"),
    )
    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_student_id"), ["student_id"], unique=False)

    op.create_table(
        "student",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject_x", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("subject_y", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("supervisor_x_id", sa.Integer(), nullable=True),
        sa.Column("supervisor_y_id", sa.Integer(), nullable=True),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("lio", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_x_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_y_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_student_supervisor_id"), ["supervisor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_supervisor_x_id"), ["supervisor_x_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_supervisor_y_id"), ["supervisor_y_id"], unique=False)

    op.create_table(
        "former_school",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "institution_id"),
    )
    op.create_table(
        "step_progress",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("updated_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "step"),
    )
    with op.batch_alter_table("step_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_progress_state"), ["state"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("step_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_progress_state"))

    op.drop_table("step_progress")
    op.drop_table("former_school")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_supervisor_y_id"))
        batch_op.drop_index(batch_op.f("ix_student_supervisor_x_id"))
        batch_op.drop_index(batch_op.f("ix_student_supervisor_id"))

    op.drop_table("student")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_student_id"))

    op.drop_table("problem")
    op.drop_table("person_role")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_slack_user_id"))

    op.drop_table("person")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institution_code"))

    op.drop_table("institution")
