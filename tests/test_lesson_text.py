"""Lessons as students type them, in Dutch and English: each phrase and what it reads as (or its problem)."""

from __future__ import annotations

from datetime import date, time

import pytest

from models.lesson_text import grade_of_year, looks_like_lessons, parse_clock, parse_lesson, parse_lessons

TODAY = date(2026, 11, 28)  # a Saturday
BELLS = {1: (time(8, 25), time(9, 15)), 3: (time(10, 0), time(10, 50))}

# phrase -> (day, start, end, class, room, topic, activity)
READ = [
    (
        "ma 15/2 10u-10u50 5B lokaal 204 breuken",
        (date(2027, 2, 15), "10:00", "10:50", "5B", "204", "breuken", None),
    ),
    (
        "dinsdag 16 februari om 10u tot 10u50, 6ASO-b, lokaal 12",
        (date(2027, 2, 16), "10:00", "10:50", "6ASO-b", "12", "", None),
    ),
    ("15-02-2027 10:00-10:50 3BSO", (date(2027, 2, 15), "10:00", "10:50", "3BSO", "", "", None)),
    ("volgende maandag 14u30-15u20", (date(2026, 11, 30), "14:30", "15:20", "", "", "", None)),
    ("Tue 16 Feb 9am-9:50am 4A room 3", (date(2027, 2, 16), "09:00", "09:50", "4A", "3", "", None)),
    ("woensdag 3e lesuur", (date(2026, 12, 2), "10:00", "10:50", "", "", "", None)),
    (
        "Wednesday 1st period 2B observation",
        (date(2026, 12, 2), "08:25", "09:15", "2B", "", "", "observation"),
    ),
    (
        "17/2 13u-14u40 observatie 2A lokaal B.12 over de stelling van Pythagoras",
        (date(2027, 2, 17), "13:00", "14:40", "2A", "B.12", "de stelling van Pythagoras", "observation"),
    ),
    (
        "wed 17 feb 8:25-9:15 co-teaching 6 TSO-a room 2.14 topic: vectors",
        (date(2027, 2, 17), "08:25", "09:15", "6TSO-a", "2.14", "vectors", "co_teaching"),
    ),
    (
        "do 18/2 van 13u tot 13u50 begeleid 3A lok. 7 gelijkvormigheid",
        (date(2027, 2, 18), "13:00", "13:50", "3A", "7", "gelijkvormigheid", "guided"),
    ),
    (
        "Friday 19 February 2pm-2:50pm independent 5C quadratic equations",
        (date(2027, 2, 19), "14:00", "14:50", "5C", "", "quadratic equations", "independent"),
    ),
    (
        "- 22/02/2027 11.00-11.50 4B zelfstandig",
        (date(2027, 2, 22), "11:00", "11:50", "4B", "", "", "independent"),
    ),
    (  # the activity's own name, as the bot writes it, is read whole (not "stage" left in the topic)
        "ma 15/2 10u-10u50 5B begeleide stage breuken",
        (date(2027, 2, 15), "10:00", "10:50", "5B", "", "breuken", "guided"),
    ),
    (
        "Mon 15 Feb 10am-10:50am 5B guided teaching fractions",
        (date(2027, 2, 15), "10:00", "10:50", "5B", "", "fractions", "guided"),
    ),
]

PROBLEMS = [
    ("di 15/2 10u-10u50 5B", "weekday_mismatch"),  # 15 February 2027 is a Monday: flagged, not guessed
    ("Wed 16 Feb 9am-9:50am 4A", "weekday_mismatch"),
    ("ma 15/2 5B breuken", "no_time"),
    ("ma 15/2 10u50-10u", "end_before_start"),
    ("ergens 10u-10u50", "no_date"),
    ("ma 15/2 25u-26u", "bad_time"),
    ("woensdag 9e lesuur", "unknown_period"),
]


@pytest.mark.parametrize(("phrase", "expected"), READ, ids=[p for p, _ in READ])
def test_a_phrase_reads_as_the_lesson_it_means(phrase: str, expected: tuple) -> None:
    reading = parse_lessons(phrase, TODAY, BELLS)[0]
    assert reading.problem is None, reading
    lesson = reading.lesson
    assert lesson is not None
    day, start, end, class_name, room, topic, activity = expected
    assert (lesson.day, lesson.start.strftime("%H:%M"), lesson.end.strftime("%H:%M")) == (day, start, end)
    assert (lesson.class_name, lesson.room, lesson.topic, lesson.activity) == (
        class_name,
        room,
        topic,
        activity,
    )


@pytest.mark.parametrize(("phrase", "problem"), PROBLEMS, ids=[p for p, _ in PROBLEMS])
def test_an_unclear_phrase_is_a_problem_of_its_line(phrase: str, problem: str) -> None:
    reading = parse_lesson(phrase, TODAY, BELLS)
    assert reading.lesson is None and reading.problem == problem


def test_a_period_without_the_schools_bell_schedule_is_a_problem_not_a_guess() -> None:
    reading = parse_lesson("woensdag 3e lesuur", TODAY, {})
    assert reading.problem == "no_bell_schedule" and reading.detail == {"period": 3}


def test_the_weekday_mismatch_names_the_date_and_the_weekday_typed() -> None:
    reading = parse_lesson("di 15/2 10u-10u50", TODAY, {})
    assert reading.detail == {"day": date(2027, 2, 15), "weekday": 1}


def test_lines_keep_their_numbers_and_blank_lines_are_skipped() -> None:
    readings = parse_lessons("ma 15/2 10u-10u50 5B\n\n  \ndi 15/2 10u-10u50\n", TODAY)
    assert [(r.number, r.problem) for r in readings] == [(1, None), (4, "weekday_mismatch")]


def test_class_year_gives_the_grade_and_the_level() -> None:
    lesson = parse_lesson("ma 15/2 10u-10u50 6ASO-b", TODAY, {}).lesson
    assert lesson is not None and (lesson.year, lesson.level) == (6, "aso")
    assert [grade_of_year(y) for y in (1, 2, 3, 4, 5, 6, 7, None)] == [1, 1, 2, 2, 3, 3, 3, None]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("10:00", time(10)), ("10u50", time(10, 50)), ("10.50", time(10, 50)), ("10u", time(10)),
     ("14h", time(14)), ("9", time(9)), ("10 u 50", time(10, 50)), ("25:00", None), ("10:75", None),
     ("tien", None), ("", None)],
)  # fmt: skip
def test_a_single_time_in_a_form_or_a_cell(typed: str, expected: time | None) -> None:
    assert parse_clock(typed) == expected


def test_a_dm_reads_as_lessons_when_a_line_is_one_or_names_a_lesson_period() -> None:
    assert looks_like_lessons(parse_lessons("ma 15/2 10u-10u50 5B lokaal 204 breuken", TODAY))
    assert looks_like_lessons(parse_lessons("woensdag 3e lesuur", TODAY))  # no bell times: still meant
    assert not looks_like_lessons(parse_lessons("hallo\nkan ik morgen om 10u langskomen?", TODAY))
    assert not looks_like_lessons(parse_lessons("voorkeuren", TODAY))
