"""decided once: the natural keys that let the database decide between two requests at the same moment

Revision ID: 0015_f
Revises: 0010, 0011, 0014
Create Date: 2026-11-29 10:00:00

Rows that two requests at once already stored twice are first reduced to one, so the keys can be built.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015_f"
down_revision = ("0010", "0011", "0014")  # every head: this touches planning, LIO and matching
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


def upgrade() -> None:
    _keep_first_lesson()
    op.create_index("uq_planned_lesson_start", "planned_lesson", ["version_id", "day", "start"], unique=True)
    op.add_column(
        "lio_application",
        sa.Column("proof_file_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )
    _one_pending("lio_application", "uq_lio_application_pending")
    _one_pending("lio_reduction_request", "uq_lio_reduction_pending")


def downgrade() -> None:
    op.drop_index("uq_lio_reduction_pending", table_name="lio_reduction_request")
    op.drop_index("uq_lio_application_pending", table_name="lio_application")
    with op.batch_alter_table("lio_application", schema=None) as batch_op:
        batch_op.drop_column("proof_file_id")
    op.drop_index("uq_planned_lesson_start", table_name="planned_lesson")
