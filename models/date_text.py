"""Dates and times as people type them, in Dutch or English: the one reader of typed days and clock times.

Intake slots, typed lessons, spreadsheet cells and an extract's issue date all go through `read_date` and
`find_time_range`. Day first always (as in Belgium: "12/9" is 12 September). Numeric and ISO forms, the
weekday words ("volgende maandag"), relative days and month words with their Dutch abbreviations ("3 okt.",
"12 febr", "12de september") are read here; dateparser reads what is left ("December 8th"). A day without
a year is the next one to come (a meeting, a lesson), or with `past=True` the most recent one (a date on a
certificate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import dateparser

_TIME = (
    r"(?P<h{n}>\d{{1,2}})"
    r"(?:[:.](?P<m{n}>\d{{2}})|\s*(?P<u{n}>[uh]|uur)(?P<um{n}>\d{{2}})?(?![a-z]))?"
    r"(?:\s*(?P<ap{n}>[ap])\.?m\.?(?![a-z]))?"
)
_RANGE = re.compile(
    r"(?<![\d/.:-])(?:\b(?:van|from|between|tussen)\s+)?"
    + _TIME.format(n=1)
    + r"\s*(?:-|–|—|\btot\b|\bto\b|\buntil\b|\btill\b)\s*"
    + _TIME.format(n=2),
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?$")
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun"), 6),
}
RELATIVE_DAYS = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_NEXT = {"volgende", "next", "komende", "coming", "deze", "this"}
RECENT_PAST = timedelta(days=60)
_FILLER = {"op", "on", "the", "de", "van", "from", "om", "at"}
MONTHS: dict[str, int] = {
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
_DAY_MONTH_WORDS = re.compile(
    r"^(?P<d>\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+(?P<m>[a-z]+)(?:\s+(?P<y>\d{4}))?$"
)


@dataclass(frozen=True)
class LineProblem:
    """Why a line was not understood: a code the view turns into a sentence, with its details."""

    line: str
    code: str  # no_time | no_date | no_length | bad_time | weekday_mismatch
    detail: dict[str, Any] = field(default_factory=dict)


def read_date(text: str, today: date, *, past: bool = False) -> date | LineProblem:
    """The day `text` names, or why not (no_date, weekday_mismatch)."""
    words = [w for w in re.split(r"[\s,]+", text.lower().strip(" ,;:-")) if w]
    words = [w.rstrip(".") for w in words if w not in _FILLER]
    if not words:
        return LineProblem(text, "no_date")
    joined = " ".join(words)
    if joined in RELATIVE_DAYS or joined == "day after tomorrow":
        return today + timedelta(days=RELATIVE_DAYS.get(joined, 2))
    weekdays = [WEEKDAYS[w] for w in words if w in WEEKDAYS]
    others = [w for w in words if w not in WEEKDAYS]
    if weekdays and all(w in _NEXT or w == "week" for w in others):
        if past:
            return today - timedelta(days=(today.weekday() - weekdays[0] - 1) % 7 + 1)
        return _weekday(today, weekdays[0], next_week="week" in others)
    day = _explicit_date(" ".join(others), today, past=past)
    if day is None:
        return LineProblem(text, "no_date")
    if weekdays and day.weekday() != weekdays[0]:
        return LineProblem(text, "weekday_mismatch", {"day": day, "weekday": weekdays[0]})
    return day


def _weekday(today: date, weekday: int, *, next_week: bool) -> date:
    """ "maandag" is the coming Monday (never today); "volgende week maandag" the Monday of next week."""
    if next_week:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _explicit_date(text: str, today: date, *, past: bool) -> date | None:
    """A day and month (and maybe a year): numeric, ISO, month words, or what dateparser reads."""
    if not text:
        return None
    if match := _ISO_DATE.match(text):
        return _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    if match := _NUMERIC_DATE.match(text):
        day, month, year = int(match["d"]), int(match["m"]), match["y"]
        if year:
            return _safe_date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        return _without_year(month, day, today, past=past)
    if (match := _DAY_MONTH_WORDS.match(text)) and match["m"] in MONTHS:
        if match["y"]:
            return _safe_date(int(match["y"]), MONTHS[match["m"]], int(match["d"]))
        return _without_year(MONTHS[match["m"]], int(match["d"]), today, past=past)
    if not re.search(r"\d", text):
        return None
    parsed = dateparser.parse(
        text,
        languages=["nl", "en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, time(12)),
            "PREFER_DATES_FROM": "past" if past else "future",
            "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    if parsed is None:
        return None
    if re.search(r"\d{4}|'\d{2}", text):
        return parsed.date()
    return _without_year(parsed.month, parsed.day, today, past=past)


def _without_year(month: int, day: int, today: date, *, past: bool) -> date | None:
    """Coming: the next such day, except one of the last two months, which is a slip (and refused as in
    the past), not a meeting a year ahead. Past: the most recent such day, today included."""
    this_year = _safe_date(today.year, month, day)
    if past:
        if this_year is not None and this_year <= today:
            return this_year
        return _safe_date(today.year - 1, month, day)
    if this_year is None or this_year >= today or today - this_year <= RECENT_PAST:
        return this_year
    return _safe_date(this_year.year + 1, this_year.month, this_year.day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_time_range(line: str) -> tuple[re.Match[str], time | None, time | None] | None:
    """The "from-to" pair: the first one with a clear time of day (14u, 10:00, 2pm), else a bare pair
    of hours after the date ("8/12 14-16"); a bare pair at the start may be a date ("8-12")."""
    bare = None
    for match in _RANGE.finditer(line):
        if any(match.group(f"{g}{n}") for g in ("m", "u", "ap") for n in (1, 2)):
            return match, *_times(match)
        if bare is None and line[: match.start()].strip():
            bare = match
    return (bare, *_times(bare)) if bare is not None else None


def _times(match: re.Match[str]) -> tuple[time | None, time | None]:
    def part(n: int) -> tuple[int, int, str | None]:
        minutes = match.group(f"m{n}") or match.group(f"um{n}") or "0"
        meridiem = match.group(f"ap{n}")
        return int(match.group(f"h{n}")), int(minutes), meridiem.lower() if meridiem else None

    (h1, m1, ap1), (h2, m2, ap2) = part(1), part(2)
    if ap1 is None and ap2 is not None:
        # "2-4pm" is 14:00-16:00, "11-1pm" is 11:00-13:00.
        ap1 = ap2 if _clock(h1, ap2) * 60 + m1 < _clock(h2, ap2) * 60 + m2 else ("a" if ap2 == "p" else "p")
    return clock_time(h1, m1, ap1), clock_time(h2, m2, ap2)


def _clock(hour: int, meridiem: str | None) -> int:
    if meridiem is None:
        return hour
    return hour % 12 + (12 if meridiem == "p" else 0)


def clock_time(hour: int, minute: int, meridiem: str | None) -> time | None:
    if meridiem is not None and not 1 <= hour <= 12:
        return None
    hour = _clock(hour, meridiem)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)
