"""`stagebot run` without Slack credentials: the local workspace with demo data, used as a person would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.processes import pythonpath

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
# Whatever day the suite runs, the workspace runs at this one: Tuesday 1 December 2026, 08:30 in Brussels.
START = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def local_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real command, as a newcomer runs it (on a fixed day), in its own process; stopped after."""
    port = _free_port()
    workdir = tmp_path_factory.mktemp("local")
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES and k != "DATABASE_URL"}
    env |= {"PORT": str(port), "PYTHONPATH": pythonpath()}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--at", "2026-12-01T08:30"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    # Ready once it says so: the page answers a little earlier, while the bot still takes its first tick.
    deadline = time.monotonic() + 60
    while not any("LOCAL WORKSPACE" in line for line in list(lines)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local workspace did not come up within 60 s: {''.join(lines)}")
        time.sleep(0.2)
    with urllib.request.urlopen(url + "/", timeout=5):
        pass
    yield url
    process.terminate()
    process.wait(timeout=10)
    reader.join(timeout=5)
    assert (workdir / "stagebot-local.db").exists()


def test_the_page_says_it_is_a_local_stand_in(local_bot: str) -> None:
    with urllib.request.urlopen(local_bot + "/", timeout=5) as response:
        assert "not Slack" in response.read().decode()


@pytest.mark.browser
def test_a_student_types_stage_status_and_reads_the_checklist(local_bot: str, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(local_bot)
    page.get_by_test_id("person-select").select_option("U0DEMOST01")
    page.get_by_test_id("composer").fill("/stage status")
    page.get_by_test_id("send").click()
    conversation = page.get_by_test_id("conversation")
    # The first answer of a process just started (imports, catalogues, the person's locale) on a busy
    # machine may take longer than the page's usual 5 s.
    expect(conversation).to_contain_text("Jouw stage: stand van zaken", timeout=20_000)
    expect(conversation).to_contain_text("1. Intakegesprek")
    expect(conversation).to_contain_text("8. Goedkeuring opstart stage")
    expect(conversation).to_contain_text("Volgende deadline")


@pytest.mark.browser
def test_the_coordinator_sees_the_demo_cohort(local_bot: str, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(local_bot)
    page.get_by_test_id("person-select").select_option("U0DEMOCO01")
    page.get_by_test_id("composer").fill("/stage stand")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("conversation")).to_contain_text("De cohorte: 12 studenten")


def test_a_restart_posts_what_waits_for_review_in_the_new_workspace(tmp_path: Path) -> None:
    """The workspace's conversations live in memory; the reviews in the database must reach the new one."""
    from bot.local import start_local
    from bot.settings import load_settings

    database = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = load_settings(documents_dir=tmp_path / "documents")

    def reviews() -> tuple[int, int]:
        local = start_local(settings, demo_database=database, port=0, start=START)
        try:
            local.services.outbox.settle()  # the review DMs the first tick queued
            tom = sum("documents_approve" in str(m.blocks) for m in local.ws.messages("U0DEMOSV02"))
            koen = sum("lio_approve" in str(m.blocks) for m in local.ws.messages("U0DEMOCN01"))
            return tom, koen
        finally:
            local.stop()

    first = reviews()
    assert first[0] > 0 and first[1] == 1  # Tom's documents; Lucas's LIO application for Koen
    assert reviews() == first


def test_stopping_releases_the_schedulers_lease(tmp_path: Path) -> None:
    from bot.local import start_local
    from bot.settings import load_settings
    from models.leases import Lease

    database = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = load_settings(documents_dir=tmp_path / "documents")
    local = start_local(settings, demo_database=database, port=0, start=START)
    with local.services.db.session() as session:
        assert session.get(Lease, "scheduler") is not None
    local.stop()
    from models.db import Database

    with Database(database).session() as session:
        assert session.get(Lease, "scheduler") is None


def test_run_at_starts_the_workspace_frozen_there(tmp_path: Path) -> None:
    from bot.local import start_local
    from bot.settings import load_settings

    database = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = load_settings(documents_dir=tmp_path / "documents")
    local = start_local(settings, demo_database=database, port=0, start=START)
    try:
        assert local.services.clock.now() == START and local.ws.now() == START.timestamp()
        local.ws.move_clock(3600)
        assert local.services.clock.now() == START.replace(hour=8)
        assert local.ws.now() == START.timestamp() + 3600
        local.ws.reset_demo()
        assert local.services.clock.now() == START and local.ws.now() == START.timestamp()
    finally:
        local.stop()


def test_run_at_is_refused_with_slack_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert main(["run", "--at", "2027-01-22T09:30"]) == 2
    assert "--at is for the local workspace only" in capsys.readouterr().err


def test_the_announcement_channel_gets_the_deadline_announcements(tmp_path: Path) -> None:
    """The workspace's #stage-aankondigingen is the bot's announcement channel (STAGEBOT_CHANNEL)."""
    from datetime import UTC, datetime, timedelta

    from bot.local import ANNOUNCE_CHANNEL_ID, start_local
    from bot.settings import load_settings

    database = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = load_settings(documents_dir=tmp_path / "documents")
    local = start_local(settings, demo_database=database, port=0, start=START)
    try:
        local.services.clock.freeze(datetime(2027, 1, 29, 9, 0, tzinfo=UTC))  # a Friday, 10:00 Brussels
        local.move_clock(timedelta(days=3).total_seconds())  # to Monday 1 February: 14 days before sem. 2
        local.services.outbox.settle()  # the sweep queued it; the outbox posts it
        posted = [m for m in local.ws.messages(ANNOUNCE_CHANNEL_ID) if not m.ephemeral_to]
        assert posted, "nothing was announced in the channel"
        assert "15 februari 2027" in str(posted[-1].blocks)
        assert "over 0 dagen" not in str(posted[-1].blocks) and "vandaag, 1 februari 2027" in str(
            posted[-1].blocks
        )
        assert "U0DEMO" not in str(posted[-1].blocks)  # never a name in the channel
    finally:
        local.stop()
