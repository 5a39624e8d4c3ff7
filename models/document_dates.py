"""The extract's issue date: read it as students type it, and judge whether it covers the internships.

Typed dates are parsed here rather than by dateparser, which reads "12/9" month-first and misses Dutch
abbreviations: day first always (as in Belgium), a missing year means the most recent such day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import StrEnum

MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "february", "feb", "febr"), 2),
    **dict.fromkeys(("maart", "march", "mrt", "mar", "maa"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("augustus", "august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_WORDS = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _make(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        if year is not None:
            return date(year if year >= 100 else 2000 + year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def parse_typed_date(text: str, today: date) -> date | None:
    """ "12 september 2026", "12 sept", "12/9", "12-09-2026", "2026-09-12"; None when it is no date."""
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    cleaned = re.sub(r"^(op|on|de|the)\s+", "", cleaned)
    if match := _ISO.match(cleaned):
        return _make(int(match[1]), int(match[2]), int(match[3]), today)
    if match := _NUMERIC.match(cleaned):
        year = int(match[3]) if match[3] else None
        return _make(year, int(match[2]), int(match[1]), today)
    if (match := _WORDS.match(cleaned)) and match[2] in MONTHS:
        year = int(match[3]) if match[3] else None
        return _make(year, MONTHS[match[2]], int(match[1]), today)
    return None


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
