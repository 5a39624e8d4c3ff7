"""Latency of `/stage help` and `/stage status` through the bot's real HTTP app, against a bare Bolt app.

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. python -m bench.status_latency [--students 1000] [--schools 200] [--requests 300]

Everything runs in this one process: the local workspace (the Slack Web API stand-in), the bot's HTTP app
and a bare Bolt app that only acks, each under waitress on a loopback port. The benchmark signs slash
commands the way Slack does and sends them over one persistent HTTP connection per target, so the client
costs the same for both targets and the difference between them is the bot's own work.

It also counts the SQL statements of one `/stage status` per role at two cohort sizes (they must be equal),
and reports the peak RSS of the process. Results go to stdout and to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import math
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from random import Random
from typing import Any

import waitress
from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import models  # noqa: F401  (registers every table)
from bot.app import create_app, create_http_app
from bot.services import Services
from bot.settings import load_settings
from models import people_csv, schools_csv
from models.catalogue import load_catalogue
from models.db import Database
from models.migrate import upgrade
from models.people import Person, Student
from models.people_csv import import_people
from models.progress import Step, StepProgress, StepState, record
from models.schools_csv import import_schools
from tests.statements import counted
from workspace import Channel, Server, User, Workspace, sign_request
from workspace.payloads import slash_command
from workspace.server import serve as serve_workspace

TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
COMMAND = "/stage"
EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"
HOST = "127.0.0.1"
THREADS = 4  # as the test stack; requests are sequential, so this only matters for idle overhead
WARMUP = 20
STATUS_P99_TARGET_MS = 100.0
RESULTS = Path(__file__).parent / "results"

COORDINATOR_ID = "U0BCOORD01"
SUPERVISORS = 8
SUBJECTS = (
    "Wiskunde",
    "Fysica",
    "Chemie",
    "Biologie",
    "Geschiedenis",
    "Aardrijkskunde",
    "Nederlands",
    "Engels",
    "Frans",
    "Duits",
    "Economie",
    "Informatica",
    "Lichamelijke opvoeding",
    "Muziek",
    "Plastische opvoeding",
    "Godsdienst",
)
FIRST_NAMES = (
    "Anna",
    "Bram",
    "Charlotte",
    "Daan",
    "Eline",
    "Femke",
    "Gilles",
    "Hanne",
    "Ibrahim",
    "Jana",
    "Kobe",
    "Lotte",
    "Mehdi",
    "Nina",
    "Olivier",
    "Pieter",
    "Quinten",
    "Ruben",
    "Sara",
    "Tibo",
    "Ugo",
    "Vera",
    "Wout",
    "Yasmine",
    "Zoë",
)
LAST_NAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Hermans",
    "Aerts",
    "Vermeulen",
    "Van den Broeck",
    "El Amrani",
    "Öztürk",
)
CITIES = ("Brussel", "Anderlecht", "Leuven", "Mechelen", "Gent", "Antwerpen", "Aalst", "Vilvoorde", "Halle")
SCHOOL_KINDS = (  # levels, grades
    ("aso", "1;2;3"),
    ("aso;tso", "2;3"),
    ("bso;tso", "2;3"),
    ("kso", "1;2;3"),
    ("special_secondary", "1;2"),
    ("hbo", ""),
    ("higher_adult", ""),
    ("alternative", ""),
)
UNDER_WAY = (StepState.IN_PROGRESS, StepState.AWAITING_REVIEW, StepState.SENT_BACK, StepState.DONE)
SCHOOL_COLUMNS = schools_csv.COLUMNS.names  # the importers' own columns, not a copy
PEOPLE_COLUMNS = people_csv.COLUMNS.names


# --- Data: CSVs generated in memory, imported the way the programme imports them -------------------------


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _name(rng: Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def school_rows(count: int, rng: Random) -> list[dict[str, str]]:
    rows = []
    for i in range(1, count + 1):
        levels, grades = rng.choice(SCHOOL_KINDS)
        contact = _name(rng)
        rows.append(
            {
                "code": f"SCH-{i:04d}",
                "name": f"School {i:04d}",
                "city": rng.choice(CITIES),
                "levels": levels,
                "grades": grades,
                "lerarenstage": "yes" if rng.random() < 0.6 else "no",
                "contact_name": contact,
                "contact_email": f"contact{i:04d}@school.example",
                "contact_phone": f"+32 2 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            }
        )
    return rows


def staff_rows(rng: Random) -> list[dict[str, str]]:
    rows = [
        {
            "slack_id": COORDINATOR_ID,
            "name": "Hilde Claes",
            "email": "coordinator@uni.example",
            "roles": "coordinator",
            "language": "nl",
        },
    ]
    for i in range(1, SUPERVISORS + 1):
        rows.append(
            {
                "slack_id": supervisor_id(i),
                "name": _name(rng),
                "email": f"supervisor{i:02d}@uni.example",
                "roles": "supervisor",
                "language": rng.choice(("", "nl", "en")),
            }
        )
    return rows


def supervisor_id(index: int) -> str:
    return f"U0BSUPV{index:02d}"


def student_id(index: int) -> str:
    return f"U1BST{index:05d}"


def student_rows(count: int, school_codes: list[str], rng: Random) -> list[dict[str, str]]:
    rows = []
    for i in range(1, count + 1):
        subject_x, subject_y = rng.sample(SUBJECTS, 2)
        former = rng.sample(school_codes, k=min(len(school_codes), rng.choice((0, 0, 1, 2))))
        rows.append(
            {
                "slack_id": student_id(i),
                "name": _name(rng),
                "email": f"student{i:05d}@student.uni.example",
                "roles": "student",
                "language": rng.choice(("", "", "nl", "en")),
                "subject_x": subject_x,
                "subject_y": subject_y,
                "supervisor_x": supervisor_id(rng.randint(1, SUPERVISORS)),
                "supervisor_y": supervisor_id(rng.randint(1, SUPERVISORS)),
                "supervisor": supervisor_id(rng.randint(1, SUPERVISORS)),
                "former_schools": ";".join(former),
                "lio": "yes" if rng.random() < 0.1 else "no",
            }
        )
    return rows


def give_progress(db: Database, slack_ids: list[str], seed: int) -> int:
    """Seeded, per-student progress: the first steps finished, then one step under way (or nothing yet)."""
    now = datetime.now(UTC)
    rows = 0
    with db.session() as session:
        ids = dict(
            session.exec(
                select(Person.slack_user_id, Person.id).where(col(Person.slack_user_id).in_(slack_ids))
            ).all()
        )
        for slack_id in slack_ids:
            rng = Random(f"progress:{seed}:{slack_id}")
            reached = rng.randint(0, len(Step))
            for step in list(Step)[:reached]:
                last = step == reached
                if last:
                    state = rng.choice(UNDER_WAY)
                else:
                    state = StepState.NOT_REQUIRED if rng.random() < 0.05 else StepState.DONE
                record(session, ids[slack_id], step, state, now)
                rows += 1
    return rows


def import_csv(db: Database, importer: Callable[[Any, str], Any], text: str) -> None:
    with db.session() as session:
        importer(session, text)


# --- The stack: workspace, the bot and a bare Bolt app, all on loopback ---------------------------------


def bare_app(api_url: str) -> App:
    """The floor: Bolt's request handling and signature check, a listener that only acks.

    Its client points at the workspace: Bolt calls auth.test once, on the first request, and keeps the
    answer (the bot makes that call when it is built).
    """
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=api_url),
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.command(COMMAND)
    def only_ack(ack: Ack) -> None:
        ack()

    return app


@dataclass
class Served:
    """A WSGI app under waitress on a loopback port, its loop in a daemon thread."""

    server: Any
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def stop(self, timeout: float = 5.0) -> None:
        """Let the worker threads finish, then close every connection and the listener from the loop."""
        server = self.server
        server.task_dispatcher.shutdown(timeout=timeout)

        def close_everything() -> None:
            for channel in list(server._map.values()):
                if channel is not server and channel is not server.trigger:
                    channel.close()
            server.close()

        server.trigger.pull_trigger(close_everything)
        self.thread.join(timeout)


def serve(wsgi_app: Any) -> Served:
    server = waitress.create_server(wsgi_app, host=HOST, port=0, threads=THREADS)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return Served(server, thread)


@dataclass
class Stack:
    ws: Workspace
    ws_server: Server
    services: Services
    ports: dict[str, int]
    servers: list[Served] = field(default_factory=list)

    def sync_users(self) -> None:
        """Everyone in the database becomes a member of the workspace, as they would be in Slack."""
        with self.services.db.session() as session:
            people = session.exec(select(Person)).all()
        known = {u.id for u in self.ws.users}
        for p in people:
            if p.slack_user_id not in known:
                self.ws.add_user(
                    User(id=p.slack_user_id, name=p.slack_user_id.lower(), real_name=p.name, locale="nl-BE")
                )

    def close(self) -> None:
        for served in self.servers:
            served.stop()
        self.ws_server.stop()


def start_stack(db: Database) -> Stack:
    ws = Workspace(
        users=[],
        channels=[Channel(id="C0BANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0BSTAGEBOT",
    )
    ws_server = serve_workspace(ws, host=HOST, port=0)
    settings = load_settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=ws.api_url, database_url=db.url
    )
    services = Services(settings, db, load_catalogue())
    bot = serve(create_http_app(create_app(services)))
    bare = serve(create_http_app(bare_app(ws.api_url)))
    ws.bot_url = f"http://{HOST}:{bot.port}{EVENTS_PATH}"
    stack = Stack(ws, ws_server, services, {"bot": bot.port, "bare": bare.port}, [bot, bare])
    stack.sync_users()
    return stack


# --- The client: signed slash commands over one persistent connection ----------------------------------


@dataclass(frozen=True)
class Sent:
    """One round trip: the HTTP status, wall-clock nanoseconds, and the CPU nanoseconds the whole process
    (client, servers) used meanwhile; wall far above CPU means the request waited for a core."""

    status: int
    wall_ns: int
    cpu_ns: int
    answer: bytes


class Client:
    """One keep-alive connection to one target; only the request/response round trip is timed."""

    def __init__(self, ws: Workspace, port: int) -> None:
        self.ws = ws
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def body(self, user_id: str, text: str) -> bytes:
        form = slash_command(self.ws.state, user_id, COMMAND, text, self.ws.dm_channel(user_id))
        return urllib.parse.urlencode(form).encode()

    def send(self, user_id: str, text: str) -> Sent:
        body = self.body(user_id, text)
        headers = {"Content-Type": FORM, **sign_request(SECRET, body)}
        cpu = time.process_time_ns()
        started = time.perf_counter_ns()
        self.connection.request("POST", EVENTS_PATH, body=body, headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter_ns() - started
        return Sent(response.status, elapsed, time.process_time_ns() - cpu, answer)

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Case:
    command: str  # the text after /stage
    role: str
    user_id: str


@dataclass
class Series:
    target: str
    case: Case
    samples_ns: list[int]
    cpu_ns: list[int]
    answer_bytes: int

    def percentile(self, p: float, cpu: bool = False) -> float:
        """Nearest-rank percentile in milliseconds, of wall-clock time (or of process CPU time)."""
        ordered = sorted(self.cpu_ns if cpu else self.samples_ns)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] / 1e6

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "command": self.case.command,
            "role": self.case.role,
            "requests": len(self.samples_ns),
            "p50_ms": round(self.percentile(50), 3),
            "p95_ms": round(self.percentile(95), 3),
            "p99_ms": round(self.percentile(99), 3),
            "max_ms": round(max(self.samples_ns) / 1e6, 3),
            "mean_ms": round(sum(self.samples_ns) / len(self.samples_ns) / 1e6, 3),
            "cpu_p50_ms": round(self.percentile(50, cpu=True), 3),
            "cpu_p99_ms": round(self.percentile(99, cpu=True), 3),
            "answer_bytes": self.answer_bytes,
        }


def check_answer(target: str, case: Case, status: int, answer: bytes) -> None:
    if status != 200:
        raise SystemExit(f"{target} {case}: HTTP {status}: {answer[:300]!r}")
    if target == "bot":
        reply = json.loads(answer)
        if reply.get("response_type") != "ephemeral" or not reply.get("blocks"):
            raise SystemExit(f"bot {case}: unexpected answer {answer[:300]!r}")


def measure(client: Client, target: str, case: Case, requests: int) -> Series:
    answer_bytes = 0
    for _ in range(WARMUP):
        sent = client.send(case.user_id, case.command)
        check_answer(target, case, sent.status, sent.answer)
        answer_bytes = len(sent.answer)
    series = Series(target, case, [], [], answer_bytes)
    for _ in range(requests):
        sent = client.send(case.user_id, case.command)
        if sent.status != 200:
            raise SystemExit(f"{target} {case}: HTTP {sent.status} during the run")
        series.samples_ns.append(sent.wall_ns)
        series.cpu_ns.append(sent.cpu_ns)
    return series


# --- SQL statements per request ----------------------------------------------------------------------


def statements_per_status(client: Client, engine: Engine, cases: list[Case]) -> dict[str, int]:
    """Per role, the statements of one `/stage status`, after a first one (which may fetch the locale)."""
    counts = {}
    for case in cases:
        client.send(case.user_id, "status")
        with counted(engine) as statements:
            sent = client.send(case.user_id, "status")
        check_answer("bot", case, sent.status, sent.answer)
        counts[case.role] = len(statements)
    return counts


# --- Reporting -------------------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def table(series: list[Series]) -> str:
    bare = {s.case: s.percentile(50) for s in series if s.target == "bare"}
    head = (
        "target",
        "command",
        "role",
        "n",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "p50-bare",
        "cpu p50",
        "cpu p99",
        "bytes",
    )
    lines = [head]
    for s in series:
        row = s.summary()
        over = f"{s.percentile(50) - bare[s.case]:+.2f}" if s.target != "bare" and s.case in bare else ""
        lines.append(
            (
                s.target,
                s.case.command,
                s.case.role,
                str(row["requests"]),
                f"{row['p50_ms']:.2f}",
                f"{row['p95_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['max_ms']:.2f}",
                over,
                f"{row['cpu_p50_ms']:.2f}",
                f"{row['cpu_p99_ms']:.2f}",
                str(row["answer_bytes"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for index, line in enumerate(lines):
        pairs = enumerate(zip(line, widths, strict=True))
        cells = [c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in pairs]
        out.append("| " + " | ".join(cells) + " |")
        if index == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def results_path(today: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"status_latency-{today}.json"
    n = 2
    while path.exists():
        path = RESULTS / f"status_latency-{today}-{n}.json"
        n += 1
    return path


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("slack_bolt", "slack_sdk", "SQLAlchemy", "sqlmodel", "Flask", "waitress"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "?"
    return found


# --- The run ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--students", type=int, default=1000, help="cohort size (default 1000)")
    parser.add_argument("--schools", type=int, default=200, help="schools imported (default 200)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per case (default 300)")
    parser.add_argument(
        "--small-cohort",
        type=int,
        default=100,
        help="cohort size of the first SQL-statement count (default 100)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to use instead of a fresh SQLite file in a temporary directory",
    )
    parser.add_argument("--seed", type=int, default=20261128, help="seed of the generated data")
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)
    if args.students < 1 or args.schools < 1 or args.requests < 1 or args.small_cohort < 1:
        parser.error("--students, --schools, --requests and --small-cohort must be positive")
    return args


def open_database(url: str) -> Database:
    db = Database(url)
    upgrade(db)
    with db.session() as session:
        if session.exec(select(func.count()).select_from(Person)).one():
            raise SystemExit("The database already holds people: give an empty database (or none).")
    return db


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rng = Random(args.seed)
    setup: dict[str, float] = {}
    started = time.perf_counter()
    db = open_database(url)
    setup["migrate_s"] = time.perf_counter() - started

    schools = school_rows(args.schools, rng)
    staff = staff_rows(rng)
    students = student_rows(args.students, [row["code"] for row in schools], rng)
    small = min(args.small_cohort, args.students)

    started = time.perf_counter()
    import_csv(db, import_schools, _csv(SCHOOL_COLUMNS, schools))
    import_csv(db, import_people, _csv(PEOPLE_COLUMNS, staff + students[:small]))
    give_progress(db, [row["slack_id"] for row in students[:small]], args.seed)
    setup["import_small_s"] = time.perf_counter() - started

    # The busiest supervisor of the full cohort; the student is in the small cohort, so both counts ask
    # for the same people.
    load: dict[str, int] = {}
    for row in students:
        for key in {row["supervisor_x"], row["supervisor_y"], row["supervisor"]}:
            load[key] = load.get(key, 0) + 1
    busiest = max(sorted(load), key=load.__getitem__)
    student_case = Case("status", "student", students[0]["slack_id"])
    status_cases = [
        student_case,
        Case("status", "supervisor", busiest),
        Case("status", "coordinator", COORDINATOR_ID),
    ]
    cases = [Case("help", "student", student_case.user_id), *status_cases]

    stack = start_stack(db)
    clients = {target: Client(stack.ws, port) for target, port in stack.ports.items()}
    try:
        engine = stack.services.db.engine
        statements = {str(small): statements_per_status(clients["bot"], engine, status_cases)}

        started = time.perf_counter()
        if args.students > small:
            import_csv(db, import_people, _csv(PEOPLE_COLUMNS, students[small:]))
            give_progress(db, [row["slack_id"] for row in students[small:]], args.seed)
        setup["import_rest_s"] = time.perf_counter() - started
        stack.sync_users()
        statements[str(args.students)] = statements_per_status(clients["bot"], engine, status_cases)
        with db.session() as session:
            counts = {
                "students": session.exec(select(func.count()).select_from(Student)).one(),
                "progress_rows": session.exec(select(func.count()).select_from(StepProgress)).one(),
            }

        series = [
            measure(clients[target], target, case, args.requests)
            for target in ("bare", "bot")
            for case in cases
        ]
    finally:
        for client in clients.values():
            client.close()
        stack.close()
        db.dispose()
    return {
        "series": series,
        "statements": statements,
        "setup": setup,
        "counts": counts,
        "supervised_by_busiest": load[busiest],
        "backend": db.engine.dialect.name,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Stagebot status latency: {args.students} students, {args.schools} schools, "
        f"{WARMUP} warm-up + {args.requests} timed requests per case",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    if args.database_url:
        outcome = run(args, args.database_url)
    else:
        with tempfile.TemporaryDirectory(prefix="stagebot-bench-") as folder:
            outcome = run(args, f"sqlite:///{Path(folder) / 'bench.db'}")
    rss = peak_rss_mib()
    load = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}

    series: list[Series] = outcome["series"]
    statements: dict[str, dict[str, int]] = outcome["statements"]
    backend: str = outcome["backend"]
    print(
        f"\nDatabase: {backend}; {outcome['counts']['students']} students, "
        f"{outcome['counts']['progress_rows']} progress rows; busiest supervisor has "
        f"{outcome['supervised_by_busiest']} students"
    )
    print("Setup: " + ", ".join(f"{k} {v:.2f}" for k, v in outcome["setup"].items()))
    print(
        f"Load average (1 min) before/after: {load['before']:.2f} / {load['after']:.2f} on "
        f"{os.cpu_count()} CPUs (the tail is only meaningful on an otherwise idle machine)"
    )
    print(
        "\nLatency per request in ms (client round trip over loopback, keep-alive; cpu = CPU time of this"
        " whole process during the request):\n"
    )
    print(table(series))

    print("\nSQL statements per /stage status:")
    sizes = list(statements)
    for role in statements[sizes[0]]:
        print(f"  {role:<12}" + "  ".join(f"{size} students: {statements[size][role]:>3}" for size in sizes))
    print(f"\nPeak RSS of this process (workspace + bot + bare app + client): {rss:.1f} MiB")

    status_p99 = {
        s.case.role: s.percentile(99) for s in series if s.target == "bot" and s.case.command == "status"
    }
    p99_ok = all(p < STATUS_P99_TARGET_MS for p in status_p99.values())
    constant = len({tuple(sorted(c.items())) for c in statements.values()}) == 1
    print("\nTargets:")
    worst = max(status_p99.values())
    verdict = ("PASS" if p99_ok else "FAIL") if backend == "sqlite" else "n/a (the target is for SQLite)"
    print(f"  status p99 < {STATUS_P99_TARGET_MS:.0f} ms on SQLite: {verdict} (worst {worst:.2f} ms)")
    if len(sizes) < 2 or sizes[0] == sizes[1]:
        print("  SQL statements independent of cohort size: not checked (one cohort size only)")
    else:
        print(f"  SQL statements independent of cohort size: {'PASS' if constant else 'FAIL'}")

    if not args.no_json:
        now = datetime.now().astimezone()
        report = {
            "benchmark": "status_latency",
            "measured_at": now.isoformat(timespec="seconds"),
            "parameters": {
                "students": args.students,
                "schools": args.schools,
                "requests": args.requests,
                "warmup": WARMUP,
                "small_cohort": min(args.small_cohort, args.students),
                "seed": args.seed,
                "server_threads": THREADS,
            },
            "environment": {
                "backend": backend,
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_average_1min": load,
                **versions(),
            },
            "setup_seconds": {k: round(v, 3) for k, v in outcome["setup"].items()},
            "data": outcome["counts"] | {"supervised_by_busiest": outcome["supervised_by_busiest"]},
            "latency": [s.summary() for s in series],
            "sql_statements_per_status": statements,
            "peak_rss_mib": round(rss, 1),
            "targets": {
                "status_p99_under_100ms_sqlite": p99_ok if backend == "sqlite" else None,
                "statements_independent_of_cohort": constant,
            },
        }
        path = results_path(now.date().isoformat())
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nWritten: {path.relative_to(Path(__file__).parent.parent)}")
    return 0 if (p99_ok or backend != "sqlite") and constant else 1


if __name__ == "__main__":
    sys.exit(main())
