"""Typed intake slots: real phrases in Dutch and English, and the lines that must be refused."""

from __future__ import annotations

from datetime import date, time

import pytest

from models.slot_text import SlotRange, dump_ranges, load_ranges, parse_slots

TODAY = date(2026, 11, 28)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("di 8 dec 14u-16u, 20 min", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        (
            "dinsdag 8 december van 14u tot 16u, 20 minuten, lokaal B.204",
            SlotRange(date(2026, 12, 8), time(14), time(16), 20, "lokaal B.204"),
        ),
        ("8/12 9u30-12u 15 min", SlotRange(date(2026, 12, 8), time(9, 30), time(12), 15)),
        (
            "wo 9 dec 9 uur - 11 uur, 30 min, https://teams.example/abc",
            SlotRange(date(2026, 12, 9), time(9), time(11), 30, "https://teams.example/abc"),
        ),
        ("volgende maandag 10:00-11:40, 20 min", SlotRange(date(2026, 11, 30), time(10), time(11, 40), 20)),
        ("volgende week dinsdag 9u-10u, 20 min", SlotRange(date(2026, 12, 1), time(9), time(10), 20)),
        (
            "morgen 14u30-15u30 per 15 min in lokaal 2.14",
            SlotRange(date(2026, 11, 29), time(14, 30), time(15, 30), 15, "lokaal 2.14"),
        ),
        ("8 dec 14-16, 20 min", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        ("8-12 14.00-16.00 20'", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        (
            "do 10 dec 13u-14u, 20 min, locatie: campus Etterbeek",
            SlotRange(date(2026, 12, 10), time(13), time(14), 20, "campus Etterbeek"),
        ),
        ("12 januari 9u-12u, 30 min", SlotRange(date(2027, 1, 12), time(9), time(12), 30)),
        ("Tue 8 Dec 2pm-4pm, 20 min", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        ("Tuesday 8 December 14:00-16:00, 20 minutes", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        ("Dec 8 2-4pm 20 min", SlotRange(date(2026, 12, 8), time(14), time(16), 20)),
        (
            "next Friday 11-1pm, 30 mins, Room 3.02",
            SlotRange(date(2026, 12, 4), time(11), time(13), 30, "Room 3.02"),
        ),
        (
            "10 December 2026 from 9 am to 11 am, 20 min, Teams",
            SlotRange(date(2026, 12, 10), time(9), time(11), 20, "Teams"),
        ),
        ("2026-12-10 13.00-15.00 slots of 20 min", SlotRange(date(2026, 12, 10), time(13), time(15), 20)),
        ("tomorrow 9:30am-10:30am, 15 min", SlotRange(date(2026, 11, 29), time(9, 30), time(10, 30), 15)),
    ],
)
def test_a_typed_range_is_read(text: str, expected: SlotRange) -> None:
    ranges, problems = parse_slots(text, TODAY)
    assert problems == []
    assert ranges == [expected]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("di 8 dec, 20 min", "no_time"),
        ("8 dec 14u-16u", "no_length"),
        ("14u-16u, 20 min", "no_date"),
        ("blabla 14u-16u 20 min", "no_date"),
        ("di 8 dec 25u-26u, 20 min", "bad_time"),
        ("wo 8 dec 14u-16u, 20 min", "weekday_mismatch"),  # 8 December 2026 is a Tuesday
        ("di 6 okt 2027 14u-16u, 20 min", "weekday_mismatch"),
        ("Mon 8 Dec 2pm-4pm, 20 min", "weekday_mismatch"),
    ],
)
def test_a_line_that_cannot_be_read_says_why(text: str, code: str) -> None:
    ranges, problems = parse_slots(text, TODAY)
    assert ranges == []
    assert [p.code for p in problems] == [code]


def test_several_ranges_one_a_line_or_separated_by_semicolons() -> None:
    text = "di 8 dec 14u-16u, 20 min; wo 9 dec 10:00-11:00, 30 min\nvr 11 dec 9u-10u, 15 min, lokaal 1"
    ranges, problems = parse_slots(text, TODAY)
    assert problems == []
    assert [(r.day.day, r.minutes, r.place) for r in ranges] == [
        (8, 20, ""),
        (9, 30, ""),
        (11, 15, "lokaal 1"),
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("3/9 14u-15u, 20 min", date(2027, 9, 3)),
        ("3 sept 14u-15u, 20 min", date(2027, 9, 3)),
        ("di 6 okt 14u-15u, 20 min", date(2026, 10, 6)),  # the example, typed too late
        ("27/11 14u-15u, 20 min", date(2026, 11, 27)),  # yesterday: a slip, refused later as in the past
        ("27 nov 14u-15u, 20 min", date(2026, 11, 27)),
        ("3/10/2027 14u-15u, 20 min", date(2027, 10, 3)),
    ],
)
def test_a_day_without_year_is_the_next_one_unless_just_past(text: str, day: date) -> None:
    ranges, _ = parse_slots(text, TODAY)
    assert ranges[0].day == day


def test_the_preview_carries_the_ranges_and_refuses_a_forged_value() -> None:
    ranges, _ = parse_slots("di 8 dec 14u-16u, 20 min, lokaal B.204", TODAY)
    assert load_ranges(dump_ranges(ranges)) == ranges
    assert load_ranges('[{"d": "not a date"}]') == []
    assert load_ranges("nonsense") == []
