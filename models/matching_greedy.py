"""First come, first served: what placing by hand down a list does. Two uses.

- The baseline the benchmark compares the solver with: students in the order given (import order).
- The solver's starting point (its hint): the same pass in the fair hashed order.

Each student's courses are placed largest first, each at the best-ranked institution that still has places
(then one in the student's regions, then one already chosen for the student, then an upper grade), but
never so that the 12 hours in grades 2-3 or the 10 hours of alternative settings become impossible: a
hand placer checks those rules too, and a hint that breaks a hard rule is useless to the solver. No look-ahead
over students, so early students take places a later student needed more.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from models.matching_instance import Choice, Instance, Option, StudentNeed, Unit, build_options
from models.placements import ALTERNATIVE_MAX_HOURS, UPPER_GRADE_HOURS

OfferKey = tuple[int, str, int, str]


def first_come(
    students: Sequence[StudentNeed],
    options: dict[int, list[list[Option]]],
    places: dict[OfferKey, int],
) -> tuple[dict[int, list[Option]], dict[int, list[int]]]:
    """Chosen options per student and the indexes of units left unplaced, serving ``students`` in order."""
    left = dict(places)
    chosen: dict[int, list[Option]] = {}
    unplaced: dict[int, list[int]] = {}
    for student in students:
        per_unit = options.get(student.id, [])
        alternative = sum(h.hours for h in student.held if h.alternative)
        upper = sum(h.hours for h in student.held if h.upper)
        schools = {h.institution_id for h in student.held}
        order = sorted(range(len(student.units)), key=lambda i: (-student.units[i].hours, i))
        picked: list[Option] = []
        for position, index in enumerate(order):
            unit = student.units[index]
            fits = [
                o
                for o in per_unit[index]
                if all(left[k] > 0 for k in o.offer_keys)
                and (not o.alternative or alternative + unit.hours <= ALTERNATIVE_MAX_HOURS)
            ]
            if not fits:
                unplaced.setdefault(student.id, []).append(index)
                continue
            later = order[position + 1 :]
            reachable = sum(
                student.units[i].hours
                for i in later
                if any(o.upper and all(left[k] > 0 for k in o.offer_keys) for o in per_unit[i])
            )
            safe = [
                o for o in fits if upper + (unit.hours if o.upper else 0) + reachable >= UPPER_GRADE_HOURS
            ]
            best = min(
                safe or fits,
                key=lambda o: (o.rank or 99, not o.region, o.institution_id not in schools, not o.upper),
            )
            for key in best.offer_keys:
                left[key] -= 1
            alternative += unit.hours if best.alternative else 0
            upper += unit.hours if best.upper else 0
            schools.add(best.institution_id)
            picked.append(best)
        chosen[student.id] = picked
    return chosen, unplaced


def solve_greedy(instance: Instance) -> tuple[dict[int, list[Choice]], dict[int, list[Unit]], float]:
    """The baseline: first come, first served in the order of ``instance.students``."""
    started = time.perf_counter()
    options, offers = build_options(instance)
    chosen, missing = first_come(instance.students, options, {k: o.places for k, o in offers.items()})
    by_id = {s.id: s for s in instance.students}
    choices: dict[int, list[Choice]] = defaultdict(list)
    for student_id, picked in chosen.items():
        units = by_id[student_id].units
        for o in sorted(picked, key=lambda o: o.unit_index):
            choices[student_id].append(
                Choice(units[o.unit_index], o.institution_id, o.semester, o.level, o.grade, o.rank, o.region)
            )
    unplaced = {sid: [by_id[sid].units[i] for i in sorted(idx)] for sid, idx in missing.items()}
    return dict(choices), unplaced, time.perf_counter() - started
