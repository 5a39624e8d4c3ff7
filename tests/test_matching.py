"""Matching: small instances whose optimum is known by hand, infeasible ones and their explanation,
and fairness (shuffled import order gives the same quality)."""

from __future__ import annotations

from random import Random

from bot.i18n import Translator
from bot.views.matching import conflict_line
from models import matching, matching_instance
from models.matching_instance import Instance, Offer, School, StudentNeed, Unit

VD = Unit("VDX2", ("co_teaching", "guided"), 9, "Wiskunde", (2,))
LIL = Unit("LIL", ("tutoring",), 20, "", (1, 2))
SCHOOLS = {
    i: School(i, f"S{i}", f"School {i}", city, ("aso",))
    for i, city in ((1, "Gent"), (2, "Gent"), (3, "Brugge"))
}


def offers(inst: int, places: int, unit: Unit = VD, grades: tuple[int, ...] = (2, 3)) -> list[Offer]:
    return [
        Offer(inst, unit.subject, semester, a, places, ("aso",), grades)
        for semester in unit.semesters
        for a in unit.activities
    ]


def student(n: int, ranked: tuple[int, ...], units: tuple[Unit, ...] = (VD,), **kw: object) -> StudentNeed:
    return StudentNeed(id=n, key=f"U{n:03d}", name=f"Student {n}", units=units, ranked=ranked, **kw)  # type: ignore[arg-type]


def test_each_student_gets_first_choice_when_places_allow() -> None:
    inst = Instance([student(1, (1, 2)), student(2, (2, 1))], SCHOOLS, offers(1, 1) + offers(2, 1))
    result = matching.solve(inst)
    assert result.complete and result.optimal
    assert [c.institution_id for c in result.choices[1]] == [1]
    assert [c.institution_id for c in result.choices[2]] == [2]


def test_contested_place_goes_where_total_preference_is_best() -> None:
    # Both want school 1 first; student 2 ranks school 2 last-but-acceptable, student 1 has nothing else
    # ranked: by hand the optimum puts student 1 at school 1 and student 2 at their 2nd choice.
    inst = Instance(
        [student(1, (1,)), student(2, (1, 2))], SCHOOLS, offers(1, 1) + offers(2, 1) + offers(3, 1)
    )
    result = matching.solve(inst)
    assert result.choices[1][0].institution_id == 1
    assert result.choices[2][0].institution_id == 2 and result.choices[2][0].rank == 2
    reasons = result.why_not[2]
    assert reasons[0].institution_id == 1 and reasons[0].key == "matching.why.full"


def test_activities_kept_at_one_institution() -> None:
    # School 2 is slightly preferred for nothing; both courses fit at school 1: one school, not two.
    inst = Instance(
        [student(1, (1, 2), units=(VD, LIL))],
        SCHOOLS,
        offers(1, 1) + offers(1, 1, LIL) + offers(2, 1, LIL),
    )
    result = matching.solve(inst)
    assert {c.institution_id for c in result.choices[1]} == {1}


def test_former_school_is_never_proposed() -> None:
    inst = Instance([student(1, (1, 2), avoid=frozenset({1}))], SCHOOLS, offers(1, 5) + offers(2, 5))
    result = matching.solve(inst)
    assert result.choices[1][0].institution_id == 2
    assert result.why_not[1][0].key == "matching.why.avoid"


def test_upper_grade_hours_are_required() -> None:
    # School 1 (1st choice) only has the 1st grade: 9 hours there would leave the 12 hours unreachable.
    inst = Instance([student(1, (1, 2))], SCHOOLS, offers(1, 5, grades=(1,)) + offers(2, 5, grades=(2, 3)))
    result = matching.solve(inst)
    assert result.choices[1][0].institution_id == 2 and result.choices[1][0].grade in (2, 3)


def test_too_few_places_are_named_with_numbers() -> None:
    people = [student(n, (1, 2)) for n in range(1, 15)]
    inst = Instance(people, SCHOOLS, offers(1, 5) + offers(2, 4))
    result = matching.solve(inst)
    assert not result.complete
    assert sum(len(u) for u in result.unplaced.values()) == 5
    capacity = [c for c in result.conflicts if c.key == "matching.conflict.capacity"]
    assert {
        (c.params["subject"], c.params["semester"], c.params["students"], c.params["places"])
        for c in capacity
    } == {("Wiskunde", "2", "14", "9")}


def test_a_student_with_nowhere_to_go_is_named() -> None:
    inst = Instance([student(1, (1,), avoid=frozenset({1}))], SCHOOLS, offers(1, 5))
    result = matching.solve(inst)
    assert [c.key for c in result.conflicts] == ["matching.conflict.no_option"]
    assert result.conflicts[0].params["student"] == "Student 1"


def test_shuffled_import_order_gives_the_same_quality() -> None:
    rng = Random(4)
    people = [student(n, tuple(rng.sample([1, 2, 3], 3))) for n in range(1, 13)]
    offered = offers(1, 4) + offers(2, 4) + offers(3, 4)
    first = matching.solve(Instance(people, SCHOOLS, offered))
    shuffled = people[:]
    Random(9).shuffle(shuffled)
    # new database ids, same Slack ids: as if the cohort had been imported in another order
    renumbered = [StudentNeed(**{**s.__dict__, "id": 100 + i}) for i, s in enumerate(shuffled)]
    second = matching.solve(Instance(renumbered, SCHOOLS, offered))
    assert first.objective == second.objective
    q1 = matching_instance.quality(people, first.choices, first.unplaced)
    q2 = matching_instance.quality(renumbered, second.choices, second.unplaced)
    assert (q1.first, q1.top3) == (q2.first, q2.top3)
    by_key_1 = {s.key: first.choices[s.id][0].institution_id for s in people}
    by_key_2 = {s.key: second.choices[s.id][0].institution_id for s in renumbered}
    assert by_key_1 == by_key_2


def test_first_come_keeps_the_upper_grade_hours_reachable() -> None:
    # First come would take school 1 (1st choice, 1st grade only) for the 20 tutoring hours; the 4 hours
    # left could never make 12 hours in grades 2-3, so the baseline (and the solver's hint) must not.
    from models.matching_greedy import solve_greedy

    small = Unit("VDX1", ("observation", "co_teaching"), 4, "Wiskunde", (1,))
    inst = Instance(
        [student(1, (1, 2), units=(LIL, small))],
        SCHOOLS,
        offers(1, 5, LIL, grades=(1,)) + offers(2, 5, LIL) + offers(1, 5, small) + offers(2, 5, small),
    )
    choices, unplaced, _ = solve_greedy(inst)
    assert not unplaced
    upper = sum(c.unit.hours for c in choices[1] if c.grade in (2, 3))
    assert upper >= 12
    result = matching.solve(inst)
    assert sum(c.unit.hours for c in result.choices[1] if c.grade in (2, 3)) >= 12
    assert not [c for c in result.conflicts if c.key == "matching.conflict.upper_grades"]


def test_a_course_nobody_asked_for_is_placed_at_a_fallback_institution() -> None:
    # Student 1 ranks only school 1, which has no tutoring places: the second stage places the tutoring
    # internship elsewhere, and keeps the subject didactics at the 1st choice.
    inst = Instance([student(1, (1,), units=(VD, LIL))], SCHOOLS, offers(1, 2) + offers(3, 2, LIL))
    result = matching.solve(inst)
    assert result.complete
    where = {c.unit.course_code: (c.institution_id, c.rank) for c in result.choices[1]}
    assert where == {"VDX2": (1, 1), "LIL": (3, None)}


def test_independent_groups_are_solved_apart_with_the_same_answer() -> None:
    # Two regions that share no institution: solving them together equals solving each alone.
    schools = {**SCHOOLS, 4: School(4, "S4", "School 4", "Brugge", ("aso",))}
    gent = [student(n, (1, 2), regions=("Gent",)) for n in (1, 2, 3)]
    brugge = [student(n, (3, 4), regions=("Brugge",)) for n in (4, 5, 6)]
    offered = offers(1, 2) + offers(2, 2) + offers(3, 2) + offers(4, 2)
    both = matching.solve(Instance(gent + brugge, schools, offered))
    alone = [matching.solve(Instance(group, schools, offered)) for group in (gent, brugge)]
    assert both.complete and both.optimal
    assert both.objective == alone[0].objective + alone[1].objective
    assert {sid: c[0].institution_id for sid, c in both.choices.items()} == {
        sid: c[0].institution_id for part in alone for sid, c in part.choices.items()
    }


def test_too_few_guided_places_name_only_the_real_cause_of_the_co_teaching_left_over() -> None:
    # 30 co-teaching places, 5 guided ones, 8 students: no former schools, conflicts or level limits.
    guided = [
        Offer(1, "Wiskunde", 2, "guided", 3, ("aso",), (2, 3)),
        Offer(2, "Wiskunde", 2, "guided", 2, ("aso",), (2, 3)),
    ]
    co_teaching = [Offer(i, "Wiskunde", 2, "co_teaching", 10, ("aso",), (2, 3)) for i in (1, 2, 3)]
    people = [student(n, (1, 2)) for n in range(1, 9)]
    result = matching.solve(Instance(people, SCHOOLS, guided + co_teaching))
    by_activity = {c.params.get("activity"): c for c in result.conflicts if "activity" in c.params}
    assert by_activity["guided"].key == "matching.conflict.capacity"
    assert (by_activity["guided"].params["students"], by_activity["guided"].params["places"]) == ("8", "5")
    tied = by_activity["co_teaching"]
    assert tied.key == "matching.conflict.together"
    assert (tied.params["with"], tied.params["with_places"], tied.params["places"]) == ("guided", "5", "30")
    assert not [c for c in result.conflicts if c.key == "matching.conflict.fit"]
    line = conflict_line(Translator("nl"), {"key": tied.key, "params": tied.params})
    assert "co-teaching moet op dezelfde school als begeleide stage, en daar zijn maar 5 plaatsen" in line
    assert "oude school" not in line and "onderwijsniveau" not in line


def test_places_enough_but_not_where_they_may_go_name_the_causes_found() -> None:
    # Two places for two students, but both avoid school 2 (former school): one place is usable.
    people = [student(n, (1, 2), avoid=frozenset({2})) for n in (1, 2)]
    result = matching.solve(Instance(people, SCHOOLS, offers(1, 1) + offers(2, 1)))
    fit = [c for c in result.conflicts if c.key == "matching.conflict.fit"]
    assert {c.params["reasons"] for c in fit} == {"avoid;taken"}
    line = conflict_line(Translator("en"), {"key": fit[0].key, "params": fit[0].params})
    assert "former school or conflict of interest, the places that fit went to students" in line
    assert "level" not in line
