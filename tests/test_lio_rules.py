"""The LIO rules as pure functions: every threshold at and around its edge, the explanations, the checks
of impossible facts, the required hours and the configuration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from models.catalogue import ActivityKind, load_catalogue
from models.lio import (
    Criterion,
    Job,
    Level,
    LioRulesError,
    Problem,
    assess,
    check_against,
    is_exempt,
    load_lio_rules,
    parse_lio_rules,
    problems,
    required_hours,
)

RULES = load_lio_rules()
CATALOGUE = load_catalogue()


def job(total: int = 600, grades: int = 200, x: int = 100, y: int = 100) -> Job:
    return Job(
        "Sint-Jozefscollege", Level.SECONDARY, total, grades, x, y, date(2026, 9, 1), date(2027, 6, 30)
    )


def test_the_shipped_configuration_holds_the_stageconcept_thresholds() -> None:
    assert (RULES.eligible_min_hours, RULES.exempt_teacher_hours) == (200, 500)
    assert (RULES.exempt_grades_2_3_hours, RULES.exempt_subject_domain_hours) == (150, 125)
    assert RULES.reduction_below_subject_hours == 200
    assert check_against(RULES, CATALOGUE) == []


# total, grades 2-3, subject X, subject Y -> eligible, exempt, the criterion that is not met (if any)
THRESHOLDS = [
    # eligibility: 199 / 200 hours in education
    (199, 0, 0, 0, False, False, Criterion.ELIGIBLE),
    (200, 0, 0, 0, True, False, Criterion.TEACHER_HOURS),
    (201, 150, 125, 0, True, False, Criterion.TEACHER_HOURS),
    # teacher-hours a year: 499 / 500 (the other two met)
    (499, 150, 125, 0, True, False, Criterion.TEACHER_HOURS),
    (500, 150, 125, 0, True, True, None),
    (501, 150, 125, 0, True, True, None),
    # grades 2-3: 149 / 150
    (500, 149, 125, 0, True, False, Criterion.GRADES_2_3),
    (500, 151, 125, 0, True, True, None),
    # within the subject didactics' domains, together: 124 / 125
    (500, 150, 124, 0, True, False, Criterion.SUBJECT_DOMAINS),
    (500, 150, 62, 62, True, False, Criterion.SUBJECT_DOMAINS),
    (500, 150, 63, 62, True, True, None),
    (500, 150, 0, 126, True, True, None),
]


@pytest.mark.parametrize(("total", "grades", "x", "y", "eligible", "exempt", "unmet"), THRESHOLDS)
def test_eligibility_and_exemption_at_every_threshold(
    total: int, grades: int, x: int, y: int, eligible: bool, exempt: bool, unmet: Criterion | None
) -> None:
    outcome = assess(RULES, job(total, grades, x, y))
    assert (outcome.eligible, outcome.exempt, is_exempt(outcome)) == (eligible, exempt, exempt)
    failing = [r.criterion for r in outcome.reasons if not r.met]
    assert (failing[0] if failing else None) == unmet
    if not eligible:
        assert [r.criterion for r in outcome.reasons] == [Criterion.ELIGIBLE]
        assert outcome.extra == () and not outcome.may_request_reduction
    else:
        by = {r.criterion: r for r in outcome.reasons}
        assert (by[Criterion.TEACHER_HOURS].actual, by[Criterion.TEACHER_HOURS].threshold) == (total, 500)
        assert (by[Criterion.GRADES_2_3].actual, by[Criterion.GRADES_2_3].threshold) == (grades, 150)
        assert (by[Criterion.SUBJECT_DOMAINS].actual, by[Criterion.SUBJECT_DOMAINS].threshold) == (x + y, 125)


def test_every_unmet_threshold_is_explained_not_only_the_first() -> None:
    outcome = assess(RULES, job(499, 149, 60, 64))
    assert [r.criterion for r in outcome.reasons if not r.met] == [
        Criterion.TEACHER_HOURS,
        Criterion.GRADES_2_3,
        Criterion.SUBJECT_DOMAINS,
    ]


# subject X, subject Y hours of a non-exempt LIO job -> subjects where a reduction can be requested
REDUCTIONS = [
    (199, 0, ("x",)),
    (200, 0, ()),
    (1, 199, ("x", "y")),
    (0, 200, ()),
    (200, 199, ("y",)),
    (0, 0, ()),  # no teaching in a matching subject at all: no subject to reduce
]


@pytest.mark.parametrize(("x", "y", "subjects"), REDUCTIONS)
def test_a_reduction_can_be_requested_below_200_hours_in_a_matching_subject(
    x: int, y: int, subjects: tuple[str, ...]
) -> None:
    outcome = assess(RULES, job(499, 100, x, y))
    assert not outcome.exempt
    assert outcome.reduction_subjects == subjects
    assert outcome.may_request_reduction == bool(subjects)


def test_after_an_approved_reduction_no_reduction_is_offered_again() -> None:
    outcome = assess(RULES, job(499, 100, 100, 25), reduced=True)
    assert outcome.reduction_subjects and outcome.reduced
    assert not outcome.may_request_reduction


def test_an_exempt_job_needs_no_reduction() -> None:
    outcome = assess(RULES, job(600, 200, 150, 0))
    assert outcome.exempt and not outcome.may_request_reduction


def test_required_hours_follow_the_outcome() -> None:
    regular = required_hours(CATALOGUE, None)
    assert regular["PL"] == {"guided": 10, "independent": 10, "workplace_task": 40}
    assert regular["VDX2"] == {"co_teaching": 2, "guided": 7}
    assert required_hours(CATALOGUE, assess(RULES, job(199, 0, 0, 0))) == regular
    assert required_hours(CATALOGUE, assess(RULES, job(500, 150, 125, 0))) == {}
    extra = required_hours(CATALOGUE, assess(RULES, job(499, 150, 125, 0)))
    assert set(extra) == {"VDX1", "VDY1", "VDX2", "VDY2"}  # within Subject didactics 1 and 2 only
    assert extra["VDX2"] == {"co_teaching": 2, "guided": 7}
    assert sum(sum(v.values()) for k, v in extra.items() if "X" in k) == sum(
        sum(v.values()) for k, v in extra.items() if "Y" in k
    )  # as many hours for X as for Y
    reduced = required_hours(CATALOGUE, assess(RULES, job(499, 150, 125, 0), reduced=True))
    assert reduced["VDX2"] == {"guided": 4}
    assert sum(sum(v.values()) for v in reduced.values()) < sum(sum(v.values()) for v in extra.values())


# --- impossible facts ----------------------------------------------------------------------------------


BAD_JOBS = [
    (job(-1, 0, 0, 0), "teacher_hours", Problem.NEGATIVE),
    (job(300, -5, 0, 0), "grades_2_3_hours", Problem.NEGATIVE),
    (job(300, 301, 0, 0), "grades_2_3_hours", Problem.GRADES_OVER_TOTAL),
    (job(300, 100, 301, 0), "subject_x_hours", Problem.SUBJECT_OVER_TOTAL),
    (job(300, 100, 200, 101), "subject_y_hours", Problem.SUBJECTS_OVER_TOTAL),
    (job(5000, 0, 0, 0), "teacher_hours", Problem.TOO_MANY),
    (replace(job(), end=date(2026, 8, 31)), "end", Problem.END_BEFORE_START),
    (replace(job(), employer="  "), "employer", Problem.EMPTY),
]


@pytest.mark.parametrize(("bad", "field", "problem"), BAD_JOBS)
def test_impossible_facts_are_refused_per_field(bad: Job, field: str, problem: Problem) -> None:
    assert problems(bad).get(field) == problem


def test_possible_facts_at_their_edges_pass() -> None:
    assert problems(job(300, 300, 150, 150)) == {}
    assert problems(replace(job(), end=job().start)) == {}


# --- configuration -------------------------------------------------------------------------------------


def test_a_wrong_configuration_is_refused_with_the_reason() -> None:
    with pytest.raises(LioRulesError, match="needs a 'lio' section"):
        parse_lio_rules("other: 1")
    text = (
        "lio: {eligible_min_hours: -1, exemption: {teacher_hours: 500, grades_2_3_hours: 150,"
        " subject_domain_hours: 125}, reduction_below_subject_hours: 200}"
    )
    with pytest.raises(LioRulesError, match="eligible_min_hours"):
        parse_lio_rules(text)
    bad_activity = text.replace("-1", "200") + "\n"
    bad_activity = bad_activity[:-2] + ", extra_hours: [{course: VDX1, activity: dancing, hours: 2}]}"
    with pytest.raises(LioRulesError, match="unknown activity 'dancing'"):
        parse_lio_rules(bad_activity)


def test_extra_hours_must_exist_in_the_catalogue() -> None:
    rules = parse_lio_rules(
        "lio: {eligible_min_hours: 200, exemption: {teacher_hours: 500, grades_2_3_hours: 150,"
        " subject_domain_hours: 125}, reduction_below_subject_hours: 200,"
        " extra_hours: [{course: VDZ9, activity: guided, hours: 3},"
        " {course: LIL, activity: guided, hours: 1}]}"
    )
    assert rules.extra_hours[0].activity is ActivityKind.GUIDED
    assert check_against(rules, CATALOGUE) == [
        "course 'VDZ9' is not in the catalogue 2026-2027",
        "course 'LIL' has no activity 'guided'",
    ]
