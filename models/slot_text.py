"""Intake slots typed as text, in Dutch or English: "di 8 dec 14u-16u, 20 min, lokaal B.204".

The day and the time range are read by `models.date_text` (the one reader of typed dates and times); the
slot length and the place are read here. One line (or one part between ";") is one range.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, time

from models.date_text import LineProblem, find_time_range, read_date

_LENGTH = re.compile(
    r"(?:\b(?:per|slots? of|à|a|van|of|blocks? of|gesprekken van)\s+)?"
    r"(?P<n>\d{1,3})\s*(?:min(?:uten|uut|utes|ute|s)?\.?(?![a-z])|')",
    re.IGNORECASE,
)
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
