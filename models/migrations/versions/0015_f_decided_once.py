"""decided once: the natural keys that let the database decide between two requests at the same moment

Revision ID: 0015_f
Revises: 0010, 0011, 0014
Create Date: 2026-11-29 10:00:00

Rows that two requests at once already stored twice are first reduced to one, so the keys can be built.
"""

from __future__ import annotations

import sqlalchemy as sa
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


def upgrade() -> None:
    _keep_first_lesson()
    op.create_index("uq_planned_lesson_start", "planned_lesson", ["version_id", "day", "start"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_planned_lesson_start", table_name="planned_lesson")
