"""`stagebot doctor`, `/readyz` and `stagebot migrate --check`, against the local workspace's Slack."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from slack_bolt import App
from sqlalchemy import inspect

from bot import doctor
from bot.app import create_http_app, web_client
from bot.cli import main
from bot.services import Services
from bot.settings import Settings, load_settings
from models import leases, migrate
from models.catalogue import DEFAULT_CATALOGUE, load_catalogue
from models.db import Database
from models.scheduler_ticks import SchedulerTick
from scheduler.runner import LEASE, LEASE_TTL, Runner
from tests.conftest import NOW, SECRET, TOKEN, Stack
from workspace import Channel
from workspace.mailbox import Mailbox
from workspace.state import DEFAULT_SCOPES

SOON = NOW + timedelta(minutes=1)
OLD_RELEASE = ("0010", "0011", "0014")  # the heads of the previous release


@dataclass
class Deployment:
    """A deployment doctor should find in order: the stack's Slack and database, a confirmed catalogue,
    a documents directory, the announcement channel, an SMTP server, and a scheduler that ticked at NOW."""

    stack: Stack
    settings: Settings
    tmp: Path


@pytest.fixture
def deployment(wire: Stack, tmp_path: Path) -> Iterator[Deployment]:
    confirmed = tmp_path / "catalogue.yaml"
    shipped = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    confirmed.write_text(shipped.replace("draft: true", "draft: false"), encoding="utf-8")
    (tmp_path / "documents").mkdir()
    mailbox = Mailbox()
    settings = wire.services.settings.model_copy(
        update={
            "channel": "C0ANNOUNCE", "documents_dir": tmp_path / "documents", "catalogue_path": confirmed,
            "smtp_url": mailbox.start(), "mail_from": "stage@school.example",
        }
    )  # fmt: skip
    Runner(wire.services, web_client(wire.services), holder="scheduler-host:42").tick()
    channels = dict(wire.ws.state.channels)
    yield Deployment(wire, settings, tmp_path)
    wire.ws.scopes = DEFAULT_SCOPES
    wire.ws.state.channels = channels
    mailbox.stop()


def failing(lines: list[doctor.Check]) -> list[str]:
    return [line.check for line in lines if not line.ok]


def line(lines: list[doctor.Check], name: str) -> doctor.Check:
    return next(line for line in lines if line.check == name)


def test_a_deployment_in_order_has_every_line_ok(deployment: Deployment) -> None:
    lines = doctor.run(SOON, deployment.settings)
    assert [line.check for line in lines] == ["settings", *doctor.REST]
    assert failing(lines) == []
    assert all(line.checked for line in lines), [line for line in lines if not line.checked]
    assert "U0STAGEBOT" in line(lines, "slack token").detail
    assert "#stage-aankondigingen (C0ANNOUNCE)" in line(lines, "announcement channel").detail
    assert "scheduler-host:42" in line(lines, "scheduler").detail
    ws = deployment.stack.ws
    assert [c.ok for c in ws.calls("auth.test")] == [True]
    assert [c.params["channel"] for c in ws.calls("conversations.info")] == ["C0ANNOUNCE"]
    assert ws.calls("chat.postMessage") == []  # doctor only reads
    assert list((deployment.tmp / "documents").iterdir()) == []  # its probe file is gone


def test_a_channel_given_by_name_is_found_in_the_list(deployment: Deployment) -> None:
    settings = deployment.settings.model_copy(update={"channel": "#stage-aankondigingen"})
    lines = doctor.run(SOON, settings)
    assert failing(lines) == []
    assert deployment.stack.ws.calls("conversations.list")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Breakage = Callable[[Deployment], Settings]


def _withhold_scope(d: Deployment) -> Settings:
    d.stack.ws.scopes = [s for s in DEFAULT_SCOPES if s != "files:write"]
    return d.settings


def _outside_channel(d: Deployment) -> Settings:
    d.stack.ws.add_channel(Channel(id="C0OUTSIDE", name="buiten", bot_is_member=False))
    return d.settings.model_copy(update={"channel": "C0OUTSIDE"})


def _documents_in_a_file(d: Deployment) -> Settings:
    blocker = d.tmp / "blocker"
    blocker.write_text("not a directory")
    return d.settings.model_copy(update={"documents_dir": blocker / "documents"})


def _documents_is_a_file(d: Deployment) -> Settings:
    blocker = d.tmp / "blocker"
    blocker.write_text("not a directory")
    return d.settings.model_copy(update={"documents_dir": blocker})


BROKEN: list[tuple[str, Breakage, list[str], str, str]] = [
    ("withheld scope", _withhold_scope, ["slack scopes"], "not granted: files:write", "reinstall the app"),
    (
        "missing channel",
        lambda d: d.settings.model_copy(update={"channel": "C0GONE"}),
        ["announcement channel"],
        "no channel C0GONE",
        "set STAGEBOT_CHANNEL to an existing channel's id",
    ),
    (
        "channel name nobody made",
        lambda d: d.settings.model_copy(update={"channel": "#nergens"}),
        ["announcement channel"],
        "no channel #nergens",
        "create it",
    ),
    (
        "bot not in the channel",
        _outside_channel,
        ["announcement channel"],
        "the bot is not a member of #buiten (C0OUTSIDE)",
        "/invite @stagebot",
    ),
    (
        "documents directory cannot be made",
        _documents_in_a_file,
        ["documents directory"],
        "does not exist and cannot be made",
        "STAGEBOT_DOCUMENTS_DIR",
    ),
    (
        "documents directory is a file",
        _documents_is_a_file,
        ["documents directory"],
        "is not a directory",
        "STAGEBOT_DOCUMENTS_DIR",
    ),
    (
        "wrong token",
        lambda d: d.settings.model_copy(update={"slack_bot_token": "xoxb-wrong"}),
        ["slack token", "slack scopes", "announcement channel"],
        "auth.test answered invalid_auth",
        "OAuth & Permissions",
    ),
    (
        "no signing secret",
        lambda d: d.settings.model_copy(update={"slack_signing_secret": None}),
        ["settings"],
        "incomplete",
        "SLACK_SIGNING_SECRET",
    ),
    (
        "draft catalogue",
        lambda d: d.settings.model_copy(update={"catalogue_path": DEFAULT_CATALOGUE}),
        ["catalogue"],
        "is a draft: its dates are not confirmed",
        "`draft: false`",
    ),
    (
        "public URL that does not answer",
        lambda d: d.settings.model_copy(update={"public_url": f"http://127.0.0.1:{_closed_port()}"}),
        ["public URL"],
        "/healthz did not answer",
        "STAGEBOT_PUBLIC_URL",
    ),
    (
        "public URL of something else",
        lambda d: d.settings.model_copy(update={"public_url": d.stack.ws.url}),
        ["public URL"],
        "answered HTTP 404",
        "stagebot serve",
    ),
    (
        "public URL without https",
        lambda d: d.settings.model_copy(update={"public_url": "http://stagebot.example.org"}),
        ["public URL"],
        "is not https",
        "https",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "broken", "detail", "fix"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_setting_is_reported_with_its_fix(
    deployment: Deployment, breakage: Breakage, broken: list[str], detail: str, fix: str
) -> None:
    lines = doctor.run(SOON, breakage(deployment))
    assert failing(lines) == broken
    first = line(lines, broken[0])
    assert detail in first.detail and fix in first.fix
    for dependent in broken[1:]:
        assert not line(lines, dependent).checked and "not checked" in line(lines, dependent).detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only directory all the same")
def test_a_read_only_documents_directory_is_reported(deployment: Deployment) -> None:
    documents = deployment.tmp / "documents"
    documents.chmod(0o500)
    try:
        lines = doctor.run(SOON, deployment.settings)
    finally:
        documents.chmod(0o700)
    assert failing(lines) == ["documents directory"]
    assert "cannot write in" in line(lines, "documents directory").detail


def test_a_scheduler_that_stopped_ticking_is_reported(deployment: Deployment) -> None:
    later = doctor.run(NOW + timedelta(minutes=10), deployment.settings)
    assert failing(later) == ["scheduler"]
    stale = line(later, "scheduler")
    assert "10 minute(s) ago" in stale.detail and "scheduler-host:42" in stale.detail
    assert "stagebot scheduler" in stale.fix and "holds the lease" not in stale.detail
    # the process renews its lease but its ticks fail half way: it is alive, its log says why
    with deployment.stack.session() as session:
        leases.acquire(session, LEASE, "scheduler-host:42", NOW + timedelta(minutes=9), LEASE_TTL)
    failing_ticks = line(doctor.run(NOW + timedelta(minutes=10), deployment.settings), "scheduler")
    assert "scheduler-host:42 still holds the lease" in failing_ticks.detail
    assert "its log says why" in failing_ticks.fix


def test_no_scheduler_ever_is_reported(deployment: Deployment) -> None:
    with deployment.stack.session() as session:
        session.execute(SchedulerTick.__table__.delete())  # type: ignore[attr-defined]
    lines = doctor.run(SOON, deployment.settings)
    assert failing(lines) == ["scheduler"]
    assert "no scheduler has ever ticked" in line(lines, "scheduler").detail


def test_unset_optional_settings_are_skipped_with_the_reason(deployment: Deployment) -> None:
    settings = deployment.settings.model_copy(update={"channel": None, "public_url": None, "smtp_url": None})
    lines = doctor.run(SOON, settings)
    assert failing(lines) == []
    assert line(lines, "SMTP").detail.startswith("not checked: off:")
    for name, variable in (
        ("announcement channel", "STAGEBOT_CHANNEL"),
        ("public URL", "STAGEBOT_PUBLIC_URL"),
        ("SMTP", "STAGEBOT_SMTP_URL"),
    ):
        skipped = line(lines, name)
        assert not skipped.checked and f"{variable} is not set" in skipped.detail


def test_an_smtp_server_that_does_not_answer_or_a_missing_sender_is_reported(deployment: Deployment) -> None:
    settings = deployment.settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:9"})
    smtp = line(doctor.run(SOON, settings), "SMTP")
    assert not smtp.ok and smtp.detail.startswith("smtp://127.0.0.1:9 did not answer") and "port" in smtp.fix
    smtp = line(doctor.run(SOON, deployment.settings.model_copy(update={"mail_from": None})), "SMTP")
    assert not smtp.ok and "STAGEBOT_MAIL_FROM not set" in smtp.detail


# the command line -------------------------------------------------------------------------------------------


@pytest.fixture
def environment(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    """The deployment's settings as an operator sets them: in the environment."""
    s = deployment.settings
    monkeypatch.chdir(deployment.tmp)  # no .env from elsewhere
    for name, value in {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": s.slack_api_url,
        "DATABASE_URL": s.database_url,
        "STAGEBOT_CHANNEL": "C0ANNOUNCE",
        "STAGEBOT_CATALOGUE": str(s.catalogue_path),
        "STAGEBOT_DOCUMENTS_DIR": str(s.documents_dir),
        "STAGEBOT_PUBLIC_URL": str(s.public_url),
        "STAGEBOT_SMTP_URL": str(s.smtp_url),
        "STAGEBOT_MAIL_FROM": str(s.mail_from),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(doctor, "wall_now", lambda: SOON)
    return deployment


def test_the_command_exits_0_and_speaks_json_when_all_is_well(
    environment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [entry["check"] for entry in answer] == ["settings", *doctor.REST]
    assert all(entry["ok"] and entry["checked"] for entry in answer)
    assert set(answer[0]) == {"check", "ok", "detail", "fix", "checked"}


def test_the_command_exits_1_and_shows_the_fix_when_something_is_wrong(
    environment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert any(row.startswith("FAIL  slack token") and "invalid_auth" in row for row in out.splitlines())
    assert "fix: Slack refused SLACK_BOT_TOKEN" in out
    assert any(row.startswith("ok    database") for row in out.splitlines())
    assert out.rstrip().endswith("3 problem(s) to fix.")


def test_settings_that_cannot_be_read_are_the_first_line_not_a_crash(
    environment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["doctor", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer[0]["check"] == "settings" and "PORT" in answer[0]["fix"]
    assert all(not entry["checked"] for entry in answer[1:])


# /readyz ----------------------------------------------------------------------------------------------------


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_readyz_is_200_on_a_migrated_database_and_reports_the_last_tick(wire: Stack) -> None:
    base = str(wire.services.settings.public_url)
    status, body = _get(base + "/readyz")
    assert status == 200
    assert body == {"ready": True, "database": "ok", "migrations": "current", "scheduler_last_tick": None}
    Runner(wire.services, web_client(wire.services), holder="h:1").tick()
    status, body = _get(base + "/readyz")
    assert status == 200 and body["scheduler_last_tick"] == NOW.isoformat()
    # an old tick is reported, never a reason to take the web process out
    wire.services.clock.freeze(NOW + timedelta(days=3))
    assert _get(base + "/readyz")[0] == 200


def _http_app(database: Database) -> object:
    settings = load_settings(
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, database_url=database.url, _env_file=None
    )
    services = Services(settings, database, load_catalogue())
    bolt = App(token=TOKEN, signing_secret=SECRET, token_verification_enabled=False)
    return create_http_app(bolt, services).test_client()


def test_readyz_is_503_while_migrations_are_pending(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    for head in OLD_RELEASE:
        migrate.upgrade(database, head)
    client = _http_app(database)
    answer = client.get("/readyz")  # type: ignore[attr-defined]
    assert answer.status_code == 503
    assert answer.json["ready"] is False and answer.json["migrations"] == "pending"
    assert answer.json["pending"] == len(migrate.status(database).pending) > 0
    migrate.upgrade(database)
    assert client.get("/readyz").status_code == 200  # type: ignore[attr-defined]
    database.dispose()


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    database = Database(f"postgresql+psycopg://stagebot@127.0.0.1:{_closed_port()}/nothing")
    answer = _http_app(database).get("/readyz")  # type: ignore[attr-defined]
    assert answer.status_code == 503
    assert answer.json == {"ready": False, "database": "unreachable"}
    lines = [doctor.check_database(database), doctor.check_migrations(database)]
    assert not lines[0].ok and "cannot connect to the PostgreSQL database nothing" in lines[0].detail
    assert not lines[1].ok and not lines[1].checked


# stagebot migrate --check -----------------------------------------------------------------------------------


def test_migrate_check_tells_without_applying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stagebot.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["migrate", "--check"]) == 1
    assert "migration(s) pending: 0001," in capsys.readouterr().out
    assert not path.exists()  # not even an empty file was made
    database = Database(f"sqlite:///{path}")
    for head in OLD_RELEASE:
        migrate.upgrade(database, head)
    tables = set(inspect(database.engine).get_table_names())
    assert main(["migrate", "--check"]) == 1
    out = capsys.readouterr().out
    assert "0015" in out and "0016_h" in out and "0001" not in out
    assert set(inspect(database.engine).get_table_names()) == tables  # nothing was applied
    doctor_line = doctor.check_migrations(database)
    assert not doctor_line.ok and "stagebot migrate" in doctor_line.fix
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["migrate", "--check"]) == 0
    assert capsys.readouterr().out.strip() == "The database is up to date."
    database.dispose()


def test_a_database_from_a_newer_release_is_not_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    database = Database(url)
    migrate.upgrade(database)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('0099_future')")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate", "--check"]) == 1
    assert "0099_future" in capsys.readouterr().out
    assert "newer Stagebot" in doctor.check_migrations(database).fix
    database.dispose()


def test_the_local_workspace_grants_what_the_manifest_asks() -> None:
    assert set(doctor.manifest_scopes()) == set(DEFAULT_SCOPES)
    assert os.path.exists(doctor.MANIFEST)
