"""`stagebot serve` and `stagebot run` with credentials: the production entry points, over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.local import DEMO
from tests.blocktext import text_of
from tests.processes import pythonpath
from workspace import Channel, User, Workspace
from workspace.server import serve

TOKEN, SECRET = "xoxb-serve-test", "serve-test-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["serve", "run"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.chdir(tmp_path)
    assert main(["import", "schools", str(DEMO / "schools.csv")]) == 0
    assert main(["import", "people", str(DEMO / "people.csv")]) == 0
    ws = Workspace(
        users=[User(id="U0DEMOST01", name="yasmina", real_name="Yasmina El Amrani", locale="nl-BE")],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0STAGEBOT",
    )
    page = serve(ws, host="127.0.0.1", port=0)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env |= {
        "PYTHONPATH": pythonpath(),
        "DATABASE_URL": database,
        "PORT": str(port),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": ws.api_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", request.param],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                assert answer.read() == b"ok"
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"stagebot {request.param} did not come up: {process.communicate()[0]}")
            time.sleep(0.2)
    ws.bot_url = base + "/slack/events"
    yield ws
    process.terminate()
    output = process.communicate(timeout=10)[0]
    page.stop()
    # No SMTP settings: one clear line says what the school side needs.
    assert "The school side is off (no mail to contact persons): set STAGEBOT_SMTP_URL" in output


def test_a_signed_slash_command_gets_the_checklist(served: Workspace) -> None:
    answer = served.slash_command("U0DEMOST01", "/stage", "status")
    assert answer.status == 200
    assert "Jouw stage: stand van zaken" in text_of(answer.json["blocks"])
    assert served.calls("auth.test"), "Bolt checks its token against the Web API it was given"
