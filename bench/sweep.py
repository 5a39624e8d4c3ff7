"""Benchmark: the scheduler's daily sweep over a large cohort.

Measures, at two cohort sizes, the SQL statements a sweep needs to read the cohort and plan (they must
not grow with the cohort), the time to read and plan, and the time of a full sweep that sends every DM
into the local workspace, per student. Run by hand:

    PYTHONPATH=. .venv/bin/python -m bench.sweep --students 10000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.status_latency import (
    PEOPLE_COLUMNS,
    SCHOOL_COLUMNS,
    _csv,
    give_progress,
    import_csv,
    open_database,
    peak_rss_mib,
    school_rows,
    staff_rows,
    start_stack,
    student_id,
    student_rows,
)
from bot.app import web_client
from models.people_csv import import_people
from models.schools_csv import import_schools
from scheduler.sweep import dry_run, run_sweep

# Friday 22 January 2027, 09:30 in Brussels: documents, agreement and planning reminders are all due.
SWEEP_AT = datetime(2027, 1, 22, 8, 30, tzinfo=UTC)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def plan_once(stack: Any) -> tuple[int, float, int]:
    """(statements, seconds, items) of reading the cohort and planning, nothing sent."""
    with counted(stack.services.db.engine) as statements:
        started = time.perf_counter()
        lines = dry_run(stack.services, SWEEP_AT)
        elapsed = time.perf_counter() - started
    return len(statements), elapsed, len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--small-cohort", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--no-send", action="store_true", help="measure reading and planning only")
    args = parser.parse_args(argv)
    rng = Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'sweep.db'}")
        schools = school_rows(50, rng)
        students = student_rows(args.students, [row["code"] for row in schools], rng)
        small = min(args.small_cohort, args.students)
        import_csv(db, import_schools, _csv(SCHOOL_COLUMNS, schools))
        import_csv(db, import_people, _csv(PEOPLE_COLUMNS, staff_rows(rng) + students[:small]))
        give_progress(db, [student_id(i) for i in range(1, small + 1)], args.seed)
        stack = start_stack(db)
        try:
            small_plan = plan_once(stack)
            import_csv(db, import_people, _csv(PEOPLE_COLUMNS, students[small:]))
            give_progress(db, [student_id(i) for i in range(small + 1, args.students + 1)], args.seed)
            stack.sync_users()
            plan_once(stack)  # warm
            large_plan = plan_once(stack)
            result: dict[str, Any] = {
                "students": args.students,
                "statements_to_plan": {str(small): small_plan[0], str(args.students): large_plan[0]},
                "plan_seconds": round(large_plan[1], 3),
                "plan_ms_per_student": round(1000 * large_plan[1] / args.students, 4),
                "items_due": large_plan[2],
            }
            if not args.no_send:
                started = time.perf_counter()
                sent, failed = run_sweep(stack.services, web_client(stack.services), SWEEP_AT)
                elapsed = time.perf_counter() - started
                result |= {
                    "messages_sent": sent,
                    "messages_failed": failed,
                    "sweep_seconds": round(elapsed, 2),
                    "sweep_ms_per_student": round(1000 * elapsed / args.students, 3),
                }
            result["peak_rss_mib"] = round(peak_rss_mib(), 1)
        finally:
            stack.close()
    print(json.dumps(result, indent=2))
    same = result["statements_to_plan"][str(small)] == result["statements_to_plan"][str(args.students)]
    print("statements independent of cohort size:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
