"""How fast a question in plain words is answered: read, evaluated over the cohort and drawn as blocks, as
`/stage who` does it, at 1,000 and 3,000 students, with the SQL statements each takes (equal at every size).

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. .venv/bin/python -m bench.questions [--sizes 1000 3000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from bench import cohort
from bench.export import counted
from bench.status_latency import COORDINATOR_ID, RESULTS, supervisor_id
from bot.i18n import Translator
from bot.views import questions as views
from models import questions
from models.documents import load_document_config
from models.people import Person

TARGET_MS = 300.0  # a question over 3,000 students
QUESTIONS = (
    "wie mist nog een uittreksel",
    "wie heeft geen stageplaats voor wiskunde in semester 2",
    "welke scholen hebben geen overeenkomst",
    "who has not submitted a planning",
    "wie is te laat met de planning",
    "wie is te laat",
    "wie heeft het intakegesprek nog niet gehad",
    "wie zit in het LIO-traject",
)


def ask(built: cohort.Cohort, question: str, supervisor: int | None) -> int:
    """What `/stage who` does after the middleware: read, answer, draw the first page."""
    t = Translator("nl")
    with built.db.session() as session:
        vocabulary = questions.vocabulary(session)
        query = questions.parse(question, vocabulary)
        assert isinstance(query, questions.Query), question
        facts = questions.Facts(built.catalogue, load_document_config(), cohort.NOW.date(), "nl", supervisor)
        found = questions.answer(session, facts, query)
        understood = views.reading(t, query, vocabulary, own_students=supervisor is not None)
        views.answer_blocks(t, question, understood, found, 0, schools=query.schools)
    return len(found)


def measure(size: int, schools: int, repeat: int, seed: int) -> list[dict[str, Any]]:
    built = cohort.build(size, schools, seed)
    with built.db.session() as session:
        ids = dict(session.exec(select(Person.slack_user_id, Person.id)).all())
    results = []
    for role, supervisor in (("coordinator", None), ("supervisor", ids[supervisor_id(1)])):
        for question in QUESTIONS:
            with counted(built.db.engine) as statements:
                found = ask(built, question, supervisor)
            times, cpu = [], []
            for _ in range(repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                ask(built, question, supervisor)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            results.append({
                "students": size, "role": role, "question": question, "found": found,
                "statements": len(statements), "p50_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1), "cpu_p50_ms": round(statistics.median(cpu), 1),
            })  # fmt: skip
    assert COORDINATOR_ID in ids
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    results = [r for size in args.sizes for r in measure(size, args.schools, args.repeat, args.seed)]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    heads = (
        f"{'students':>8} {'role':>11} {'found':>6} {'stmts':>5} {'p50 ms':>7} {'max ms':>7} {'cpu ms':>7}"
    )
    print(f"{heads}  question")
    for r in results:
        print(f"{r['students']:>8} {r['role']:>11} {r['found']:>6} {r['statements']:>5} {r['p50_ms']:>7} "
              f"{r['max_ms']:>7} {r['cpu_p50_ms']:>7}  {r['question']}")  # fmt: skip
    by_question: dict[tuple[str, str], set[int]] = {}
    for r in results:
        by_question.setdefault((r["role"], r["question"]), set()).add(r["statements"])
    equal = all(len(counts) == 1 for counts in by_question.values())
    largest = max(args.sizes)
    worst = max(r["p50_ms"] for r in results if r["students"] == largest)
    print(
        f"statements equal at every size: {equal}; slowest p50 at {largest}: {worst} ms (target {TARGET_MS})"
    )
    if not args.no_json:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"questions-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(results, indent=2))
    return 0 if equal and worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
