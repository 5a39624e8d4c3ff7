"""Two `stagebot serve` processes on one PostgreSQL database behave as one bot: a flow's requests go to
either, a Slack retry to the other, and one is killed (-9) in the middle of a flow without anything being
lost or done twice: its durable job is resumed and its messages delivered once by the survivor."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from models.audit import AuditEntry
from models.db import Database
from models.documents import Document, DocumentDecision
from models.outbox import OutboxMessage, OutboxState
from models.pending_jobs import PendingJob
from models.people import Role
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.processes import pythonpath
from workspace import Channel, User, Workspace
from workspace.server import serve
from workspace.state import Message

TOKEN, SECRET = "xoxb-two-processes", "two-processes-secret"
APPROVED = "Je *Verbintenisverklaring* (versie 1) is goedgekeurd"
WAIT = 150.0  # seconds: a job is resumed once older than 20 s, on a 30 s round; a dead claim lasts 60 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(what: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := what()):
        if time.monotonic() > deadline:
            pytest.fail("waited in vain")
        time.sleep(0.3)
    return found


class Bots:
    """The web processes, started like production starts them, against one database and one workspace."""

    def __init__(self, ws: Workspace, database: str, documents: Path, cwd: Path) -> None:
        self.ws, self.database, self.documents, self.cwd = ws, database, documents, cwd
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.urls: dict[str, str] = {}

    def start(self, name: str) -> None:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STAGEBOT_"))}
        env |= {
            "PYTHONPATH": pythonpath(),
            "DATABASE_URL": self.database,
            "PORT": str(port),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.ws.api_url,
            "STAGEBOT_DOCUMENTS_DIR": str(self.documents),  # one volume both processes see
        }
        log = (self.cwd / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=self.cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=1) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"stagebot serve ({name}) did not come up: {self.log(name)}")
                time.sleep(0.2)
        self.processes[name], self.urls[name] = process, base + "/slack/events"

    def log(self, name: str) -> str:
        return (self.cwd / f"{name}.log").read_text(encoding="utf-8")

    def to(self, name: str) -> Workspace:
        """The workspace, delivering to this process from now on (the load balancer's choice)."""
        self.ws.bot_url = self.urls[name]
        return self.ws

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def bots(db: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Bots]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several web processes share one PostgreSQL database (set TEST_DATABASE_URL)")
    # The suite's own in-process bot works on this database too: paused, or it would resume these
    # processes' jobs and deliver their outbox rows to its own workspace.
    suite_bot: Stack = request.getfixturevalue("stack")
    suite_bot.services.outbox.stop()
    request.addfinalizer(suite_bot.services.outbox.start)
    with db.session() as s:
        supervisor = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.student(s, "U0ANNA", "Anna De Smet", supervisor=supervisor)
    ws = Workspace(
        users=[
            User(id="U0ANNA", name="anna", real_name="Anna De Smet", locale="nl-BE"),
            User(id="U0SUP", name="els", real_name="Els Wouters", locale="nl-BE"),
        ],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0STAGEBOT",
    )
    page = serve(ws, host="127.0.0.1", port=0)
    running = Bots(ws, db.url, tmp_path / "documents", tmp_path)
    try:
        running.start("a")
        running.start("b")
        yield running
    finally:
        running.stop()
        page.stop()


def _texts(ws: Workspace, user: str) -> list[str]:
    return [text_of(m.blocks) or m.text for m in ws.messages(user) if not m.deleted]


def _review(ws: Workspace, document_id: int) -> Message | None:
    found = [m for m in ws.messages("U0SUP") if f'"value": "{document_id}"' in json.dumps(m.blocks)]
    return found[0] if found else None


def test_two_processes_one_flow_a_retry_on_the_other_and_one_killed_mid_flow(
    bots: Bots, db: Database
) -> None:
    status = bots.to("a").slash_command("U0ANNA", "/stage", "status")
    assert status.ok and "stand van zaken" in text_of(status.json["blocks"])

    ws = bots.to("a")
    ws.upload_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    events = [d for d in ws.deliveries() if d.payload.get("type") == "event_callback"]
    assert {d.payload["event"]["type"] for d in events} == {"file_shared", "message"}
    question = _until(lambda: [t for t in _texts(ws, "U0ANNA") if "Welk document is" in t])
    for event in events:  # Slack thought A too slow: its retries reach B
        assert bots.to("b").redeliver(event).ok

    # The pick reaches A, which records the download as a job and answers; asking Slack for the file then
    # fails twice (Slack busy), and while A waits to try again it is killed.
    ws.fail_next("files.info", "internal_error")
    ws.fail_next("files.info", "internal_error")
    picked = bots.to("a").click("U0ANNA", "documents_pick:commitment")
    assert picked.ok
    _until(lambda: ws.calls("files.info"), timeout=10)
    bots.kill("a")
    with db.session() as s:
        assert s.exec(select(Document)).all() == []  # A stopped before it stored anything
        assert len(s.exec(select(PendingJob)).all()) == 1

    # B resumes the job: the document is stored and the supervisor asked, once; she approves on B.
    document = _until(lambda: _stored(db))
    review = _until(lambda: _review(bots.to("b"), document.id))
    assert bots.to("b").click("U0SUP", "documents_approve", str(document.id), message=review).ok
    _until(lambda: any(APPROVED in t for t in _texts(ws, "U0ANNA")))
    _until(lambda: _all_sent(db))

    asked = [c for c in ws.calls("chat.postMessage") if "Welk document is" in str(c.params.get("text"))]
    assert len(question) == 1 and len(asked) == 1, "the retry on B asked nothing again"
    with db.session() as s:
        (stored,) = s.exec(select(Document)).all()
        assert (stored.version, stored.status) == (1, "approved")
        assert len(s.exec(select(DocumentDecision)).all()) == 1
        assert s.exec(select(PendingJob)).all() == []
        uploaded = s.exec(select(AuditEntry).where(AuditEntry.action == "document.uploaded")).all()
        assert len(uploaded) == 1
    reviews = [c for c in ws.calls("chat.postMessage") if c.params.get("channel") == "U0SUP"]
    assert len(reviews) == 1, "the supervisor is asked once"
    told = [t for t in _texts(ws, "U0ANNA") if APPROVED in t]
    assert len(told) == 1
    keys = [c.params.get("text") for c in ws.calls("chat.postMessage")]
    assert len(keys) == len(set(keys)), f"a message went out twice: {keys}"
    assert "request event message/file_share: duplicate" in bots.log("b")
    assert "job documents.receive: ok" in bots.log("b")


def _stored(db: Database) -> Document | None:
    with db.session() as s:
        return s.exec(select(Document)).first()


def _all_sent(db: Database) -> bool:
    with db.session() as s:
        states = {row.state for row in s.exec(select(OutboxMessage))}
    return states == {OutboxState.SENT.value}
