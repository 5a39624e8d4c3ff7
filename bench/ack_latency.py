"""Benchmark: how fast the bot answers Slack on every interactive path, against a Slack that takes 300 ms a
call and keeps its rate limits.

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. .venv/bin/python -m bench.ack_latency [--requests 30] [--latency 0.3]

The bot's real HTTP app and the local workspace run in this process; the workspace sends signed requests
as Slack does (a slash command, a click, a modal submitted) and times each round trip until the bot's
answer (`Delivery.elapsed`). Each path's data is built with the test suite's own flows, with the
workspace answering at once; only the timed request meets the realistic workspace. A decision is taken
once, so those paths get a fresh database for every request. A second run makes the path's first Web API
call (whether the bot makes it before or after its answer) answer 429 with Retry-After 1.
Targets: p99 under 1.5 s on every path, under 3 s with the 429. Exit code 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import waitress
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from bot.app import create_app, create_http_app
from bot.delivery.slack_limits import Pacer
from bot.flows import documents as document_flow
from bot.services import Services
from bot.settings import load_settings
from models.catalogue import load_catalogue
from models.db import Database
from models.migrate import upgrade
from tests import test_documents as documents_flow
from tests import test_intake as intake_flow
from tests import test_lio as lio_flow
from tests import test_matching_flow as matching_flow
from tests import test_placements as placements_flow
from tests import test_planning as planning_flow
from tests import test_preferences as preferences_flow
from tests.conftest import NOW, SECRET, TOKEN, Stack
from tests.documents_files import pdf
from workspace import Channel, Workspace
from workspace.delivery import Delivery
from workspace.server import serve

RESULTS = Path(__file__).parent / "results"
TARGET = 1.5
TARGET_WITH_429 = 3.0
Request = Callable[[], Delivery]


@dataclass(frozen=True)
class Path_:
    """One interactive path: `world` builds its data on an empty database, `prepare` does what comes just
    before the timed request (untimed) and returns that request; `fresh`: a new world for every request."""

    name: str
    world: Callable[[Stack], dict[str, Any]]
    prepare: Callable[[Stack, dict[str, Any]], Request]
    fresh: bool = False


def start(db: Database, documents: Path) -> Stack:
    """The bot's HTTP app and the workspace, as the test suite's stack (same identity, same wiring)."""
    ws = Workspace(
        users=[],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0STAGEBOT",
    )
    serve(ws, host="127.0.0.1", port=0)
    settings = load_settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=ws.api_url, database_url=db.url
    )
    services = Services(settings, db, load_catalogue())
    server = waitress.create_server(
        create_http_app(create_app(services), services), host="127.0.0.1", port=0, threads=4
    )
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    ws.bot_url = base + "/slack/events"
    services.settings = settings.model_copy(update={"public_url": base, "documents_dir": documents})
    document_flow.RETRY_DELAYS = (0.0, 0.0)  # type: ignore[assignment]  # no waits while building data
    return Stack(ws, services, ws.bot_url)


def empty(stack: Stack) -> None:
    with stack.services.db.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    stack.ws.reset()
    stack.services.clock.freeze(NOW)


# --- the paths --------------------------------------------------------------------------------------------


def slash(user: str, text: str) -> Callable[[Stack, dict[str, Any]], Request]:
    return lambda stack, _: lambda: stack.ws.slash_command(user, "/stage", text)


def planning_world(stack: Stack) -> dict[str, Any]:
    return planning_flow.setup(stack)


def saved_planning(stack: Stack) -> dict[str, Any]:
    ids = planning_flow.setup(stack)
    planning_flow.save(stack, planning_flow.type_lessons(stack, ids["placement"], planning_flow.COMPLETE))
    return ids


def submitted_planning(stack: Stack) -> dict[str, Any]:
    ids = saved_planning(stack)
    planning_flow.submit(stack, ids["placement"])
    return ids


def lesson_modal(stack: Stack, ids: dict[str, Any]) -> Any:
    stack.ws.slash_command("U0ANNA", "/stage", "planning")
    stack.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    return stack.ws.open_views("U0ANNA")[-1]


LESSON = {
    "day": {"day": "2027-02-15"},
    "start": {"start": "10u"},
    "end": {"end": "10u50"},
    "activity": {"activity": "guided"},
    "class_name": {"class_name": "5B"},
    "mentor": {"mentor": "An Peeters"},
}


def submit_lesson(stack: Stack, ids: dict[str, Any]) -> Request:
    modal = lesson_modal(stack, ids)
    return lambda: stack.ws.submit_view("U0ANNA", modal, LESSON)


def open_lesson(stack: Stack, ids: dict[str, Any]) -> Request:
    stack.ws.slash_command("U0ANNA", "/stage", "planning")
    return lambda: stack.ws.click("U0ANNA", "planning_add", str(ids["placement"]))


def planning_submit(stack: Stack, ids: dict[str, Any]) -> Request:
    stack.ws.slash_command("U0ANNA", "/stage", "planning")
    return lambda: stack.ws.click("U0ANNA", "planning_submit", str(ids["placement"]))


def planning_approve(stack: Stack, _: dict[str, Any]) -> Request:
    review = stack.ws.messages("U0SUP")[-1]
    return lambda: stack.ws.click("U0SUP", "planning_approve", message=review)


def document_uploaded(stack: Stack) -> dict[str, Any]:
    ids = documents_flow._people(stack)
    documents_flow._drop(stack, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    return ids | {"document": documents_flow._rows(stack)[0].id}


def document_decision(action: str) -> Callable[[Stack, dict[str, Any]], Request]:
    def prepare(stack: Stack, ids: dict[str, Any]) -> Request:
        review = documents_flow._review_message(stack, "U0SUP", ids["document"])
        return lambda: stack.ws.click("U0SUP", action, str(ids["document"]), message=review)

    return prepare


def send_back_submit(stack: Stack, ids: dict[str, Any]) -> Request:
    review = documents_flow._review_message(stack, "U0SUP", ids["document"])
    stack.ws.click("U0SUP", "documents_reject", str(ids["document"]), message=review)
    modal = stack.ws.open_views("U0SUP")[-1]
    reason = {"reason": {"reason": "Niet ondertekend"}}
    return lambda: stack.ws.submit_view("U0SUP", modal, reason)


def upload_submit(stack: Stack, _: dict[str, Any]) -> Request:
    stack.ws.slash_command("U0ANNA", "/stage", "opladen")
    modal = stack.ws.open_views("U0ANNA")[-1]
    file = stack.ws.store_file("U0ANNA", "uittreksel.pdf", pdf(), "application/pdf")
    values = {
        "doc_type": {"type": "criminal_record"},
        "doc_file": {"file": {"files": [file]}},
        "doc_issue_date": {"date": "2026-09-12"},
    }
    return lambda: stack.ws.submit_view("U0ANNA", modal, values)


def lio_people(stack: Stack) -> dict[str, Any]:
    with stack.session() as s:
        from models.people import Role
        from tests import factories

        factories.person(s, "U0STB", "Sofie Janssens", Role.COUNSELLOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
    stack.sync_users()
    return {"anna": anna.id}


def lio_applied(stack: Stack) -> dict[str, Any]:
    ids = lio_people(stack)
    lio_flow.apply(stack, lio_flow.form() | lio_flow.proof(stack))
    return ids | {"application": lio_flow.applications(stack)[0].id}


def lio_submit(stack: Stack, _: dict[str, Any]) -> Request:
    stack.ws.slash_command("U0ANNA", "/stage", "lio")
    modal = stack.ws.open_views("U0ANNA")[-1]
    values = lio_flow.form() | lio_flow.proof(stack)
    return lambda: stack.ws.submit_view("U0ANNA", modal, values)


def lio_approve(stack: Stack, ids: dict[str, Any]) -> Request:
    review = lio_flow.review(stack, "U0STB", f"application:{ids['application']}")
    return lambda: stack.ws.click("U0STB", "lio_approve", message=review)


def assign_submit(stack: Stack, ids: dict[str, Any]) -> Request:
    view = placements_flow.open_assign(stack, "U0SUP")
    activities = ["VDX1:observation", "VDX1:co_teaching"]
    return lambda: placements_flow.submit(stack, "U0SUP", view, ids["atheneum"], activities, "aso", "3")


def preferences_submit(stack: Stack, ids: dict[str, Any]) -> Request:
    view = preferences_flow.open_modal(stack)
    values = preferences_flow.full_values(ids, ["SJB", "KA-BRUSSEL"])
    return lambda: stack.ws.submit_view("U0ANNA", view, values)


def preferences_world(stack: Stack) -> dict[str, Any]:
    ids = preferences_flow.setup(stack)
    return ids


def intake_submit(stack: Stack, _: dict[str, Any]) -> Request:
    stack.ws.slash_command("U0SUP", "/stage", "intake slots")
    form = stack.ws.open_views("U0SUP")[-1]
    values = {
        "date": {"date": "2026-12-09"},
        "start": {"start": "10:00"},
        "end": {"end": "11:00"},
        "length": {"length": "30"},
        "place": {"place": "https://teams.example/intake"},
    }
    return lambda: stack.ws.submit_view("U0SUP", form, values)


def proposed(stack: Stack) -> dict[str, Any]:
    ids = matching_flow.setup(stack)
    stack.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    stack.services.outbox.settle(timeout=60)  # the proposal is computed, then posted, after the answer
    return ids


def accept_all(stack: Stack, _: dict[str, Any]) -> Request:
    dm = next(m for m in reversed(stack.ws.messages("U0SUP")) if "match_accept_all" in json.dumps(m.blocks))
    return lambda: stack.ws.click("U0SUP", "match_accept_all", message=dm)


PATHS = [
    Path_("help (student)", planning_world, slash("U0ANNA", "help")),
    Path_("status (student)", planning_world, slash("U0ANNA", "status")),
    Path_("status (supervisor)", planning_world, slash("U0SUP", "status")),
    Path_("status (coordinator)", planning_world, slash("U0COORD", "status")),
    Path_("upload: open", document_uploaded, slash("U0ANNA", "opladen")),
    Path_("upload: submit", lambda s: documents_flow._people(s), upload_submit, fresh=True),
    Path_("lesson: open", planning_world, open_lesson),
    Path_("lesson: submit", planning_world, submit_lesson, fresh=True),
    Path_("preferences: open", preferences_world, slash("U0ANNA", "voorkeuren")),
    Path_("preferences: submit", preferences_world, preferences_submit, fresh=True),
    Path_("intake slots: open", lambda s: intake_flow._people(s), slash("U0SUP", "intake slots")),
    Path_("intake slots: submit", lambda s: intake_flow._people(s), intake_submit, fresh=True),
    Path_("assign: open", placements_flow.setup, slash("U0SUP", "plaats <@U0ANNA>")),
    Path_("assign: submit", placements_flow.setup, assign_submit, fresh=True),
    Path_("LIO: open", lio_people, slash("U0ANNA", "lio")),
    Path_("LIO: submit", lio_people, lio_submit, fresh=True),
    Path_("problem", planning_world, slash("U0ANNA", "probleem Mijn mentor is ziek"), fresh=True),
    Path_("document approve", document_uploaded, document_decision("documents_approve"), fresh=True),
    Path_("document send back: open", document_uploaded, document_decision("documents_reject"), fresh=True),
    Path_("document send back: submit", document_uploaded, send_back_submit, fresh=True),
    Path_("planning submit", saved_planning, planning_submit, fresh=True),
    Path_("planning approve", submitted_planning, planning_approve, fresh=True),
    Path_("LIO approve", lio_applied, lio_approve, fresh=True),
    Path_("match propose", matching_flow.setup, slash("U0SUP", "matchen voorstel"), fresh=True),
    Path_("match accept all", proposed, accept_all, fresh=True),
]


# --- measuring --------------------------------------------------------------------------------------------


@dataclass
class Series:
    path: str
    seconds: list[float]
    first_call: str | None
    failures: int
    inline: int = 0  # the most Web API calls seen before an answer

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "first_call": self.first_call,
            "calls_before_answer": self.inline,
            "p50": round(self.percentile(50), 4),
            "p99": round(self.percentile(99), 4),
            "max": round(max(self.seconds), 4),
            "not_2xx": self.failures,
        }

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def timed(
    stack: Stack, request: Request, latency: float, fail: str | None
) -> tuple[Delivery, str | None, list[str]]:
    """The request against the realistic workspace; then back to an instant one to let the bot finish."""
    ws = stack.ws
    before = len(ws.state.calls)
    ws.after_delivery = None
    ws.set_realism(latency=latency)
    stack.services.outbox.pacer = Pacer()
    if fail:
        ws.fail_next(fail, "ratelimited", retry_after=1)
    try:
        answer = request()
        inline = [c.method for c in ws.state.calls[before:]]  # made before the answer (or just after)
    finally:
        ws.set_realism(None)
        stack.services.outbox.pacer = Pacer(enabled=False)
        ws.after_delivery = stack.services.outbox.settle
    stack.services.outbox.settle(timeout=60)
    calls = ws.state.calls[before:]
    return answer, (calls[0].method if calls else None), inline


def measure(
    stack: Stack, path: Path_, requests: int, latency: float, fail: dict[str, str], warmup: int
) -> Series:
    """`warmup` requests first, untimed: the process's first request of a kind imports and compiles
    what later ones find ready (the first match proposal imports the solver, ~2 s, in the background)."""
    series = Series(path.name, [], None, 0)
    ids: dict[str, Any] = {}
    for n in range(warmup + requests):
        if n == 0 or path.fresh:
            empty(stack)
            ids = path.world(stack)
        request = path.prepare(stack, ids)
        method = fail.get(path.name) if n >= warmup else None
        answer, first, inline = timed(stack, request, latency, method)
        if n < warmup:
            continue
        if method:  # a 429 left unasked (the path did not call that method this time) is dropped
            with stack.ws.state.lock:
                stack.ws.state.failures.clear()
        series.first_call = series.first_call or first
        series.inline = max(series.inline, len(inline))
        series.failures += not answer.ok
        series.seconds.append(answer.elapsed)
    print(f"  {path.name}: p50 {series.percentile(50):.3f} s, p99 {series.percentile(99):.3f} s", flush=True)
    return series


def table(rows: list[Series]) -> str:
    lines = [
        "| path | first Web API call | calls before the answer | p50 s | p99 s | max s | not 2xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        lines.append(
            f"| {s.path} | {s.first_call or '-'} | {s.inline} | {s.percentile(50):.3f} "
            f"| {s.percentile(99):.3f} | {max(s.seconds):.3f} | {s.failures} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per path and run")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per Web API call")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests per path before the timed")
    parser.add_argument("--only", default="", help="run the paths whose name contains this")
    parser.add_argument("--no-429", action="store_true", help="skip the run with a 429 on the first call")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    paths = [p for p in PATHS if args.only.lower() in p.name.lower()]
    with tempfile.TemporaryDirectory(prefix="stagebot-ack-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'ack.db'}")
        upgrade(db)
        stack = start(db, Path(folder) / "documents")
        plain = [measure(stack, p, args.requests, args.latency, {}, args.warmup) for p in paths]
        print(table(plain), flush=True)
        limited: list[Series] = []
        if not args.no_429:
            first = {s.path: s.first_call for s in plain if s.first_call}
            limited = [measure(stack, p, args.requests, args.latency, first, args.warmup) for p in paths]  # type: ignore[arg-type]
            print("\nWith a 429 (Retry-After 1) on the path's first Web API call:\n" + table(limited))
        stack.services.outbox.stop()
    load = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    print(f"\nload average before/after: {load['before']} / {load['after']} on {os.cpu_count()} CPUs")
    missed = [s.path for s in plain if s.percentile(99) >= TARGET or s.failures]
    missed += [f"{s.path} (429)" for s in limited if s.percentile(99) >= TARGET_WITH_429 or s.failures]
    print("targets: " + ("PASS" if not missed else "FAIL: " + ", ".join(missed)))
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
        report = {
            "requests": args.requests,
            "warmup": args.warmup,
            "latency": args.latency,
            "load_average": load,
            "runs": {"plain": [s.summary() for s in plain], "first_call_429": [s.summary() for s in limited]},
        }
        (RESULTS / f"ack_latency-{stamp}.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
