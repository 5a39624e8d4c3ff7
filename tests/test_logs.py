"""The log: one line per request and per job with its id, action, duration and outcome; JSON lines on
request; never a person's name, e-mail address, words or file."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import JsonFormatter, RequestIdFilter
from models.people import Role
from tests import factories
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.processes import pythonpath

NAME, EMAIL = "Anna De Smet", "u0anna@example.edu"
SECRET_TEXT = "Mijn mentor Jan Peeters belde over mijn gezondheid"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """Every captured record as the JSON formatter writes it (the request-id filter applied)."""
    formatter, ids = JsonFormatter(), RequestIdFilter()
    out = []
    for record in caplog.records:
        ids.filter(record)
        out.append(json.loads(formatter.format(record)))
    return out


def _requests(lines: list[dict[str, object]]) -> list[dict[str, object]]:
    return [line for line in lines if line["logger"] == "stagebot.request"]


def test_each_request_is_one_line_with_its_id_action_duration_and_outcome_and_no_personal_data(
    wire: Stack, caplog: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    with wire.session() as s:
        supervisor = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.student(s, "U0ANNA", NAME, supervisor=supervisor)
    wire.sync_users()
    caplog.set_level(logging.INFO)

    status = wire.ws.slash_command("U0ANNA", "/stage", "status")
    wire.ws.slash_command("U0ANNA", "/stage", f"{NAME} {EMAIL}")  # free words are not a subcommand
    said = wire.ws.send_dm("U0ANNA", SECRET_TEXT)
    again = wire.ws.redeliver(said)  # Slack's retry: the same event id, answered and dropped
    wire.ws.upload_file("U0ANNA", "anna-de-smet-verbintenis.pdf", pdf(), "application/pdf")
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.background.drain()
    assert status.ok and again.ok

    lines = _lines(caplog)
    requests = _requests(lines)
    first = requests[0]
    assert first["action"] == "command /stage status" and first["outcome"] == "ok"
    assert first["user"] == "U0ANNA" and first["level"] == "info"
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["request_id"] == json.loads(json.dumps(status.payload))["trigger_id"]
    assert requests[1]["action"] == "command /stage ?"
    events = [r for r in requests if r["action"] == "event message"]
    assert [e["outcome"] for e in events] == ["ok", "duplicate"]
    assert events[0]["request_id"] == events[1]["request_id"] == said.payload["event_id"]
    assert any(r["action"] == "action documents_pick:commitment" for r in requests)
    (job,) = [line for line in lines if line.get("action") == "documents.receive"]
    assert job["outcome"] == "ok" and isinstance(job["job_id"], int) and "duration_ms" in job
    pick = next(r for r in requests if r["action"] == "action documents_pick:commitment")
    assert job["parent_id"] == pick["request_id"] != job["request_id"]  # the job names the request

    written = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for private in (NAME, "Anna", "Smet", EMAIL, SECRET_TEXT, "Peeters", "verbintenis.pdf", "%PDF"):
        assert private not in written, private


def test_json_lines_on_request_and_alembic_quiet_unless_verbose(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STAGEBOT_"))}
    env |= {"PYTHONPATH": pythonpath(), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}

    def migrate(*extra: str, fmt: str = "json") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "migrate", *extra],
            env=env | {"STAGEBOT_LOG_FORMAT": fmt},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    verbose = migrate("-v")
    assert verbose.returncode == 0, verbose.stderr
    lines = [json.loads(line) for line in verbose.stderr.splitlines()]
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    assert any(line["logger"].startswith("alembic") for line in lines)
    quiet = migrate()
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == "The database is up to date.\n"
    wrong = migrate(fmt="xml")
    assert wrong.returncode == 2 and "STAGEBOT_LOG_FORMAT" in wrong.stderr
