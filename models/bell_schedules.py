"""A school's bell schedule (lesson periods and their hours), entered once and reused by every student there.

With it, "woensdag 3e lesuur" is a lesson from the 3rd period's start to its end.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from sqlmodel import Field, Session, SQLModel, col, delete, select

from models import audit
from models.date_text import find_time_range
from models.lesson_text import BellSchedule

_PERIOD_LINE = re.compile(
    r"^\s*(?P<n>\d{1,2})\s*(?:e|de|ste|st|nd|rd|th)?\s*(?:lesuur|period|lesson)?\s*[:.)-]?\s*"
)


class BellPeriod(SQLModel, table=True):
    __tablename__ = "bell_period"

    institution_id: int = Field(foreign_key="institution.id", primary_key=True, ondelete="CASCADE")
    period: int = Field(primary_key=True)
    start: time
    end: time


def schedule_of(session: Session, institution_id: int) -> BellSchedule:
    rows = session.exec(
        select(BellPeriod).where(BellPeriod.institution_id == institution_id).order_by(col(BellPeriod.period))
    )
    return {row.period: (row.start, row.end) for row in rows}


def parse_schedule(text: str) -> tuple[BellSchedule, list[int]]:
    """Lines like "3 10u-10u50" or "3e lesuur: 10:00-10:50"; returns the periods and the unreadable lines."""
    schedule: BellSchedule = {}
    bad: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        head = _PERIOD_LINE.match(raw)
        found = find_time_range(raw[head.end() :]) if head else None
        if head is None or found is None or found[1] is None or found[2] is None or found[2] <= found[1]:
            bad.append(number)
            continue
        schedule[int(head["n"])] = (found[1], found[2])
    return schedule, bad


def save_schedule(
    session: Session, institution_id: int, schedule: BellSchedule, *, actor_id: int, now: datetime
) -> None:
    """Replace the school's schedule as a whole (one audit entry)."""
    session.exec(delete(BellPeriod).where(col(BellPeriod.institution_id) == institution_id))
    for period, (start, end) in sorted(schedule.items()):
        session.add(BellPeriod(institution_id=institution_id, period=period, start=start, end=end))
    audit.log(
        session, now, "bell_schedule.saved", actor_id=actor_id, subject=f"institution:{institution_id}",
        periods=len(schedule),
    )  # fmt: skip
