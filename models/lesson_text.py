"""Planned lessons typed as text, one a line, in Dutch or English: "ma 15/2 10u-10u50 5B lokaal 204 breuken".

The time range and the date words are read by the intake's slot parser (models.slot_text), which already
knows "10u", "14u30", "9am", "volgende maandag" and a weekday that contradicts the date; this module adds
what a lesson has beyond a slot: a lesson period of the school's bell schedule ("3e lesuur"), the class
("5B", "6ASO-b"), the room, the activity and the topic. A line is never guessed: what is unclear is a
problem of that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from models.date_text import LineProblem, clock_time, find_time_range, read_date

# "3e lesuur", "3de lesuur", "lesuur 3", "3rd period", "period 3", "lesson 3"
_PERIOD = re.compile(
    r"\b(?:(?P<n1>\d{1,2})\s*(?:e|de|ste|st|nd|rd|th)?\s*(?:lesuur|period|lesson)"
    r"|(?:lesuur|period|lesson)\s*(?P<n2>\d{1,2}))\b",
    re.IGNORECASE,
)
_ORDINAL_SUFFIXES = {"e", "de", "ste", "st", "nd", "rd", "th", "u", "h", "uur", "am", "pm", "min"}
_CLASS = re.compile(
    r"(?<![\w/.:-])(?P<year>[1-7])\s?(?P<rest>[A-Za-z]{1,4}(?:[-.][A-Za-z0-9]{1,3})?)(?![\w/])"
)
_ROOM = re.compile(
    r"\b(?:lokaal|lok\.?|klaslokaal|zaal|room|rm\.?|classroom)\s*:?\s*(?P<room>[A-Za-z0-9][\w.\-/]*)",
    re.IGNORECASE,
)
_LEVEL_WORDS = {"aso": "aso", "bso": "bso", "tso": "tso", "kso": "kso"}
ACTIVITY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("observatie", "observeren", "observation", "observe", "obs", "participerend observeren"),
        "observation",
    ),
    "participatory observation": "observation",
    **dict.fromkeys(
        ("co-teaching", "coteaching", "co-teach", "duo-les", "duoles", "co-teaching:"), "co_teaching"
    ),
    **dict.fromkeys(("begeleid", "begeleide", "begeleide stage", "guided", "guided teaching"), "guided"),
    **dict.fromkeys(
        ("zelfstandig", "zelfstandige", "zelfstandige stage", "independent", "independent teaching", "solo"),
        "independent",
    ),
    **dict.fromkeys(("tutor", "tutoring", "tutorstage", "tutoring internship", "bijles"), "tutoring"),
    **dict.fromkeys(("werkplekleertaak", "workplace", "workplace learning task"), "workplace_task"),
}  # the activities' own names, as the bot writes them, are read too: a line may copy them
_ACTIVITY = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ACTIVITY_WORDS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_TOPIC_PREFIX = re.compile(r"^(?:[,;:\s-]|\b(?:over|about|onderwerp|topic|thema)\b\s*:?)+", re.IGNORECASE)

BellSchedule = dict[int, tuple[time, time]]  # lesson period -> (start, end)


@dataclass(frozen=True)
class LessonReading:
    """What one line says: the lesson as the bot understood it (the preview shows it back)."""

    day: date
    start: time
    end: time
    class_name: str = ""
    year: int | None = None  # the class's year of secondary school (1-7), when the class names it
    level: str | None = None  # aso/bso/tso/kso when the class names it
    room: str = ""
    topic: str = ""
    activity: str | None = None
    period: int | None = None  # the bell schedule's lesson period, when the line named one
    mentor: str = ""


@dataclass(frozen=True)
class LineReading:
    """One input line: its number, its text, and either the lesson or why it was not understood."""

    number: int
    line: str
    lesson: LessonReading | None
    problem: str | None = None  # no_time | bad_time | no_date | weekday_mismatch | end_before_start | ...
    detail: dict[str, Any] = field(default_factory=dict)


def grade_of_year(year: int | None) -> int | None:
    """Flemish secondary school: years 1-2 are the 1st grade, 3-4 the 2nd, 5-7 the 3rd."""
    if year is None:
        return None
    return 1 if year <= 2 else 2 if year <= 4 else 3


def parse_lessons(text: str, today: date, bells: BellSchedule | None = None) -> list[LineReading]:
    """Every non-empty line of `text`, read as one lesson (or with the problem that stops it)."""
    readings = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("•*-– ").strip()
        if line:
            readings.append(parse_lesson(line, today, bells or {}, number))
    return readings


LESSON_LIKE_PROBLEMS = frozenset({"no_bell_schedule", "unknown_period", "weekday_mismatch"})


def looks_like_lessons(readings: list[LineReading]) -> bool:
    """Whether a DM is meant as lessons: a line read as one, or one that names a lesson period or a date
    with its weekday (its problem is then worth showing, not a pointer to the help)."""
    return any(r.lesson is not None or r.problem in LESSON_LIKE_PROBLEMS for r in readings)


def parse_lesson(line: str, today: date, bells: BellSchedule, number: int = 1) -> LineReading:
    found = find_time_range(line)
    period: int | None = None
    if found is not None:
        match, start, end = found
        if start is None or end is None:
            return LineReading(number, line, None, "bad_time")
        before, after = line[: match.start()], line[match.end() :]
    else:
        period_match = _PERIOD.search(line)
        if period_match is None:
            return LineReading(number, line, None, "no_time")
        period = int(period_match["n1"] or period_match["n2"])
        if not bells:
            return LineReading(number, line, None, "no_bell_schedule", {"period": period})
        if period not in bells:
            return LineReading(number, line, None, "unknown_period", {"period": period})
        start, end = bells[period]
        before, after = line[: period_match.start()], line[period_match.end() :]
    if end <= start:
        return LineReading(number, line, None, "end_before_start")
    details, before = _take_details(before)
    more, after = _take_details(after)
    details = {k: details.get(k) or more.get(k) for k in set(details) | set(more)}
    day = read_date(before, today)
    if isinstance(day, LineProblem):
        return LineReading(number, line, None, day.code, dict(day.detail))
    topic = _TOPIC_PREFIX.sub("", re.sub(r"\s*[,;]\s*(?=[,;]|$)", "", after)).strip(" ,;.")
    topic = re.sub(r"\s{2,}", " ", re.sub(r"\s*,\s*,", ",", topic))
    return LineReading(
        number,
        line,
        LessonReading(
            day=day,
            start=start,
            end=end,
            class_name=details.get("class_name") or "",
            year=details.get("year"),
            level=details.get("level"),
            room=details.get("room") or "",
            topic=topic[:200],
            activity=details.get("activity"),
            period=period,
        ),
    )


def _take_details(text: str) -> tuple[dict[str, Any], str]:
    """The class, room and activity named in `text`, and what is left once they are cut out."""
    found: dict[str, Any] = {}
    if room := _ROOM.search(text):
        found["room"] = room["room"]
        text = text[: room.start()] + " , " + text[room.end() :]
    if activity := _ACTIVITY.search(text):
        found["activity"] = ACTIVITY_WORDS[" ".join(activity[1].lower().split())]
        text = text[: activity.start()] + " , " + text[activity.end() :]
    for match in _CLASS.finditer(text):
        rest = match["rest"]
        if rest.lower() in _ORDINAL_SUFFIXES:
            continue
        found["class_name"] = f"{match['year']}{rest}"
        found["year"] = int(match["year"])
        level = next((v for k, v in _LEVEL_WORDS.items() if k in rest.lower()), None)
        if level:
            found["level"] = level
        text = text[: match.start()] + " , " + text[match.end() :]
        break
    return found, text


def parse_clock(text: str) -> time | None:
    """One time of day as typed in a form or a spreadsheet cell: "10:00", "10u50", "10.50", "10u", "14h"."""
    cleaned = re.sub(r"\s+", "", text.lower())
    match = re.fullmatch(r"(\d{1,2})(?:[:.uh](\d{2})?)?(?:uur)?", cleaned)
    if match is None:
        return None
    return clock_time(int(match[1]), int(match[2] or 0), None)
