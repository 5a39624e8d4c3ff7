"""The planning rules as pure functions: each failure is one problem with what the student needs to know."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from models.lesson_text import LessonReading
from models.placements import Placement
from models.planning import (
    LessonFacts,
    is_late,
    lesson_hours,
    lesson_problems,
    only_possible_activity,
    placements_for_lessons,
    planning_problems,
    read_lessons,
)

PERIOD = (date(2027, 2, 15), date(2027, 4, 2))
TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def lesson(
    day: date, start: str, end: str, activity: str = "guided", level: str = "aso", grade: int | None = 3
) -> LessonFacts:
    return LessonFacts(day, time.fromisoformat(start), time.fromisoformat(end), activity, level, grade)


def keys(problems: list) -> list[str]:
    return [p.key for p in problems]


def test_a_lesson_hour_is_fifty_minutes_counted_to_the_half_hour() -> None:
    assert lesson_hours(time(10), time(10, 50)) == 1
    assert lesson_hours(time(10), time(11, 40)) == 2
    assert lesson_hours(time(10), time(11, 15)) == 1.5


def test_a_lesson_outside_the_period_in_the_past_or_overlapping_is_flagged() -> None:
    ok = lesson(date(2027, 2, 15), "10:00", "10:50")
    assert lesson_problems(ok, PERIOD, ["guided"], [], TODAY) == []
    late = lesson(date(2027, 4, 5), "10:00", "10:50")
    assert keys(lesson_problems(late, PERIOD, ["guided"], [], TODAY)) == ["planning.rule.outside_period"]
    past = lesson(date(2026, 11, 20), "10:00", "10:50")
    assert "planning.rule.past" in keys(lesson_problems(past, PERIOD, ["guided"], [], TODAY))
    other = lesson(date(2027, 2, 15), "10:30", "11:20")
    assert keys(lesson_problems(ok, PERIOD, ["guided"], [other], TODAY)) == ["planning.rule.overlap"]
    after = lesson(date(2027, 2, 15), "10:50", "11:40")  # back to back is no overlap
    assert lesson_problems(ok, PERIOD, ["guided"], [after], TODAY) == []
    wrong = lesson(date(2027, 2, 15), "10:00", "10:50", activity="tutoring")
    assert keys(lesson_problems(wrong, PERIOD, ["guided"], [], TODAY)) == ["planning.rule.activity"]


def test_a_weekend_day_or_a_closure_day_is_not_a_school_day() -> None:
    sunday = lesson(date(2027, 3, 7), "10:00", "10:50")
    found = lesson_problems(sunday, PERIOD, ["guided"], [], TODAY)
    assert keys(found) == ["planning.rule.weekend"] and found[0].params["weekday"] == 6
    saturday = lesson(date(2027, 3, 6), "10:00", "10:50")
    assert keys(lesson_problems(saturday, PERIOD, ["guided"], [], TODAY)) == ["planning.rule.weekend"]
    easter = {date(2027, 3, 29) + timedelta(days=i) for i in range(12)}
    holiday = lesson(date(2027, 3, 30), "10:00", "10:50")
    assert keys(lesson_problems(holiday, PERIOD, ["guided"], [], TODAY, easter)) == ["planning.rule.closed"]
    assert lesson_problems(holiday, PERIOD, ["guided"], [], TODAY) == []  # a Tuesday, without closures


def _hours(n: int, activity: str, **kw: object) -> list[LessonFacts]:
    return [lesson(date(2027, 2, 15 + i), "10:00", "10:50", activity, **kw) for i in range(n)]  # type: ignore[arg-type]


def test_required_hours_per_activity() -> None:
    required = {"co_teaching": 2, "guided": 7}
    enough = _hours(2, "co_teaching") + _hours(7, "guided")
    assert planning_problems(required, enough, [], 100, None) == []
    short = planning_problems(required, _hours(2, "co_teaching") + _hours(5, "guided"), [], 100, None)
    assert [(p.key, p.params["activity"], p.params["planned"]) for p in short] == [
        ("planning.rule.hours", "guided", 5)
    ]


def test_twelve_hours_in_grades_two_and_three_over_the_internship() -> None:
    low = _hours(9, "guided", grade=1)
    assert keys(planning_problems({}, low, [], 11, None)) == ["planning.rule.upper_grades"]
    assert planning_problems({}, low, [], 12, None) == []  # still reachable with what is not planned yet
    assert planning_problems({}, _hours(6, "guided"), _hours(6, "guided"), 0, None) == []


def test_at_most_ten_alternative_hours() -> None:
    museum = _hours(11, "guided", level="alternative", grade=None)
    problems = planning_problems({}, museum, [], 100, None)
    assert keys(problems) == ["planning.rule.alternative"] and problems[0].params["hours"] == 11


def test_as_many_hours_for_x_as_for_y() -> None:
    assert keys(planning_problems({}, [], [], 100, (9.0, 8.0))) == ["planning.rule.x_equals_y"]
    assert planning_problems({}, [], [], 100, (9.0, 9.0)) == []


def test_fourteen_days_before_the_first_lesson_or_late() -> None:
    assert not is_late(date(2027, 2, 15), date(2027, 2, 1), 14)
    assert is_late(date(2027, 2, 15), date(2027, 2, 2), 14)


def _reading(day: int, activity: str | None = None) -> LessonReading:
    return LessonReading(date(2027, 2, day), time(10), time(10, 50), "5B", 5, activity=activity)


def test_a_line_without_an_activity_takes_the_only_possible_one() -> None:
    required = {"co_teaching": 2, "guided": 7}
    assert only_possible_activity(["tutoring"], {"tutoring": 20}, {}) == "tutoring"
    assert only_possible_activity(["co_teaching", "guided"], required, {}) is None  # the line must say
    assert only_possible_activity(["co_teaching", "guided"], required, {"co_teaching": 2}) == "guided"
    both_done = {"co_teaching": 2, "guided": 7}
    assert only_possible_activity(["co_teaching", "guided"], required, both_done) is None
    placement = Placement(
        student_id=1, institution_id=1, course_code="VDX2", activities=["co_teaching", "guided"], semester=2,
        level="aso", grade=3, start=date(2027, 2, 15), end=date(2027, 4, 2), hours=9, placed_at=NOW,
    )  # fmt: skip
    existing = [lesson(date(2027, 2, 15), "10:00", "10:50", "co_teaching")]
    read = read_lessons(
        [(1, _reading(16)), (2, _reading(17, "guided")), (3, _reading(18))], placement, required, existing
    )
    assert [(x.lesson["activity"], x.taken) for x in read] == [
        ("", None),  # one co-teaching hour still open, and guided: which one is not known
        ("guided", None),
        ("", None),
    ]
    existing.append(lesson(date(2027, 2, 16), "10:00", "10:50", "co_teaching"))
    read = read_lessons([(1, _reading(17))], placement, required, existing)
    assert [(x.lesson["activity"], x.taken) for x in read] == [("guided", "guided")]


def test_lessons_typed_without_a_placement_go_where_their_days_and_activity_fit() -> None:
    def placement(pid: int, course: str, activities: list[str], start: date, end: date) -> Placement:
        return Placement(
            id=pid, student_id=1, institution_id=1, course_code=course, activities=activities, semester=2,
            level="aso", grade=3, start=start, end=end, hours=9, placed_at=NOW,
        )  # fmt: skip

    vdx1 = placement(1, "VDX1", ["observation", "co_teaching"], date(2026, 11, 9), date(2026, 12, 4))
    vdx2 = placement(2, "VDX2", ["co_teaching", "guided"], date(2027, 2, 15), date(2027, 4, 2))
    lil = placement(3, "LIL", ["tutoring"], date(2027, 2, 15), date(2027, 5, 14))
    everything = [vdx1, vdx2, lil]
    assert placements_for_lessons(everything, lambda _: [_reading(16)]) == [vdx2, lil]
    assert placements_for_lessons(everything, lambda _: [_reading(16, "guided")]) == [vdx2]
    none_fits = placements_for_lessons(everything, lambda _: [_reading(16, "observation")])
    assert none_fits == everything  # then the student is asked among them all
    # a lesson period is read with each placement's own bell times: where there are none, no lesson
    assert placements_for_lessons(everything, lambda p: [_reading(16)] if p is lil else []) == [lil]
