"""Benchmark: the completion of every internship in the coordinator's overview (`/stage uren`: who is behind)
and in a student's `/stage status`, through the bot's real HTTP app, over a cohort with hours logged.

Each student gets two placements (Subject didactics X 2 and Y 2), an approved planning of nine lessons for
each, and eighteen hours logged, part of them confirmed. The benchmark counts the SQL statements of one
request per case at two cohort sizes (they must be equal) and times the requests. Run by hand:

    PYTHONPATH=. .venv/bin/python -m bench.completion --students 1000
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from bench.status_latency import (
    COORDINATOR_ID,
    PEOPLE_COLUMNS,
    SCHOOL_COLUMNS,
    Case,
    Client,
    _csv,
    import_csv,
    measure,
    open_database,
    peak_rss_mib,
    school_rows,
    staff_rows,
    start_stack,
    student_id,
    student_rows,
)
from models.db import Database
from models.hours import HoursConfirmation, HoursEntry
from models.people import Person
from models.people_csv import import_people
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.schools import Institution
from models.schools_csv import import_schools
from tests.statements import counted

RESULTS = Path(__file__).parent / "results"
P99_TARGET_MS = 100.0
NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # a Monday, five weeks into the period
FIRST = date(2027, 2, 15)


def lesson_days() -> list[date]:
    """Nine school days from 15 February 2027 (Monday to Friday)."""
    days, day = [], FIRST
    while len(days) < 9:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def give_hours(db: Database, slack_ids: list[str], seed: int) -> None:
    """Placements, approved plannings and hours for these students, in bulk."""
    with db.session() as session:
        ids = dict(
            session.exec(
                select(Person.slack_user_id, Person.id).where(col(Person.slack_user_id).in_(slack_ids))
            ).all()
        )
        school = session.exec(select(Institution.id).where(col(Institution.levels).is_not(None))).first()
        assert school is not None
        days = lesson_days()
        for slack_id in slack_ids:
            rng = Random(f"hours:{seed}:{slack_id}")
            person_id = ids[slack_id]
            record = HoursConfirmation(
                student_id=person_id, week_start=FIRST, state="confirmed", created_at=NOW
            )
            session.add(record)
            session.flush()
            entries: list[dict[str, Any]] = []
            lessons: list[dict[str, Any]] = []
            for course in ("VDX2", "VDY2"):
                placement = Placement(
                    student_id=person_id,
                    institution_id=school,
                    course_code=course,
                    activities=["co_teaching", "guided"],
                    semester=2,
                    start=FIRST,
                    end=date(2027, 4, 2),
                    hours=9,
                    level="aso",
                    grade=rng.choice((2, 3)),
                    placed_at=NOW,
                    answer="accepted",
                )
                session.add(placement)
                session.flush()
                version = PlanningVersion(
                    placement_id=placement.id or 0,
                    student_id=person_id,
                    number=1,
                    status="approved",
                    created_at=NOW,
                )
                session.add(version)
                session.flush()
                confirmed = rng.randint(0, 9)
                for n, day in enumerate(days):
                    activity = "co_teaching" if n < 2 else "guided"
                    start = time(10 if course == "VDX2" else 12)
                    end = time(start.hour, 50)
                    lessons.append(
                        {
                            "version_id": version.id,
                            "day": day,
                            "start": start,
                            "end": end,
                            "activity": activity,
                            "class_name": "5B",
                            "grade": placement.grade,
                            "level": "aso",
                            "room": "",
                            "topic": "",
                            "mentor": "",
                        }
                    )
                    entries.append(
                        {
                            "key": f"lesson:{placement.id}:{day.isoformat()}:{start:%H:%M}",
                            "student_id": person_id,
                            "placement_id": placement.id,
                            "day": day,
                            "activity": activity,
                            "level": "aso",
                            "grade": placement.grade,
                            "hours": 1.0,
                            "state": "given",
                            "note": "",
                            "lesson_start": start,
                            "confirmation_id": record.id if n < confirmed else None,
                            "updated_at": NOW,
                        }
                    )
            session.execute(insert(PlannedLesson), lessons)
            session.execute(insert(HoursEntry), entries)
        session.commit()


def count(client: Client, engine: Any, cases: list[Case]) -> dict[str, int]:
    """Statements of the request's own thread (the outbox delivering an earlier answer is not counted)."""
    found = {}
    for case in cases:
        client.send(case.user_id, case.command)
        with counted(engine) as statements:
            client.send(case.user_id, case.command)
        found[f"{case.command}:{case.role}"] = len(statements)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--small-cohort", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    rng = Random(args.seed)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(args.database_url or f"sqlite:///{Path(folder) / 'completion.db'}")
        schools = school_rows(20, rng)
        students = student_rows(args.students, [row["code"] for row in schools], rng)
        small = min(args.small_cohort, args.students)
        import_csv(db, import_schools, _csv(SCHOOL_COLUMNS, schools))
        import_csv(db, import_people, _csv(PEOPLE_COLUMNS, staff_rows(rng) + students[:small]))
        give_hours(db, [student_id(i) for i in range(1, small + 1)], args.seed)
        stack = start_stack(db)
        stack.services.clock.freeze(NOW)
        cases = [
            Case("uren", "coordinator", COORDINATOR_ID),
            Case("status", "student", student_id(1)),
            Case("uren", "student", student_id(1)),
        ]
        client = Client(stack.ws, stack.ports["bot"])
        try:
            small_counts = count(client, db.engine, cases)
            import_csv(db, import_people, _csv(PEOPLE_COLUMNS, students[small:]))
            give_hours(db, [student_id(i) for i in range(small + 1, args.students + 1)], args.seed)
            stack.sync_users()
            large_counts = count(client, db.engine, cases)
            series = [measure(client, "bot", case, args.requests) for case in cases]
        finally:
            client.close()
            stack.close()
    result = {
        "students": args.students,
        "backend": db.engine.dialect.name,
        "statements": {str(small): small_counts, str(args.students): large_counts},
        "series": [s.summary() for s in series],
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    print(json.dumps(result, indent=2))
    same = small_counts == large_counts
    fast = all(s.percentile(99) < P99_TARGET_MS for s in series)
    print("statements independent of cohort size:", "yes" if same else "NO")
    print(f"p99 under {P99_TARGET_MS:g} ms for every case:", "yes" if fast else "NO")
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
        (RESULTS / f"completion-{stamp}.json").write_text(
            json.dumps(result, indent=2) + "\n", encoding="utf-8"
        )
    return 0 if same and fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
