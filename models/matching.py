"""Matching suggestions (step 3): a proposed placement for every open activity of a group of students.

An ``Instance`` (``models.matching_instance``) is plain data (students with their open courses, preferences
and what they already hold; institutions with the places they declared), so the solver can be tested and
benchmarked without a database; ``load_instance`` builds one from the database.

Solver: OR-Tools CP-SAT (no commercial licence, one wheel). The model is a 0/1 assignment with side
constraints (hours in grades 2-3, hours in alternative settings, "kept together" indicators), solved in
two stages (see ``solve``): the groups of students that share none of their asked-for institutions are
independent and solved exactly in parallel, then the leftovers over every institution.

Hard constraints: declared places; levels and grades the institution offers for that activity; no former
school or declared conflict; every open course placed once, all its open activities at one institution
in one semester (the student's chosen semester when they gave one); at least 12 hours in grades 2-3;
at most 10 hours in an alternative setting (only for students who asked for one); active placements kept
(they hold their places). The "placed once" and "12 hours" constraints are elastic with a prohibitive
cost: when no complete solution exists, the optimum still places everyone it can and the slack names the
conflicting groups ("Wiskunde, semester 2, guided: 14 students, 9 places").

Objective: hours at the student's ranked preferences (1st best), then fewer institutions per student,
then the student's regions. Ties are broken by a hash of stable ids (Slack id, school code), never by
name or import order; the model is built in that hashed order too.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from models.catalogue import ActivityKind, Catalogue
from models.matching_greedy import first_come
from models.matching_instance import (
    GAP_LIMIT,
    INSTITUTION_COST,
    STAGE1_SHARE,
    STAGE2_FALLBACK,
    UNPLACED_COST,
    UPPER_SHORT_COST,
    Choice,
    Conflict,
    HeldHours,
    Instance,
    Offer,
    Option,
    Result,
    School,
    StudentNeed,
    Unit,
    WhyNot,
    build_options,
    fold,
    option_score,
    order_key,
    pick_level,
    tie,
)
from models.placements import ALTERNATIVE_MAX_HOURS, UPPER_GRADE_HOURS, UPPER_GRADES, Slot
from models.schools import SECONDARY_LEVELS

if TYPE_CHECKING:  # imported where a model is built: the bot starts without loading the solver
    from ortools.sat.python import cp_model

# --- solving ------------------------------------------------------------------------------------------------


OfferKey = tuple[int, str, int, str]


@dataclass
class _Model:
    """One CP-SAT model and the variables its answer is read from."""

    model: cp_model.CpModel
    chosen: list[tuple[cp_model.IntVar, Option]]
    unplaced: dict[tuple[int, int], cp_model.IntVar]
    together: dict[tuple[int, int], cp_model.IntVar]
    short: dict[int, cp_model.IntVar]


def _build_model(
    students: Sequence[StudentNeed],
    options: dict[int, list[list[Option]]],
    places: dict[OfferKey, int],
    schools: dict[int, School],
    active: dict[int, set[int]],
    credit: dict[int, int],
) -> _Model:
    """One 0/1 variable per option. The cost of one more institution for a student needs an indicator only
    where two or more of the student's courses could go to that institution; where only one course can,
    the cost is folded into that course's options (fewer variables, same optimum)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    built = _Model(model, [], {}, {}, {})
    terms: dict[int, cp_model.IntVar] = {}
    weight: dict[int, int] = defaultdict(int)

    def gain(var: cp_model.IntVar, amount: int) -> None:
        if amount:
            terms[id(var)] = var
            weight[id(var)] += amount

    use: dict[OfferKey, list[cp_model.IntVar]] = defaultdict(list)
    for student in students:
        held_schools = {h.institution_id for h in student.held}
        per_unit = options[student.id]
        units_at: dict[int, set[int]] = defaultdict(set)
        for index, unit_options in enumerate(per_unit):
            for option in unit_options:
                units_at[option.institution_id].add(index)
        upper_terms: list[tuple[cp_model.IntVar, int]] = []
        alternative_terms: list[tuple[cp_model.IntVar, int]] = []
        for index, unit in enumerate(student.units):
            if index not in active[student.id]:
                continue
            unit_vars = []
            for option in per_unit[index]:
                var = model.new_bool_var("")
                unit_vars.append(var)
                built.chosen.append((var, option))
                gain(var, option_score(option, unit.hours))
                for key in option.offer_keys:
                    use[key].append(var)
                if option.upper:
                    upper_terms.append((var, unit.hours))
                if option.alternative:
                    alternative_terms.append((var, unit.hours))
                inst = option.institution_id
                if inst in held_schools:
                    continue
                cost = INSTITUTION_COST + tie(student.key, schools[inst].code)
                if len(units_at[inst]) == 1:
                    gain(var, -cost)
                    continue
                if (student.id, inst) not in built.together:
                    indicator = model.new_bool_var("")
                    built.together[(student.id, inst)] = indicator
                    gain(indicator, -cost)
                model.add_implication(var, built.together[(student.id, inst)])
            missing = model.new_bool_var("")
            built.unplaced[(student.id, index)] = missing
            model.add_exactly_one([*unit_vars, missing])
            gain(missing, -UNPLACED_COST)
        if student.units:
            held_upper = sum(h.hours for h in student.held if h.upper) + credit.get(student.id, 0)
            need = max(0, UPPER_GRADE_HOURS - held_upper)
            if need:
                short = model.new_int_var(0, need, "")
                built.short[student.id] = short
                model.add(sum(v * h for v, h in upper_terms) + short >= need)
                gain(short, -UPPER_SHORT_COST)
            held_alternative = sum(h.hours for h in student.held if h.alternative)
            if alternative_terms:
                room = max(0, ALTERNATIVE_MAX_HOURS - held_alternative)
                model.add(sum(v * h for v, h in alternative_terms) <= room)
    # the activities of one course have the same users: one constraint per distinct set of users
    tightest: dict[tuple[int, ...], tuple[int, list[cp_model.IntVar]]] = {}
    for key, variables in use.items():
        if len(variables) > places[key]:
            ident = tuple(sorted(id(v) for v in variables))
            if ident not in tightest or places[key] < tightest[ident][0]:
                tightest[ident] = (places[key], variables)
    for limit, variables in tightest.values():
        model.add(sum(variables) <= limit)
    model.maximize(sum(terms[k] * w for k, w in weight.items() if w))
    return built


def _hint(built: _Model, students: Sequence[StudentNeed], options: dict[int, list[list[Option]]],
          places: dict[OfferKey, int], credit: dict[int, int]) -> _Part:  # fmt: skip
    """Start CP-SAT from the first-come proposal in the fair hashed order, which keeps every hard rule:
    CP-SAT then starts from a complete solution and only improves it."""
    chosen, missing = first_come(students, options, places)
    taken = {id(o) for picked in chosen.values() for o in picked}
    model = built.model
    schools_of: dict[int, set[int]] = defaultdict(set)
    for var, option in built.chosen:
        on = id(option) in taken
        model.add_hint(var, on)
        if on:
            schools_of[option.student].add(option.institution_id)
    by_id = {s.id: s for s in students}
    for (sid, index), var in built.unplaced.items():
        model.add_hint(var, index in missing.get(sid, []))
    for (sid, inst), var in built.together.items():
        model.add_hint(var, inst in schools_of[sid])
    short: set[int] = set()
    for sid, var in built.short.items():
        student = by_id[sid]
        reached = (
            sum(h.hours for h in student.held if h.upper)
            + credit.get(sid, 0)
            + sum(student.units[o.unit_index].hours for o in chosen.get(sid, []) if o.upper)
        )
        model.add_hint(var, max(0, UPPER_GRADE_HOURS - reached))
        if reached < UPPER_GRADE_HOURS:
            short.add(sid)
    return _Part(chosen, missing, short, optimal=False, objective=0)


@dataclass
class _Part:
    """The answer for one group of students."""

    picked: dict[int, list[Option]]
    missing: dict[int, list[int]]
    short: set[int]
    optimal: bool
    objective: int


def _solve_part(
    students: Sequence[StudentNeed],
    options: dict[int, list[list[Option]]],
    places: dict[OfferKey, int],
    schools: dict[int, School],
    seconds: float,
    active: dict[int, set[int]],
    credit: dict[int, int],
) -> _Part:
    """Solve one group: one CP-SAT worker with the full linear relaxation (the assignment structure makes
    the LP nearly integral, so this proves optimality far sooner than the default portfolio)."""
    from ortools.sat.python import cp_model

    built = _build_model(students, options, places, schools, active, credit)
    start = _hint(built, students, options, places, credit)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
    solver.parameters.random_seed = 7
    # the gap is measured on what can be gained (preferences), not on the penalties of the elastic rows
    best_case = sum(
        max((option_score(o, s.units[o.unit_index].hours) for o in options[s.id][i]), default=0)
        for s in students
        for i in active[s.id]
    )
    solver.parameters.absolute_gap_limit = max(1.0, GAP_LIMIT * best_case)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start  # out of time before CP-SAT even read the model: the hint is a valid answer
    picked: dict[int, list[Option]] = defaultdict(list)
    for var, option in built.chosen:
        if solver.boolean_value(var):
            picked[option.student].append(option)
    missing: dict[int, list[int]] = defaultdict(list)
    for (sid, index), var in built.unplaced.items():
        if solver.boolean_value(var):
            missing[sid].append(index)
    short = {sid for sid, var in built.short.items() if solver.value(var) > 0}
    return _Part(dict(picked), dict(missing), short, status == cp_model.OPTIMAL, int(solver.objective_value))


def _groups(
    students: Sequence[StudentNeed], options: dict[int, list[list[Option]]]
) -> list[list[StudentNeed]]:
    """Students who share no candidate institution do not compete: each connected group is its own
    problem (in a generated cohort, roughly one per region). Groups come out in the fair hashed order."""
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for student in students:
        for unit_options in options[student.id]:
            for option in unit_options:
                a, b = find(("s", student.id)), find(("i", option.institution_id))
                if a != b:
                    parent[a] = b
    groups: dict[object, list[StudentNeed]] = defaultdict(list)
    for student in students:
        groups[find(("s", student.id))].append(student)
    return list(groups.values())


def solve(instance: Instance, *, time_limit: float = 8.0, workers: int = 2) -> Result:
    """The best proposal found within about ``time_limit`` seconds of solving, in two stages.

    1. Every student among the institutions they asked for (ranked or in their regions): the groups of
       students that share none of those institutions are independent problems, solved exactly, in
       parallel on ``workers`` threads.
    2. The students left with a course unplaced or short of hours in grades 2-3 are solved again, all
       their courses free, over every institution with the places the first stage left (the fallback).

    Splitting is exact for stage 1; stage 2 only uses places nobody asked for, or gave back."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    deadline = started + time_limit
    students = sorted(instance.students, key=lambda s: order_key(s.key))
    options, offers = build_options(instance)
    places = {key: offer.places for key, offer in offers.items()}
    asked = {
        s.id: [
            [o for o in unit_options if o.rank is not None or o.region or o.institution_id in _held(s)]
            for unit_options in options[s.id]
        ]
        for s in students
    }
    # stage 1: the courses that have an institution the student asked for; the others wait for stage 2
    # and count as reachable hours in grades 2-3 meanwhile
    active = {s.id: {i for i, unit_options in enumerate(asked[s.id]) if unit_options} for s in students}
    credit = {s.id: sum(u.hours for i, u in enumerate(s.units) if i not in active[s.id]) for s in students}
    groups = _groups(students, asked)

    def run(group: list[StudentNeed]) -> _Part:
        left = deadline - time.perf_counter()
        return _solve_part(group, asked, places, instance.schools, left * STAGE1_SHARE, active, credit)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        parts = list(pool.map(run, groups))
    picked: dict[int, list[Option]] = defaultdict(list)
    optimal = all(part.optimal for part in parts)
    for part in parts:
        for sid, chosen in part.picked.items():
            picked[sid].extend(chosen)
    # stage 2: every course still open, over all institutions, with the places stage 1 left; what the
    # student got in stage 1 is held (its institutions and hours count)
    left = dict(places)
    for chosen in picked.values():
        for option in chosen:
            for key in option.offer_keys:
                left[key] -= 1
    again: list[StudentNeed] = []
    still: dict[int, set[int]] = {}
    for student in students:
        done = {o.unit_index for o in picked.get(student.id, [])}
        still[student.id] = {i for i in range(len(student.units)) if i not in done}
        if still[student.id]:
            kept = tuple(
                HeldHours(o.institution_id, student.units[o.unit_index].hours, o.upper, o.alternative)
                for o in picked.get(student.id, [])
            )
            again.append(replace(student, held=student.held + kept))
    if again:
        rest = Instance(again, instance.schools, [replace(o, places=left[o.key]) for o in offers.values()],
                        instance.excluded)  # fmt: skip
        options_2, _ = build_options(rest, STAGE2_FALLBACK)
        part = _solve_part(
            again, options_2, left, instance.schools, max(1.0, deadline - time.perf_counter()), still, {}
        )
        optimal &= part.optimal
        for sid, chosen in part.picked.items():
            picked[sid].extend(chosen)
    by_id = {s.id: s for s in students}
    choices: dict[int, list[Choice]] = {}
    unplaced: dict[int, list[Unit]] = {}
    for student in students:
        chosen = sorted(picked.get(student.id, []), key=lambda o: o.unit_index)
        if chosen:
            choices[student.id] = [
                Choice(student.units[o.unit_index], o.institution_id, o.semester, o.level, o.grade,
                       o.rank, o.region)
                for o in chosen
            ]  # fmt: skip
        done = {o.unit_index for o in chosen}
        gaps = [u for i, u in enumerate(student.units) if i not in done]
        if gaps:
            unplaced[student.id] = gaps
    used: dict[OfferKey, int] = defaultdict(int)
    for student_choices in choices.values():
        for c in student_choices:
            for a in c.unit.activities:
                used[(c.institution_id, fold(c.unit.subject), c.semester, a)] += 1
    result = Result(
        choices=choices,
        unplaced=unplaced,
        why_not={},
        conflicts=[],
        seconds=time.perf_counter() - started,
        optimal=optimal,
        objective=score(by_id, choices, unplaced, instance.schools),
    )
    offered = {key[0] for key in offers}
    result.why_not = {
        s.id: why_not(instance, s, choices.get(s.id, []), offers, used, offered) for s in students
    }
    result.conflicts = explain(instance, students, result, offers, options)
    return result


def _held(student: StudentNeed) -> set[int]:
    return {h.institution_id for h in student.held}


def score(
    students: dict[int, StudentNeed],
    choices: dict[int, list[Choice]],
    unplaced: dict[int, list[Unit]],
    schools: dict[int, School],
) -> int:
    """The objective of a whole proposal, as the model counts it (to compare proposals)."""
    total = 0
    for sid, student in students.items():
        mine = choices.get(sid, [])
        for c in mine:
            total += option_score(c, c.unit.hours)
        for inst in {c.institution_id for c in mine} - _held(student):
            total -= INSTITUTION_COST + tie(student.key, schools[inst].code)
        total -= UNPLACED_COST * len(unplaced.get(sid, []))
        if student.units:
            reached = sum(h.hours for h in student.held if h.upper)
            reached += sum(c.unit.hours for c in mine if _upper(c))
            total -= UPPER_SHORT_COST * max(0, UPPER_GRADE_HOURS - reached)
    return total


# --- explanations ------------------------------------------------------------------------------------------


def why_not(
    instance: Instance,
    student: StudentNeed,
    chosen: Sequence[Choice],
    offers: dict[tuple[int, str, int, str], Offer],
    used: dict[tuple[int, str, int, str], int],
    offered: set[int] | None = None,
) -> list[WhyNot]:
    """For each preference ranked better than what the student got: the first reason it was not used.
    ``offered`` (the institutions with any offer) is computed once per proposal by the caller: scanning
    every offer per preference cost most of this function at 3,000 students."""
    if offered is None:
        offered = {key[0] for key in offers}
    best = min((c.rank for c in chosen if c.rank is not None), default=None)
    worst_needed = max((c.rank or 99 for c in chosen), default=99)
    found: list[WhyNot] = []
    for rank, inst in enumerate(student.ranked, start=1):
        if rank >= worst_needed or (best is not None and rank == best and worst_needed == best):
            break
        if any(c.institution_id == inst for c in chosen) and all(c.institution_id == inst for c in chosen):
            continue
        if inst in instance.excluded:
            found.append(WhyNot(inst, rank, "matching.why.excluded"))
        elif inst in student.avoid:
            found.append(WhyNot(inst, rank, "matching.why.avoid"))
        elif inst not in offered:
            found.append(WhyNot(inst, rank, "matching.why.no_capacity"))
        else:
            found.append(_unit_reason(instance, student, chosen, inst, rank, offers, used))
    return found


def _unit_reason(
    instance: Instance,
    student: StudentNeed,
    chosen: Sequence[Choice],
    inst: int,
    rank: int,
    offers: dict[tuple[int, str, int, str], Offer],
    used: dict[tuple[int, str, int, str], int],
) -> WhyNot:
    for choice in chosen:
        if choice.institution_id == inst or (choice.rank is not None and choice.rank <= rank):
            continue
        unit = choice.unit
        for semester in unit.semesters:
            keys = [(inst, fold(unit.subject), semester, a) for a in unit.activities]
            missing = [k for k in keys if k not in offers]
            if missing:
                continue
            full = [k for k in keys if used.get(k, 0) >= offers[k].places]
            if full:
                k = full[0]
                return WhyNot(inst, rank, "matching.why.full", {
                    "course": unit.course_code, "activity": k[3], "semester": str(semester),
                    "places": str(offers[k].places),
                })  # fmt: skip
            if pick_level([offers[k] for k in keys], instance.schools[inst], student) is None:
                return WhyNot(inst, rank, "matching.why.levels", {"course": unit.course_code})
            return WhyNot(inst, rank, "matching.why.together", {"course": unit.course_code})
        return WhyNot(inst, rank, "matching.why.not_offered", {
            "course": unit.course_code, "subject": unit.subject,
            "semesters": ", ".join(map(str, unit.semesters)),
        })  # fmt: skip
    return WhyNot(inst, rank, "matching.why.together", {"course": ""})


def explain(
    instance: Instance,
    students: Sequence[StudentNeed],
    result: Result,
    offers: dict[tuple[int, str, int, str], Offer],
    options: dict[int, list[list[Option]]],
) -> list[Conflict]:
    """Name the groups the elastic constraints had to give way for, with their numbers, and only the
    causes that hold.

    Capacity: per (subject, semester, activity), the students who needed it against the places declared
    (net of placements kept). An activity with places enough that could not be placed only because it
    must be at one institution with a scarce activity of the same course is named as that ("co-teaching
    must be at the school of the scarce guided hours"); otherwise with the reasons found at the
    institutions that offer it (excluded, former school or conflict, the course's other activities not
    offered there, level or grade). A student with no allowed institution at all for a course is named
    apart, as is a student who cannot reach the hours in grades 2-3."""
    conflicts: list[Conflict] = []
    places: dict[tuple[str, int, str], int] = defaultdict(int)
    for offer in offers.values():
        places[(fold(offer.subject), offer.semester, offer.activity)] += offer.places
    Group = tuple[str, tuple[int, ...], str]
    demand: dict[Group, set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    for student in students:
        for unit in student.units:
            labels[fold(unit.subject)] = unit.subject
            for activity in unit.activities:
                demand[(fold(unit.subject), unit.semesters, activity)].add(student.id)
    short: dict[Group, list[tuple[StudentNeed, Unit]]] = defaultdict(list)
    by_id = {s.id: s for s in students}
    for student_id, units in sorted(result.unplaced.items(), key=lambda kv: (by_id[kv[0]].name, kv[0])):
        student = by_id[student_id]
        for unit in units:
            if not options[student_id][student.units.index(unit)]:
                conflicts.append(Conflict("matching.conflict.no_option", {
                    "student": student.name, "course": unit.course_code, "subject": unit.subject,
                    "semesters": ", ".join(map(str, unit.semesters)),
                }))  # fmt: skip
                continue
            for activity in unit.activities:
                short[(fold(unit.subject), unit.semesters, activity)].append((student, unit))

    def available(group: Group) -> int:
        return sum(places.get((group[0], semester, group[2]), 0) for semester in group[1])

    scarce = {group for group in short if len(demand[group]) > available(group)}
    for group in sorted(short):
        params = {
            "subject": labels.get(group[0], group[0]), "semester": ", ".join(map(str, group[1])),
            "activity": group[2], "students": str(len(demand[group])), "places": str(available(group)),
            "unplaced": str(len({s.id for s, _ in short[group]})),
        }  # fmt: skip
        if group in scarce:
            conflicts.append(Conflict("matching.conflict.capacity", params))
            continue
        tied = sorted(
            {b for _, unit in short[group] for b in unit.activities if (group[0], group[1], b) in scarce}
        )
        if tied:
            for other in tied:
                extra = {"with": other, "with_places": str(available((group[0], group[1], other)))}
                conflicts.append(Conflict("matching.conflict.together", params | extra))
            continue
        reasons = _fit_reasons(instance, offers, group, short[group])
        conflicts.append(Conflict("matching.conflict.fit", params | {"reasons": ";".join(reasons)}))
    for student in students:
        reached = sum(h.hours for h in student.held if h.upper) + sum(
            c.unit.hours for c in result.choices.get(student.id, []) if _upper(c)
        )
        if student.units and student.id not in result.unplaced and reached < UPPER_GRADE_HOURS:
            conflicts.append(Conflict("matching.conflict.upper_grades", {
                "student": student.name, "hours": str(reached), "min": str(UPPER_GRADE_HOURS),
            }))  # fmt: skip
    return conflicts


FIT_REASONS = ("excluded", "avoid", "together", "level", "taken")  # in the order they are named


def _fit_reasons(
    instance: Instance,
    offers: dict[tuple[int, str, int, str], Offer],
    group: tuple[str, tuple[int, ...], str],
    unplaced: Sequence[tuple[StudentNeed, Unit]],
) -> list[str]:
    """Why the institutions offering a group's activity did not take these students, each cause once:
    excluded from this proposal, the student's former school or declared conflict, the course's other
    activities not offered there, no level or grade the student may take there; else its places went to
    students who had no other choice ("taken")."""
    subject, semesters, activity = group
    found: set[str] = set()
    for student, unit in unplaced:
        for inst, offered_subject, semester, offered_activity in offers:
            if (offered_subject, offered_activity) != (subject, activity) or semester not in semesters:
                continue
            keys = [(inst, subject, semester, a) for a in unit.activities]
            if inst in instance.excluded:
                found.add("excluded")
            elif inst in student.avoid:
                found.add("avoid")
            elif any(k not in offers for k in keys):
                found.add("together")
            elif pick_level([offers[k] for k in keys], instance.schools[inst], student) is None:
                found.add("level")
            else:
                found.add("taken")
    return [r for r in FIT_REASONS if r in found]


def _upper(choice: Choice) -> bool:
    return choice.level in SECONDARY_LEVELS and choice.grade in UPPER_GRADES


def units_of(
    catalogue: Catalogue,
    subject_x: str,
    subject_y: str,
    open_slots: Sequence[Slot],
    *,
    tutoring_semester: int | None = None,
    professional_semester: int | None = None,
) -> tuple[Unit, ...]:
    """The student's open activities grouped per course, with the semesters the course may take place in
    (the one the student chose for the tutoring internship and professional teaching, when they did)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for slot in open_slots:
        wanted[slot.course_code].append(slot.kind)
    units = []
    for course in catalogue.courses:
        if course.code not in wanted:
            continue
        kinds = {a.kind.value for a in course.activities}
        chosen = None
        if ActivityKind.TUTORING.value in kinds:
            chosen = tutoring_semester
        elif ActivityKind.WORKPLACE_TASK.value in kinds or ActivityKind.INDEPENDENT.value in kinds:
            chosen = professional_semester
        semesters = (chosen,) if chosen in course.semesters else course.semesters
        subject = {"X": subject_x, "Y": subject_y}.get(course.subject or "", "")
        activities = tuple(a.kind.value for a in course.activities if a.kind.value in wanted[course.code])
        hours = sum(a.hours for a in course.activities if a.kind.value in activities)
        units.append(Unit(course.code, activities, hours, subject, tuple(semesters)))
    return tuple(units)
