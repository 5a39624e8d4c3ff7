"""The first-come baseline the benchmark compares the solver with: what placing by hand in list order does.

Students are served in the order given (import order); each course goes to the best-ranked institution
that still has places, then one in the student's regions, then any. No look-ahead, so early students
take places a later student needed more.
"""

from __future__ import annotations

import time
from collections import defaultdict

from models.matching import Choice, Instance, Option, Unit, build_options
from models.placements import ALTERNATIVE_MAX_HOURS


def solve_greedy(instance: Instance) -> tuple[dict[int, list[Choice]], dict[int, list[Unit]], float]:
    started = time.perf_counter()
    options, offers = build_options(instance)
    left = {key: offer.places for key, offer in offers.items()}
    choices: dict[int, list[Choice]] = defaultdict(list)
    unplaced: dict[int, list[Unit]] = {}
    for student in instance.students:
        alternative = sum(h.hours for h in student.held if h.alternative)
        for index, unit in enumerate(student.units):
            fits = [
                o
                for o in options[student.id][index]
                if all(left[k] > 0 for k in o.offer_keys)
                and (not o.alternative or alternative + unit.hours <= ALTERNATIVE_MAX_HOURS)
            ]
            if not fits:
                unplaced.setdefault(student.id, []).append(unit)
                continue
            best: Option = min(fits, key=lambda o: (o.rank or 99, not o.region))
            for key in best.offer_keys:
                left[key] -= 1
            alternative += unit.hours if best.alternative else 0
            choices[student.id].append(
                Choice(
                    unit, best.institution_id, best.semester, best.level, best.grade, best.rank, best.region
                )
            )
    return dict(choices), unplaced, time.perf_counter() - started
