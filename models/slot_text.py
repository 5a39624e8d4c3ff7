"""Intake slots typed as text, in Dutch or English: "di 8 dec 14u-16u, 20 min, lokaal B.204".

dateparser reads "14u", "14u30" and "9 uur" as durations and does not know "volgende maandag" or a time
range, so the time range, the slot length and weekday-only dates are read here; dateparser only gets the
date words left over ("8 dec", "December 8th"). One line (or one part between ";") is one range.
"""

from __future__ import annotations

import json
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
_LENGTH = re.compile(
    r"(?:\b(?:per|slots? of|à|a|van|of|blocks? of|gesprekken van)\s+)?"
    r"(?P<n>\d{1,3})\s*(?:min(?:uten|uut|utes|ute|s)?\.?(?![a-z])|')",
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
_PLACE_PREFIX = re.compile(
    r"^(?:[,;:@\s-]|\b(?:in|at|op|te)\s|\b(?:locatie|plaats|place|location|waar|where)\s*:)+", re.I
)


@dataclass(frozen=True)
class SlotRange:
    """One published range: the day, from start to end, cut into slots of `minutes`, at `place`."""

    day: date
    start: time
    end: time
    minutes: int
    place: str = ""


@dataclass(frozen=True)
class LineProblem:
    """Why a line was not understood: a code the view turns into a sentence, with its details."""

    line: str
    code: str  # no_time | no_date | no_length | bad_time | weekday_mismatch
    detail: dict[str, Any] = field(default_factory=dict)


def parse_slots(text: str, today: date) -> tuple[list[SlotRange], list[LineProblem]]:
    """Every range in `text` (one a line, or separated by ";"), and the lines that could not be read."""
    ranges: list[SlotRange] = []
    problems: list[LineProblem] = []
    for raw in re.split(r"[\n;]+", text):
        line = raw.strip()
        if not line:
            continue
        result = parse_line(line, today)
        (ranges if isinstance(result, SlotRange) else problems).append(result)  # type: ignore[arg-type]
    return ranges, problems


def parse_line(line: str, today: date) -> SlotRange | LineProblem:
    found = find_time_range(line)
    if found is None:
        return LineProblem(line, "no_time")
    match, start, end = found
    if start is None or end is None:
        return LineProblem(line, "bad_time")
    rest_before, rest_after = line[: match.start()], line[match.end() :]
    length = _LENGTH.search(rest_after) or _LENGTH.search(rest_before)
    if length is None:
        return LineProblem(line, "no_length")
    if length.re is _LENGTH and length.string is rest_after:
        between, place = rest_after[: length.start()], rest_after[length.end() :]
    else:
        rest_before = rest_before[: length.start()] + " " + rest_before[length.end() :]
        between, place = "", rest_after
    if not place.strip(" ,;") and between.strip(" ,;"):
        place = between  # "14u-16u in lokaal B.204, 20 min": the place came before the length
    day = read_date(rest_before, today)
    if isinstance(day, LineProblem):
        return LineProblem(line, day.code, day.detail)
    return SlotRange(day, start, end, int(length.group("n")), _PLACE_PREFIX.sub("", place).strip(" ,;"))


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


def read_date(text: str, today: date) -> date | LineProblem:
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
        return _weekday(today, weekdays[0], next_week="week" in others)
    day = _explicit_date(" ".join(others), today)
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


def _explicit_date(text: str, today: date) -> date | None:
    """A day and month (and maybe a year): numeric day-month-year, or words that dateparser reads."""
    if not text:
        return None
    if match := _ISO_DATE.match(text):
        return _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    if match := _NUMERIC_DATE.match(text):
        day, month, year = int(match["d"]), int(match["m"]), match["y"]
        if year:
            return _safe_date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        return _without_year(_safe_date(today.year, month, day), today)
    if not re.search(r"\d", text):
        return None
    parsed = dateparser.parse(
        text,
        languages=["nl", "en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, time(12)),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    if parsed is None:
        return None
    if re.search(r"\d{4}|'\d{2}", text):
        return parsed.date()
    return _without_year(_safe_date(today.year, parsed.month, parsed.day), today)


def _without_year(this_year: date | None, today: date) -> date | None:
    """A date without a year is the next one to come, except one of the last two months: that is a slip
    (and refused as in the past), not a meeting a year ahead."""
    if this_year is None or this_year >= today or today - this_year <= RECENT_PAST:
        return this_year
    return _safe_date(this_year.year + 1, this_year.month, this_year.day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dump_ranges(ranges: list[SlotRange]) -> str:
    """Compact JSON for a button value or a modal's private_metadata (the preview carries what it shows)."""
    return json.dumps(
        [
            {
                "d": r.day.isoformat(),
                "s": r.start.strftime("%H:%M"),
                "e": r.end.strftime("%H:%M"),
                "m": r.minutes,
                "p": r.place,
            }
            for r in ranges
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def load_ranges(raw: str) -> list[SlotRange]:
    """The ranges of dump_ranges; anything malformed (a forged value) gives no ranges."""
    try:
        return [
            SlotRange(
                date.fromisoformat(r["d"]),
                time.fromisoformat(r["s"]),
                time.fromisoformat(r["e"]),
                int(r["m"]),
                str(r.get("p", "")),
            )
            for r in json.loads(raw)
        ]
    except (ValueError, KeyError, TypeError):
        return []
