"""The catalogue file: the shipped year, the seed's own table, and refusals with line and reason."""

from __future__ import annotations

from datetime import date

import pytest

from models.catalogue import DEFAULT_CATALOGUE, ActivityKind, CatalogueError, load_catalogue, parse_catalogue
from tests.conftest import FIXTURES

GOOD_COURSE = """\
academic_year: "2030-2031"
courses:
  - code: LIL
    name: {nl: Leren van individuele leerlingen, en: Learning from individual pupils}
    activities:
      - {kind: tutoring, hours: 20}
    periods:
      - {semester: 1, start: 2030-10-07, end: 2030-12-20}
"""


def test_seed_table_2021_2022_reads_as_published() -> None:
    catalogue = load_catalogue(FIXTURES / "catalogue-2021-2022.yaml")
    assert catalogue.academic_year == "2021-2022"
    assert [c.code for c in catalogue.courses] == ["LIL", "VDX1", "VDY1", "VDX2", "VDY2", "PL"]
    professional = catalogue.course("PL")
    assert professional is not None
    assert [(a.kind, a.hours) for a in professional.activities] == [
        (ActivityKind.GUIDED, 10),
        (ActivityKind.INDEPENDENT, 10),
        (ActivityKind.WORKPLACE_TASK, 40),
    ]
    assert [(p.semester, p.start, p.end) for p in professional.periods] == [
        (1, date(2021, 10, 4), date(2021, 12, 3)),
        (2, date(2022, 2, 14), date(2022, 5, 13)),
    ]
    assert sum(a.hours for c in catalogue.courses for a in c.activities) == 20 + 4 + 4 + 9 + 9 + 60


def test_shipped_year_is_2026_2027_and_says_it_is_a_draft() -> None:
    catalogue = load_catalogue()
    assert catalogue.academic_year == "2026-2027"
    assert "must confirm" in DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert catalogue.draft  # and says so in a field `stagebot doctor` reads
    starts = sorted({p.start for c in catalogue.courses for p in c.periods})
    assert starts == [date(2026, 10, 5), date(2026, 11, 9), date(2027, 2, 15)]
    assert all(p.start.weekday() == 0 and p.end.weekday() == 4 for c in catalogue.courses for p in c.periods)


def test_planning_deadlines_are_two_weeks_before_each_period() -> None:
    catalogue = load_catalogue()
    planning = [d for d in catalogue.all_deadlines() if d.code == "planning"]
    assert [(d.period_start, d.due) for d in planning] == [
        (date(2026, 10, 5), date(2026, 9, 21)),
        (date(2026, 11, 9), date(2026, 10, 26)),
        (date(2027, 2, 15), date(2027, 2, 1)),
    ]
    assert all(d.step == 7 for d in planning)


@pytest.mark.parametrize(
    ("replace", "by", "line", "reason"),
    [
        ("kind: tutoring", "kind: juggling", 6, "unknown activity 'juggling'"),
        ("end: 2030-12-20", "end: 2030-09-01", 8, "ends (2030-09-01) before it starts (2030-10-07)"),
        ("      - {kind: tutoring, hours: 20}\n", "", 3, "course 'LIL' has no activities"),
        ("hours: 20", "hours: -3", 6, "positive whole number of hours"),
        ("start: 2030-10-07", "start: 7 oktober", 8, "'start' must be a date"),
        ("semester: 1", "semester: 3", 8, "semester is 1 or 2"),
    ],
)
def test_bad_files_are_refused_with_line_and_reason(replace: str, by: str, line: int, reason: str) -> None:
    text = GOOD_COURSE.replace(replace, by)
    assert text != GOOD_COURSE
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue(text, "catalogue.yaml")
    problems = refused.value.problems
    assert any(p.line == line and reason in p.reason for p in problems), problems
    assert f"catalogue.yaml:{line}:" in str(refused.value)


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = GOOD_COURSE.replace("kind: tutoring", "kind: juggling").replace(
        "end: 2030-12-20", "end: 2030-01-01"
    )
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue(text)
    assert [p.line for p in refused.value.problems] == [6, 8]


def test_a_good_file_parses() -> None:
    catalogue = parse_catalogue(GOOD_COURSE)
    assert catalogue.courses[0].activities[0].hours == 20
    assert not catalogue.draft  # a file that does not say it is a draft is taken as confirmed


def test_the_draft_flag_is_true_or_false() -> None:
    assert parse_catalogue(GOOD_COURSE + "draft: true\n").draft
    assert not parse_catalogue(GOOD_COURSE + "draft: false\n").draft
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue(GOOD_COURSE + "draft: misschien\n")
    assert "'draft' is true" in str(refused.value)


def test_not_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue('academic_year: "x\ncourses: [\n')
    assert refused.value.problems[0].line >= 1
    assert "not valid YAML" in refused.value.problems[0].reason
