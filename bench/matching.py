"""Benchmark: matching suggestions for generated cohorts, CP-SAT against the first-come greedy baseline.

Cohorts of 100, 1,000 and 3,000 students over 300 institutions (the catalogue's six courses, two subject
didactics per student, five ranked preferences skewed towards popular schools in the student's region,
a former school each). Places are declared at about 1.25 times the demand per subject, semester and
activity, so a complete proposal exists but the popular schools are over-asked. Run by hand:

    PYTHONPATH=. .venv/bin/python -m bench.matching [--sizes 100 1000 3000] [--time-limit 8]
"""

from __future__ import annotations

import argparse
import json
import math
import os
from datetime import date
from pathlib import Path
from random import Random

from models import matching, matching_instance
from models.catalogue import load_catalogue
from models.matching_greedy import solve_greedy
from models.matching_instance import Instance, Offer, School, StudentNeed
from models.placements import required_slots

SUBJECTS = [
    "Wiskunde", "Nederlands", "Engels", "Frans", "Geschiedenis", "Aardrijkskunde", "Biologie", "Chemie",
    "Fysica", "Economie", "Informatica", "Godsdienst", "Lichamelijke opvoeding", "Muziek", "Latijn",
]  # fmt: skip
REGIONS = ["Gent", "Antwerpen", "Brussel", "Leuven", "Brugge", "Hasselt", "Kortrijk", "Mechelen", "Aalst",
           "Genk", "Oostende", "Turnhout"]  # fmt: skip
SLACK = 1.25


def generate(students: int, institutions: int, seed: int) -> Instance:
    rng = Random(seed)
    catalogue = load_catalogue()
    popularity = [1.0 / (i + 1) ** 0.6 for i in range(len(SUBJECTS))]
    schools: dict[int, School] = {}
    for i in range(1, institutions + 1):
        levels = ("alternative",) if i % 50 == 0 else tuple(rng.sample(["aso", "tso", "bso", "kso"], 2))
        schools[i] = School(i, f"S{i:04d}", f"School {i}", REGIONS[i % len(REGIONS)], levels)
    attractiveness = {i: rng.paretovariate(1.5) for i in schools}
    people: list[StudentNeed] = []
    for n in range(students):
        x, y = rng.choices(SUBJECTS, weights=popularity, k=1)[0], None
        while y is None or y == x:
            y = rng.choices(SUBJECTS, weights=popularity, k=1)[0]
        region = rng.choice(REGIONS)
        local = [i for i, s in schools.items() if s.city == region and "alternative" not in s.levels]
        weights = [attractiveness[i] for i in local]
        ranked: list[int] = []
        while len(ranked) < 5:
            pick = rng.choices(local, weights=weights, k=1)[0]
            if pick not in ranked:
                ranked.append(pick)
        former = rng.choice([i for i in local if i not in ranked])
        units = matching.units_of(
            catalogue, x, y, required_slots(catalogue),
            tutoring_semester=rng.choice([1, 2, None]), professional_semester=rng.choice([1, 2, None]),
        )  # fmt: skip
        people.append(
            StudentNeed(
                id=n + 1, key=f"U{n:07d}", name=f"Student {n}", units=units, ranked=tuple(ranked),
                regions=(region,), avoid=frozenset({former}), alternatives_ok=rng.random() < 0.1,
                levels=("aso",), grades=(2, 3), held=(),
            )
        )  # fmt: skip
    # demand per (subject, course, semester), spread over institutions that host all the course's activities
    demand: dict[tuple[str, tuple[str, ...], int], float] = {}
    for s in people:
        for u in s.units:
            for m in u.semesters:
                key = (u.subject, u.activities, m)
                demand[key] = demand.get(key, 0) + 1 / len(u.semesters)
    offers: list[Offer] = []
    regular = [i for i, s in schools.items() if "alternative" not in s.levels]
    for (subject, activities, semester), wanted in sorted(demand.items()):
        total = math.ceil(wanted * SLACK)
        hosts = rng.sample(regular, k=min(len(regular), max(3, math.ceil(total / 3))))
        per = [total // len(hosts) + (1 if k < total % len(hosts) else 0) for k in range(len(hosts))]
        for inst, places in zip(hosts, per, strict=True):
            if places:
                grades = (1, 2, 3) if rng.random() < 0.8 else (1,)
                for activity in activities:
                    offers.append(
                        Offer(inst, subject, semester, activity, places, schools[inst].levels, grades)
                    )
    for inst, school in schools.items():
        if "alternative" in school.levels:
            offers.append(Offer(inst, "", 1, "tutoring", 3, ("alternative",)))
    return Instance(people, schools, offers)


def run(sizes: list[int], institutions: int, seed: int, time_limit: float) -> list[dict[str, object]]:
    rows = []
    for size in sizes:
        instance = generate(size, institutions, seed)
        result = matching.solve(instance, time_limit=time_limit, workers=2)
        q = matching_instance.quality(instance.students, result.choices, result.unplaced)
        g_choices, g_unplaced, g_seconds = solve_greedy(instance)
        g = matching_instance.quality(instance.students, g_choices, g_unplaced)
        row = {
            "students": size, "institutions": institutions,
            "cpsat_seconds": round(result.seconds, 2), "cpsat_optimal": result.optimal,
            "cpsat_first": round(q.first / q.students, 3), "cpsat_top3": round(q.top3 / q.students, 3),
            "cpsat_unplaced": q.unplaced_units, "cpsat_schools": round(q.institutions_per_student, 2),
            "greedy_seconds": round(g_seconds, 2),
            "greedy_first": round(g.first / g.students, 3), "greedy_top3": round(g.top3 / g.students, 3),
            "greedy_unplaced": g.unplaced_units, "greedy_schools": round(g.institutions_per_student, 2),
        }  # fmt: skip
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--institutions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    rows = run(args.sizes, args.institutions, args.seed, args.time_limit)
    if not args.no_json:
        out = Path(__file__).parent / "results" / f"matching-{date.today().isoformat()}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2))
    target = next((r for r in rows if r["students"] == 1000), None)
    return 0 if target is None or float(target["cpsat_seconds"]) < 10 else 1  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
