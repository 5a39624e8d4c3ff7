"""Benchmark: the scheduler's daily sweep over a large cohort, delivered to a Slack that paces like Slack.

Measures the SQL statements a sweep needs to read the cohort and plan (they must not grow with the cohort)
and the time to plan; then, against the local workspace in realistic mode (a latency per call and Slack's
rate limits, time-scaled), a full sweep from its start until the outbox is empty: messages due, delivered
exactly once, duplicated, lost, 429s, and the duration over the floor Slack's limits allow for the calls it
needed. A second run sweeps twice at once (the scheduler and `stagebot remind`) with two outbox workers.
Run by hand:

    PYTHONPATH=. .venv/bin/python -m bench.sweep --students 10000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.engine import Engine
from sqlmodel import select

from bench.status_latency import (
    PEOPLE_COLUMNS,
    SCHOOL_COLUMNS,
    Stack,
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
from bot.delivery.outbox import OutboxWorker
from bot.delivery.slack_limits import Pacer
from models import outbox
from models.outbox import OutboxMessage, OutboxState
from models.people_csv import import_people
from models.reminders import Reminder
from models.schools_csv import import_schools
from scheduler.sweep import dry_run, run_sweep
from workspace.rate_limits import LIMITS

# Friday 22 January 2027, 09:30 in Brussels: documents, agreement and planning reminders are all due.
SWEEP_AT = datetime(2027, 1, 22, 8, 30, tzinfo=UTC)
RESULTS = Path(__file__).parent / "results"
FLOOR_TARGET = 1.5


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []
    here = threading.get_ident()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == here:  # not the outbox worker polling meanwhile
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def plan_once(stack: Stack) -> tuple[int, float, int]:
    """(statements, seconds, items) of reading the cohort and planning, nothing sent."""
    with counted(stack.services.db.engine) as statements:
        started = time.perf_counter()
        lines = dry_run(stack.services, SWEEP_AT)
        elapsed = time.perf_counter() - started
    return len(statements), elapsed, len(lines)


def floor_seconds(calls: dict[str, int], scale: float) -> float:
    """The least wall time Slack's limits allow for these accepted calls: per method, its calls at its
    per-minute limit (methods are limited independently, so the slowest one sets the floor)."""
    slack_seconds = max(
        (count / LIMITS[method].window.calls * LIMITS[method].window.seconds)
        for method, count in calls.items()
        if method in LIMITS
    )
    return slack_seconds / scale


def forget_the_sweep(stack: Stack) -> None:
    """Back to before the sweep: no reminder recorded, an empty outbox, an empty workspace (the people and
    the DM channels the bot learnt stay, as they would on the next day)."""
    with stack.services.db.session() as session:
        session.execute(delete(Reminder))
        session.execute(delete(OutboxMessage))
        session.commit()
    stack.ws.reset()


def wait_until_empty(stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.services.db.session() as session:
            box = outbox.counts(session)
        if not box[OutboxState.PENDING.value] and not box[OutboxState.SENDING.value]:
            return
        time.sleep(0.05)
    raise SystemExit(f"the outbox did not empty in {timeout:.0f} s")


def delivered(stack: Stack) -> dict[str, int]:
    """Due (rows in the outbox), and per row how often its message is in the workspace: exactly once,
    more (duplicates), never (lost). Messages are matched by conversation and text."""
    with stack.services.db.session() as session:
        rows = session.exec(select(OutboxMessage.payload, OutboxMessage.state)).all()
    state = stack.ws.state
    with state.lock:
        seen = Counter(
            (channel, message.text)
            for channel, messages in state.messages.items()
            for message in messages
            if message.user == stack.ws.bot_user_id and not message.deleted
        )
    once = duplicates = lost = failed = 0
    for payload, row_state in rows:
        target = str(payload["channel"])
        channel = state.resolve_channel(target)
        n = seen.get((channel, payload.get("text", "")), 0)
        once += n == 1
        duplicates += max(0, n - 1)
        lost += n == 0
        failed += row_state == OutboxState.FAILED.value
    return {"due": len(rows), "once": once, "duplicates": duplicates, "lost": lost, "failed": failed}


def sweep_run(stack: Stack, scale: float, *, doubled: bool) -> dict[str, Any]:
    """One sweep from start until the outbox is empty; `doubled`: two sweeps at once (scheduler and
    `stagebot remind`) and a second outbox worker beside the first, sharing nothing but the database."""
    services = stack.services
    forget_the_sweep(stack)
    extra: OutboxWorker | None = None
    if doubled:
        extra = OutboxWorker(services)
        extra.pacer = services.outbox.pacer  # one app's budget: the two share what Slack allows it
        extra.start()
    sweeps: list[Callable[[], tuple[int, int]]] = [
        lambda: run_sweep(services, web_client(services), SWEEP_AT) for _ in range(2 if doubled else 1)
    ]
    queued: list[int] = []
    started = time.perf_counter()
    threads = [threading.Thread(target=lambda s=s: queued.append(s()[0])) for s in sweeps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queued_at = time.perf_counter() - started
    if extra is not None:
        extra.kick()
    wait_until_empty(stack, timeout=3600)
    elapsed = time.perf_counter() - started
    if extra is not None:
        extra.stop()
    stats = stack.ws.api_stats()
    accepted = {m: s.calls - s.ratelimited for m, s in stats.items()}
    floor = floor_seconds(accepted, scale)
    return {
        "sweeps": len(sweeps),
        "workers": 2 if doubled else 1,
        "queued_per_sweep": sorted(queued),
        **delivered(stack),
        "calls": {m: s.calls for m, s in sorted(stats.items())},
        "ratelimited": {m: s.ratelimited for m, s in sorted(stats.items()) if s.ratelimited},
        "seconds_to_queue": round(queued_at, 2),
        "seconds": round(elapsed, 2),
        "floor_seconds": round(floor, 2),
        "over_floor": round(elapsed / floor, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--small-cohort", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--latency", type=float, default=0.3, help="Slack seconds per Web API call")
    parser.add_argument("--time-scale", type=float, default=20.0, help="Slack seconds per wall second")
    parser.add_argument("--no-send", action="store_true", help="measure reading and planning only")
    parser.add_argument("--no-doubled", action="store_true", help="skip the run with two sweeps at once")
    parser.add_argument("--no-json", action="store_true")
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file")
    args = parser.parse_args(argv)
    rng = Random(args.seed)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(args.database_url or f"sqlite:///{Path(folder) / 'sweep.db'}")
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
                "items_due": large_plan[2],
                "backend": db.engine.dialect.name,
            }
            runs: list[dict[str, Any]] = []
            if not args.no_send:
                stack.ws.set_realism(latency=args.latency, time_scale=args.time_scale)
                stack.services.outbox.pacer = Pacer(scale=args.time_scale)
                result |= {"latency": args.latency, "time_scale": args.time_scale}
                runs.append(sweep_run(stack, args.time_scale, doubled=False))
                if not args.no_doubled:
                    stack.services.outbox.pacer = Pacer(scale=args.time_scale)
                    runs.append(sweep_run(stack, args.time_scale, doubled=True))
            result["runs"] = runs
            result["peak_rss_mib"] = round(peak_rss_mib(), 1)
        finally:
            stack.close()
    result["load_average"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    print(json.dumps(result, indent=2))
    same = result["statements_to_plan"][str(small)] == result["statements_to_plan"][str(args.students)]
    print("statements independent of cohort size:", "yes" if same else "NO")
    ok = same
    for run in runs:
        met = run["duplicates"] == 0 and run["lost"] == 0 and run["failed"] == 0
        met = met and (run["workers"] > 1 or run["over_floor"] <= FLOOR_TARGET)
        print(
            f"{run['sweeps']} sweep(s), {run['workers']} worker(s): {run['due']} due, {run['once']} once, "
            f"{run['duplicates']} duplicates, {run['lost']} lost, {sum(run['ratelimited'].values())} 429s, "
            f"{run['seconds']} s = {run['over_floor']} x floor ({run['floor_seconds']} s): "
            + ("PASS" if met else "FAIL")
        )
        ok = ok and met
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
        (RESULTS / f"sweep-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
