"""How long the cohort export takes: the six sheets read and written as .xlsx (and as CSV), at 1,000 and
3,000 students, and the SQL statements it takes at each size (they must be equal).

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. .venv/bin/python -m bench.export [--sizes 1000 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench import cohort
from bench.status_latency import RESULTS
from bot.i18n import Translator
from models import cohort_export
from models.documents import load_document_config

TARGET_SECONDS = 10.0  # the export of 3,000 students, read and written


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(size: int, schools: int, repeat: int, seed: int) -> dict[str, Any]:
    built = cohort.build(size, schools, seed)
    t = Translator("nl")
    ctx = cohort_export.Context(built.catalogue, load_document_config(), "nl", "Europe/Brussels")
    best: dict[str, float] = {}
    for _ in range(repeat):
        with counted(built.db.engine) as statements, built.db.session() as session:
            started, cpu = time.perf_counter(), time.process_time()
            sheets = cohort_export.cohort_sheets(session, ctx)
            read = time.perf_counter()
            workbook = cohort_export.to_xlsx(sheets, t)
            written, cpu_written = time.perf_counter(), time.process_time()
            csv_bytes = sum(len(cohort_export.to_csv(sheet, t)) for sheet in sheets)
            done = time.perf_counter()
        timed = (("read", read - started), ("xlsx", written - read), ("csv", done - written),
                 ("cpu", cpu_written - cpu))  # fmt: skip
        for key, value in timed:
            best[key] = min(best.get(key, value), value)
    rows = {sheet.key: len(sheet.rows) for sheet in sheets}
    return {
        "students": size,
        "rows": rows,
        "statements": len(statements),
        "read_s": round(best["read"], 3),
        "xlsx_s": round(best["xlsx"], 3),
        "export_s": round(best["read"] + best["xlsx"], 3),
        "export_cpu_s": round(best["cpu"], 3),
        "csv_s": round(best["csv"], 3),
        "xlsx_bytes": len(workbook),
        "csv_bytes": csv_bytes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    results = [measure(size, args.schools, args.repeat, args.seed) for size in args.sizes]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    heads = ("students", "rows", "stmts", "read s", "xlsx s", "export s", "cpu s", "csv s")
    print(" ".join(f"{h:>8}" for h in heads))
    for r in results:
        cells = (r["students"], sum(r["rows"].values()), r["statements"], r["read_s"], r["xlsx_s"],
                 r["export_s"], r["export_cpu_s"], r["csv_s"])  # fmt: skip
        print(" ".join(f"{c:>8}" for c in cells))
    equal = len({r["statements"] for r in results}) == 1
    largest = max(results, key=lambda r: r["students"])
    ok = equal and largest["export_s"] < TARGET_SECONDS
    print(f"statements equal at every size: {equal}; export of {largest['students']}: "
          f"{largest['export_s']} s (target {TARGET_SECONDS} s)")  # fmt: skip
    if not args.no_json:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"export-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
