"""The reminder rules as pure functions: each kind on its day and not before, newest only, days off."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from models.catalogue import load_catalogue
from models.progress import Step, StepState
from models.reminder_plan import (
    Item,
    StudentState,
    approval_items,
    channel_items,
    digest_items,
    escalation_items,
    ignored_reminders,
    plan,
    student_items,
)

CATALOGUE = load_catalogue()
RULES = CATALOGUE.reminders


def anna(**steps: tuple[StepState, datetime]) -> StudentState:
    return StudentState(1, "U0ANNA", ("U0SUP",), {Step[name]: value for name, value in steps.items()})


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def kinds(items: list[Item]) -> list[tuple[str, str, str]]:
    return [(i.kind, i.subject, i.due.isoformat()) for i in items]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2027-01-21", []),  # a day before the first reminder (7 days before 29 January)
        ("2027-01-22", [("deadline", "documents_sem2:2027-01-29", "2027-01-22")]),
        ("2027-01-26", [("deadline", "documents_sem2:2027-01-29", "2027-01-22")]),  # after downtime: once
        ("2027-01-27", [("deadline", "documents_sem2:2027-01-29", "2027-01-27")]),  # newest only
    ],
)
def test_a_deadline_reminder_fires_on_its_day_and_not_before(
    today: str, expected: list[tuple[str, ...]]
) -> None:
    student = anna(AGREEMENT=(StepState.DONE, at("2026-10-01")), PLANNING=(StepState.DONE, at("2026-10-01")))
    assert kinds(student_items(CATALOGUE, student, date.fromisoformat(today))) == expected


@pytest.mark.parametrize(
    ("today", "due"),
    [
        ("2027-01-24", None),
        ("2027-01-25", "2027-01-25"),
        ("2027-01-29", "2027-01-29"),
        ("2027-02-01", "2027-02-01"),
    ],
)
def test_the_planning_is_nagged_21_17_and_14_days_before_the_first_lesson(
    today: str, due: str | None
) -> None:
    student = anna(DOCUMENTS=(StepState.DONE, at("2026-10-01")), AGREEMENT=(StepState.DONE, at("2026-10-01")))
    planning = [
        i for i in student_items(CATALOGUE, student, date.fromisoformat(today)) if i.kind == "deadline"
    ]
    assert [i.due.isoformat() for i in planning] == ([due] if due else [])
    assert all(i.step == Step.PLANNING for i in planning)


def test_a_finished_step_is_not_nagged() -> None:
    done = anna(
        DOCUMENTS=(StepState.DONE, at("2026-10-01")),
        AGREEMENT=(StepState.NOT_REQUIRED, at("2026-10-01")),
        PLANNING=(StepState.DONE, at("2026-10-01")),
    )
    assert student_items(CATALOGUE, done, date(2027, 1, 27)) == []


def test_nothing_goes_out_on_weekends_and_closure_days() -> None:
    student = anna()
    for day in (
        date(2027, 1, 23),
        date(2026, 12, 22),
        date(2026, 11, 11),
    ):  # Saturday, Christmas, 11 November
        assert plan(CATALOGUE, [student], ["U0COORD"], "C0ANN", set(), {}, day) == []
    assert plan(CATALOGUE, [student], ["U0COORD"], "C0ANN", set(), {}, date(2027, 1, 22)) != []


def test_something_sent_back_is_nagged_after_two_working_days_and_then_every_two() -> None:
    student = anna(DOCUMENTS=(StepState.SENT_BACK, at("2026-11-27")))  # a Friday
    assert [i for i in student_items(CATALOGUE, student, date(2026, 11, 30)) if i.kind == "resubmit"] == []
    due = [i.due for i in student_items(CATALOGUE, student, date(2026, 12, 1)) if i.kind == "resubmit"]
    assert due == [date(2026, 12, 1)]
    due = [i.due for i in student_items(CATALOGUE, student, date(2026, 12, 4)) if i.kind == "resubmit"]
    assert due == [date(2026, 12, 3)]


def test_a_part_of_a_step_that_waits_is_reminded_although_the_step_is_still_in_progress() -> None:
    student = StudentState(
        1, "U0ANNA", ("U0SUP",), {Step.DOCUMENTS: (StepState.IN_PROGRESS, at("2026-11-23"))},
        waiting={Step.DOCUMENTS: at("2026-11-23")},
    )  # fmt: skip
    assert approval_items(student, RULES, date(2026, 11, 24)) == []
    items = approval_items(student, RULES, date(2026, 11, 25))
    assert [(i.recipient, i.step, i.since) for i in items] == [("U0SUP", Step.DOCUMENTS, date(2026, 11, 23))]
    # the step waits as a whole later (the second upload): the series keeps running from the first one
    later = StudentState(
        1, "U0ANNA", ("U0SUP",), {Step.DOCUMENTS: (StepState.AWAITING_REVIEW, at("2026-11-26"))},
        waiting={Step.DOCUMENTS: at("2026-11-23")},
    )  # fmt: skip
    assert [i.subject for i in approval_items(later, RULES, date(2026, 11, 27))] == [items[0].subject]


def test_supervisors_hear_of_approvals_waiting_more_than_two_working_days() -> None:
    student = anna(DOCUMENTS=(StepState.AWAITING_REVIEW, at("2026-11-23")))  # a Monday
    assert approval_items(student, RULES, date(2026, 11, 24)) == []
    items = approval_items(student, RULES, date(2026, 11, 25))
    assert [(i.recipient, i.kind, i.student_slack_id, i.due) for i in items] == [
        ("U0SUP", "approval", "U0ANNA", date(2026, 11, 25))
    ]


def test_two_ignored_reminders_tell_the_supervisor_once() -> None:
    student = anna()
    own = student_items(CATALOGUE, student, date(2027, 1, 28))
    target = next(i for i in own if i.subject.startswith("documents_sem2"))
    once = Counter({(target.recipient, target.kind, target.subject): 1})
    twice = Counter({(target.recipient, target.kind, target.subject): 2})
    assert escalation_items(student, [target], once, RULES) == []
    escalated = escalation_items(student, [target], twice, RULES)
    assert [(i.recipient, i.kind) for i in escalated] == [("U0SUP", "escalation")]
    sent = {e.key for e in escalated} | {
        (target.recipient, target.kind, target.subject, date(2027, 1, 22)),
        (target.recipient, target.kind, target.subject, date(2027, 1, 27)),
    }
    again = plan(CATALOGUE, [student], [], None, sent, {}, date(2027, 1, 28))
    assert [i for i in again if i.kind == "escalation"] == []


def test_the_supervisor_is_not_told_on_the_day_of_the_second_reminder_however_often_the_sweep_runs() -> None:
    student = anna()
    subject = "agreement_sem2:2027-01-29"
    sent = {("U0ANNA", "deadline", subject, date(2027, 1, d)) for d in (22, 27)}  # the 7 and 2 days before
    # The sweep runs again on the 27th, minutes after the second reminder (a retry, a `stagebot remind`).
    second_day = plan(CATALOGUE, [student], [], None, sent, {}, date(2027, 1, 27))
    assert [i for i in second_day if i.kind == "escalation"] == []
    next_day = plan(CATALOGUE, [student], [], None, sent, {}, date(2027, 1, 28))
    assert [(i.recipient, i.subject) for i in next_day if i.kind == "escalation"] == [
        ("U0SUP", f"U0ANNA:deadline:{subject}")
    ]


def test_reminders_count_once_per_working_day_they_went_out() -> None:
    thing = ("U0ANNA", "deadline", "x")
    sent = {
        (*thing, date(2027, 1, 22)),  # Friday
        (*thing, date(2027, 1, 23)),  # Saturday: it went out on Monday the 25th
        (*thing, date(2027, 1, 25)),  # Monday
        (*thing, date(2027, 1, 26)),  # today: not ignored yet
    }
    assert ignored_reminders(sent, RULES, date(2027, 1, 26)) == Counter({thing: 2})
    assert ignored_reminders(sent, RULES, date(2027, 1, 27)) == Counter({thing: 3})
    # Closure days count as days off: due in the Christmas holiday, sent on 4 January.
    christmas = {(*thing, date(2026, 12, 23)), (*thing, date(2027, 1, 4))}
    assert ignored_reminders(christmas, RULES, date(2027, 1, 5)) == Counter({thing: 1})


def test_a_snoozed_person_is_skipped_until_the_day_they_chose() -> None:
    student = anna()
    today = date(2027, 1, 22)
    assert plan(CATALOGUE, [student], [], None, set(), {"U0ANNA": date(2027, 1, 23)}, today) == []
    assert plan(CATALOGUE, [student], [], None, set(), {"U0ANNA": date(2027, 1, 22)}, today) != []


def test_the_channel_hears_of_periods_and_deadlines_without_names() -> None:
    items = channel_items(CATALOGUE, "C0ANN", date(2027, 2, 1))
    assert ("announce_period", "2027-02-15", "2027-02-01") in kinds(items)
    assert all(i.student_slack_id is None for i in items)
    assert channel_items(CATALOGUE, "C0ANN", date(2026, 11, 30)) == []


def test_the_digest_goes_on_the_first_working_day_of_the_week() -> None:
    assert [i.due for i in digest_items(["U0COORD"], RULES, date(2026, 11, 30))] == [date(2026, 11, 30)]
    assert [i.due for i in digest_items(["U0COORD"], RULES, date(2026, 12, 2))] == [date(2026, 11, 30)]
    # 11 November 2026 is a Wednesday; on 9 November (a Monday) the digest is due that Monday.
    assert [i.due for i in digest_items(["U0COORD"], RULES, date(2026, 11, 9))] == [date(2026, 11, 9)]


@pytest.mark.parametrize(
    ("today", "told"), [("2026-03-13", False), ("2026-03-16", True), ("2026-03-17", True)]
)
def test_hours_shortfall_from_ten_working_days_before_the_end_once(today: str, told: bool) -> None:
    from models.reminder_plan import HoursShortfall, hours_shortfall_items

    gap = HoursShortfall("U0ANNA", ("U0SUP",), "7", date(2026, 3, 30), 6.0)  # a Monday; 10 wd before: 16 Mar
    items = hours_shortfall_items([gap], set(), RULES, date.fromisoformat(today))
    assert [i.recipient for i in items] == (["U0ANNA", "U0SUP"] if told else [])
    first = hours_shortfall_items([gap], set(), RULES, date(2026, 3, 16))
    assert hours_shortfall_items([gap], {i.key for i in first}, RULES, date(2026, 3, 18)) == []


@pytest.mark.parametrize(("today", "told"), [("2026-03-06", False), ("2026-03-09", True)])
def test_hours_confirmation_mailed_again_after_five_working_days_once(today: str, told: bool) -> None:
    from models.reminder_plan import SchoolWait, hours_confirmation_items

    wait = SchoolWait("hours", "hours_confirmation:3", date(2026, 3, 2))  # mailed on a Monday
    items = hours_confirmation_items([wait], set(), RULES, date.fromisoformat(today))
    assert len(items) == int(told)
    first = hours_confirmation_items([wait], set(), RULES, date(2026, 3, 9))
    assert hours_confirmation_items([wait], {i.key for i in first}, RULES, date(2026, 3, 10)) == []
