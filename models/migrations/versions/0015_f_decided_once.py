"""decided once: the natural keys that let the database decide between two requests at the same moment

Revision ID: 0015_f
Revises: 0010, 0011, 0015_d
Create Date: 2026-11-29 10:00:00

Rows that two requests at once already stored twice are first reduced to one, so the keys can be built.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015_f"
down_revision = ("0010", "0011", "0015_d")  # every head: this touches planning, LIO and matching
branch_labels = None
depends_on = None


def _keep_first_lesson() -> None:
    """A lesson stored twice (same version, day and start): the first stays."""
    lesson = sa.table(
        "planned_lesson", sa.column("id"), sa.column("version_id"), sa.column("day"), sa.column("start")
    )
    twin = lesson.alias("twin")
    earlier = (
        sa.select(twin.c.id)
        .where(
            twin.c.version_id == lesson.c.version_id,
            twin.c.day == lesson.c.day,
            twin.c.start == lesson.c.start,
            twin.c.id < lesson.c.id,
        )
        .exists()
    )
    op.execute(lesson.delete().where(earlier))


def _one_pending(table_name: str, index_name: str) -> None:
    """Requests of one student waiting side by side: the newest waits, the others are superseded."""
    requests = sa.table(table_name, sa.column("id"), sa.column("student_id"), sa.column("status"))
    newer = requests.alias("newer")
    replaced = (
        sa.select(newer.c.id)
        .where(
            newer.c.student_id == requests.c.student_id,
            newer.c.status == "pending",
            newer.c.id > requests.c.id,
        )
        .exists()
    )
    op.execute(requests.update().where(requests.c.status == "pending", replaced).values(status="superseded"))
    pending = sa.text("status = 'pending'")
    op.create_index(
        index_name,
        table_name,
        ["student_id"],
        unique=True,
        sqlite_where=pending,
        postgresql_where=pending,
    )


def _hold_placed_activities() -> None:
    """Every active placement holds its activities (the first one placed, if two hold the same)."""
    op.create_table(
        "placed_activity",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("course_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student.person_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "course_code", "activity"),
    )
    with op.batch_alter_table("placed_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placed_activity_placement_id"), ["placement_id"], unique=False)
    placement = sa.table(
        "placement",
        sa.column("id"),
        sa.column("student_id"),
        sa.column("course_code"),
        sa.column("activities", sa.JSON()),
        sa.column("status"),
    )
    held = sa.table(
        "placed_activity",
        sa.column("student_id"),
        sa.column("course_code"),
        sa.column("activity"),
        sa.column("placement_id"),
    )
    rows = op.get_bind().execute(
        sa.select(placement.c.id, placement.c.student_id, placement.c.course_code, placement.c.activities)
        .where(placement.c.status == "active")
        .order_by(placement.c.id)
    )
    claims: dict[tuple[int, str, str], int] = {}
    for placement_id, student_id, course_code, activities in rows:
        for activity in activities or []:
            claims.setdefault((student_id, course_code, str(activity)), placement_id)
    if claims:
        op.bulk_insert(
            held,
            [
                {"student_id": s, "course_code": c, "activity": a, "placement_id": p}
                for (s, c, a), p in claims.items()
            ],
        )


def _one_framework_in_progress() -> None:
    """Framework agreements started twice for one institution: the first stays; a later one nobody
    recorded anything on goes."""
    framework = sa.table(
        "framework_agreement",
        sa.column("id"),
        sa.column("institution_id"),
        sa.column("status"),
        sa.column("sent_on"),
        sa.column("school_signed_on"),
        sa.column("university_signed_on"),
    )
    earlier = framework.alias("earlier")
    first_exists = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.institution_id == framework.c.institution_id,
            earlier.c.status != "signed",
            earlier.c.id < framework.c.id,
        )
        .exists()
    )
    op.execute(
        framework.delete().where(
            framework.c.status != "signed",
            framework.c.sent_on.is_(None),
            framework.c.school_signed_on.is_(None),
            framework.c.university_signed_on.is_(None),
            first_exists,
        )
    )
    in_progress = sa.text("status <> 'signed'")
    op.create_index(
        "uq_framework_in_progress",
        "framework_agreement",
        ["institution_id"],
        unique=True,
        sqlite_where=in_progress,
        postgresql_where=in_progress,
    )


def upgrade() -> None:
    _keep_first_lesson()
    op.create_index("uq_planned_lesson_start", "planned_lesson", ["version_id", "day", "start"], unique=True)
    op.add_column(
        "lio_application",
        sa.Column("proof_file_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )
    _one_pending("lio_application", "uq_lio_application_pending")
    _one_pending("lio_reduction_request", "uq_lio_reduction_pending")
    _hold_placed_activities()
    _one_framework_in_progress()


def downgrade() -> None:
    op.drop_index("uq_framework_in_progress", table_name="framework_agreement")
    with op.batch_alter_table("placed_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placed_activity_placement_id"))
    op.drop_table("placed_activity")
    op.drop_index("uq_lio_reduction_pending", table_name="lio_reduction_request")
    op.drop_index("uq_lio_application_pending", table_name="lio_application")
    with op.batch_alter_table("lio_application", schema=None) as batch_op:
        batch_op.drop_column("proof_file_id")
    op.drop_index("uq_planned_lesson_start", table_name="planned_lesson")
