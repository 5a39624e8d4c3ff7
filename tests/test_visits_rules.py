"""The pure rules of supervisor visits: conflicts with the travel margin, a past lesson, no visit yet."""

from __future__ import annotations

from datetime import date, datetime, time

from models.visits import Slot, conflicts, is_past, without_visit

DAY = date(2027, 3, 9)


def slot(start: time, end: time, school: int, day: date = DAY) -> Slot:
    return Slot(day, start, end, school)


def test_twenty_minutes_between_schools_is_a_conflict() -> None:
    other = slot(time(9, 0), time(9, 50), 1)
    assert conflicts(slot(time(10, 10), time(11, 0), 2), [other]) == [other]


def test_thirty_minutes_between_schools_is_enough() -> None:
    assert conflicts(slot(time(10, 20), time(11, 10), 2), [slot(time(9, 0), time(9, 50), 1)]) == []
    assert conflicts(slot(time(8, 0), time(8, 30), 2), [slot(time(9, 0), time(9, 50), 1)]) == []


def test_same_school_needs_no_margin_but_may_not_overlap() -> None:
    other = slot(time(9, 0), time(9, 50), 1)
    assert conflicts(slot(time(9, 50), time(10, 40), 1), [other]) == []
    assert conflicts(slot(time(9, 40), time(10, 30), 1), [other]) == [other]


def test_another_day_never_conflicts() -> None:
    other = slot(time(9, 0), time(9, 50), 1, date(2027, 3, 10))
    assert conflicts(slot(time(9, 0), time(9, 50), 2), [other]) == []


def test_a_lesson_that_began_is_past() -> None:
    lesson = slot(time(9, 0), time(9, 50), 1)
    assert is_past(lesson, datetime(2027, 3, 9, 9, 0))
    assert not is_past(lesson, datetime(2027, 3, 9, 8, 59))


def test_students_without_a_visit_keep_their_order() -> None:
    assert without_visit([3, 1, 2], {1}) == [3, 2]
