"""`stagebot run` with an app-level token: the bot in Socket Mode, as a real process, through the workspace.

The bot opens its WebSocket to the local workspace (apps.connections.open, then the link it got) and
everything a person does arrives over that socket; no request is POSTed to the bot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.local import DEMO
from tests.blocktext import text_of
from tests.processes import pythonpath
from workspace import Channel, User, Workspace
from workspace.server import serve

BOT_TOKEN, APP_TOKEN = "xoxb-socket-test", "xapp-socket-test"
STUDENT, COORDINATOR = "U0DEMOST01", "U0DEMOCO01"


@pytest.fixture
def socket_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.chdir(tmp_path)
    assert main(["import", "schools", str(DEMO / "schools.csv")]) == 0
    assert main(["import", "people", str(DEMO / "people.csv")]) == 0
    ws = Workspace(
        users=[
            User(id=STUDENT, name="yasmina", real_name="Yasmina El Amrani", locale="nl-BE"),
            User(id=COORDINATOR, name="hilde", real_name="Hilde Claes", locale="nl-BE"),
        ],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        bot_url="",  # nowhere to POST: deliveries go over the bot's socket
        bot_user_id="U0STAGEBOT",
    )
    page = serve(ws, host="127.0.0.1", port=0)
    # No signing secret (Socket Mode needs none) and no proxy between the bot and the local workspace.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and "proxy" not in k.lower()}
    env |= {
        "PYTHONPATH": pythonpath(),
        "DATABASE_URL": database,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": ws.api_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(120):  # at most 60 s, in half-second waits that end as soon as the bot connects
            try:
                ws.wait_for_socket(timeout=0.5)
                break
            except TimeoutError:
                if process.poll() is not None:
                    break
        else:
            process.kill()
        if ws.socket is None or ws.socket.connections == 0:
            process.kill()
            pytest.fail(f"stagebot run did not connect in Socket Mode: {process.communicate()[0]}")
        yield ws
    finally:
        process.terminate()
        try:  # it finishes what it was sending first: on a busy machine that takes a while
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        page.stop()


def test_a_slash_command_over_the_socket_gets_the_checklist(socket_bot: Workspace) -> None:
    (opened,) = socket_bot.calls("apps.connections.open")
    assert opened.ok and opened.token == APP_TOKEN
    answer = socket_bot.slash_command(STUDENT, "/stage", "status")
    assert answer.ok and not answer.late and answer.problem is None
    assert answer.request_headers == {}, "delivered over the socket, not POSTed"
    assert "Jouw stage: stand van zaken" in text_of(answer.json["blocks"])
    (shown,) = socket_bot.ephemerals(STUDENT)
    assert "Jouw stage: stand van zaken" in text_of(shown.blocks)
    assert socket_bot.calls("auth.test") and all(c.token == BOT_TOKEN for c in socket_bot.calls("auth.test"))


def test_a_button_click_over_the_socket_opens_a_students_details(socket_bot: Workspace) -> None:
    listed = socket_bot.slash_command(COORDINATOR, "/stage", "studenten")
    assert listed.ok and "Studenten: 12" in text_of(listed.json["blocks"])
    message = socket_bot.ephemerals(COORDINATOR)[-1]
    (yasmina,) = [b for b in message.blocks if f"<@{STUDENT}>" in str(b.get("text"))]
    assert yasmina["accessory"]["action_id"] == "student_detail"
    clicked = socket_bot.click(COORDINATOR, "student_detail", message=message, block_id=yasmina["block_id"])
    assert clicked.ok and clicked.kind == "block_actions" and clicked.request_headers == {}
    # The answer to a click comes after the ack (the bot's outbox posts it to the response_url).
    deadline = time.monotonic() + 10
    while "Yasmina El Amrani" not in (detail := text_of(socket_bot.ephemerals(COORDINATOR)[-1].blocks)):
        assert time.monotonic() < deadline, "the details never came"
        time.sleep(0.05)
    assert "Vakdidactieken: Wiskunde en Informatica" in detail
    assert socket_bot.ephemerals(STUDENT) == [], "a student's details go to the coordinator alone"
