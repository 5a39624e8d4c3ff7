"""Supervisor visits (stagebezoek): the pure rules. A supervisor attends one lesson of a student's approved
planning; two visits the same day conflict when they overlap, or when the lessons are at different schools
with less than the travel margin between them (the same school needs no margin).

Only the rules live here so far; the visit table, the flows and the Slack side come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

TRAVEL = timedelta(minutes=30)


@dataclass(frozen=True)
class Slot:
    """One visited (or proposed) lesson: its day, its hours and the school it is at."""

    day: date
    start: time
    end: time
    institution_id: int


def _span(slot: Slot) -> tuple[datetime, datetime]:
    return datetime.combine(slot.day, slot.start), datetime.combine(slot.day, slot.end)


def conflicts(proposed: Slot, planned: list[Slot], travel: timedelta = TRAVEL) -> list[Slot]:
    """The supervisor's other visits that day that the proposed one clashes with: an overlap, or less than
    `travel` between the lessons when they are at different schools."""
    start, end = _span(proposed)
    found = []
    for other in planned:
        if other.day != proposed.day:
            continue
        other_start, other_end = _span(other)
        margin = timedelta(0) if other.institution_id == proposed.institution_id else travel
        if start < other_end + margin and other_start < end + margin:
            found.append(other)
    return found


def is_past(slot: Slot, now_local: datetime) -> bool:
    """A lesson that has begun can no longer be planned as a visit (`now_local` in the school's zone,
    naive)."""
    return datetime.combine(slot.day, slot.start) <= now_local.replace(tzinfo=None)


def without_visit(students: list[int], visited: set[int]) -> list[int]:
    """The students (in the given order) that had no visit yet in the period."""
    return [s for s in students if s not in visited]
