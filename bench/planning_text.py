"""Speed of a typed planning: 200 lines of free text read, checked against every rule and previewed.

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. python -m bench.planning_text [--lines 200] [--rounds 20]

The listener acks first and reads the text on the background pool, so this is not bound by Slack's 3 s,
but a student still waits for the preview: the target is well under one second for 200 lines. Measured
without a database (the rules and the view are pure functions; the preview's queries are a fixed few).
Results go to stdout and to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

from bot.i18n import Translator
from bot.views import planning as views
from models.catalogue import Catalogue, load_catalogue
from models.lesson_text import parse_lessons
from models.placements import Placement
from models.planning import StudentPlanning, check, facts, reading_to_lesson

TODAY = date(2026, 11, 28)
TARGET_SECONDS = 1.0
DUTCH_DAYS = ("ma", "di", "wo", "do", "vr")
ENGLISH_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
ENGLISH_MONTHS = {2: "Feb", 3: "Mar", 4: "Apr", 5: "May"}


def phrases(count: int, seed: int) -> str:
    """Lines the way students write them: Dutch and English, numeric and written dates, rooms, topics."""
    rng = Random(seed)
    out = []
    day = date(2027, 2, 15)
    for i in range(count):
        if i % 5 == 0:
            day += timedelta(days=1 if day.weekday() < 4 else 3)
        hour = 8 + i % 5
        kind = i % 4
        if kind == 0:
            out.append(
                f"{DUTCH_DAYS[day.weekday()]} {day.day}/{day.month} {hour}u-{hour}u50 5B lokaal 204 breuken"
            )
        elif kind == 1:
            month = ENGLISH_MONTHS[day.month]
            out.append(
                f"{ENGLISH_DAYS[day.weekday()]} {day.day} {month} {hour}am-{hour}:50am 4A room 3 guided"
            )
        elif kind == 2:
            out.append(f"{day:%d-%m-%Y} {hour}:00-{hour}:50 3BSO begeleid topic: vectoren")
        else:
            wrong = DUTCH_DAYS[(day.weekday() + rng.randint(1, 4)) % 5]  # a weekday that contradicts the date
            out.append(f"{wrong} {day.day}/{day.month} {hour}u-{hour}u50 6ASO-b")
    return "\n".join(out)


def one_round(text: str, placement: Placement, t: Translator, catalogue: Catalogue) -> tuple[int, int]:
    readings = parse_lessons(text, TODAY)
    read = [reading_to_lesson(r.lesson, placement, "guided") for r in readings if r.lesson]
    picture = StudentPlanning([placement], {placement.id or 0: []}, {})
    per_lesson, _ = check(catalogue, picture, placement, [facts(x, 1) for x in read], TODAY)
    problems = {i: [views.problem_text(t, p) for p in found] for i, found in per_lesson.items()}
    blocks = views.preview(t, readings, problems, len(read) - len(per_lesson), 1)
    return len(readings), len(blocks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    text = phrases(args.lines, args.seed)
    placement = Placement(
        id=1, student_id=1, institution_id=1, course_code="PL", activities=["guided", "independent"],
        semester=2, start=date(2027, 2, 15), end=date(2027, 5, 14), hours=20, level="aso", grade=3,
        placed_at=datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    t, catalogue = Translator("nl"), load_catalogue()
    one_round(text, placement, t, catalogue)  # warm-up: dateparser's language data, the catalogues
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        lines, _ = one_round(text, placement, t, catalogue)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    result = {
        "lines": lines,
        "rounds": args.rounds,
        "median_seconds": round(median, 4),
        "worst_seconds": round(max(timings), 4),
        "lines_per_second": round(lines / median),
        "target_seconds": TARGET_SECONDS,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(json.dumps(result, indent=2))
    if not args.no_json:
        out = Path(__file__).parent / "results" / f"planning_text-{date.today():%Y-%m-%d}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
