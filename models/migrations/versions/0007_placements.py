"""placements, agreements and the school's contacts (steps 3 to 6)

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-28 16:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.db

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("course_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("approval", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", models.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("request_channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("refusal_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(["approved_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ended_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["placed_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["replaces_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placement_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_placement_student_id"), ["student_id"], unique=False)

    op.create_table(
        "framework_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("school_signed_on", sa.Date(), nullable=True),
        sa.Column("university_signed_on", sa.Date(), nullable=True),
        sa.Column("created_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("framework_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_agreement_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "digital_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("student_signed_on", sa.Date(), nullable=True),
        sa.Column("school_signed_on", sa.Date(), nullable=True),
        sa.Column("university_signed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("student_id", "institution_id"),
    )
    with op.batch_alter_table("digital_contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digital_contract_student_id"), ["student_id"], unique=False)

    op.create_table(
        "school_contacts",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("subject_mentors", sa.JSON(), nullable=False),
        sa.Column("school_mentor", sa.JSON(), nullable=True),
        sa.Column("rules_read_on", sa.Date(), nullable=True),
        sa.Column("introduction_on", sa.Date(), nullable=True),
        sa.Column("updated_at", models.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "institution_id"),
    )


def downgrade() -> None:

    op.drop_table("school_contacts")
    with op.batch_alter_table("digital_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digital_contract_student_id"))
    op.drop_table("digital_contract")
    with op.batch_alter_table("framework_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_agreement_institution_id"))
    op.drop_table("framework_agreement")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_student_id"))
        batch_op.drop_index(batch_op.f("ix_placement_status"))
        batch_op.drop_index(batch_op.f("ix_placement_institution_id"))
    op.drop_table("placement")
