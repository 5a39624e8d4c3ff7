"""The extract's issue date: whether it covers the internships (typed dates are read by `models.date_text`,
with `past=True`: a missing year means the most recent such day)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    return day + relativedelta(months=months)


class IssueDateProblem(StrEnum):
    """Each has a message key `documents.issue_date.<value>`."""

    FUTURE = "future"
    TOO_OLD = "too_old"


def expires_on(issued: date, max_age_months: int) -> date:
    """The last day the extract is recent enough."""
    return add_months(issued, max_age_months)


def issue_date_problem(
    issued: date, today: date, first_internship_day: date | None, max_age_months: int
) -> IssueDateProblem | None:
    """Refused when in the future, or already too old on the first internship day (or today, if later)."""
    if issued > today:
        return IssueDateProblem.FUTURE
    reference = max(today, first_internship_day) if first_internship_day else today
    if expires_on(issued, max_age_months) < reference:
        return IssueDateProblem.TOO_OLD
    return None


def expires_before(issued: date, max_age_months: int, last_internship_day: date | None) -> bool:
    """Accepted but flagged: the extract runs out before the last planned internship day."""
    return last_internship_day is not None and expires_on(issued, max_age_months) < last_internship_day
