"""Shared fixtures: a migrated database per backend (SQLite; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import waitress
from sqlalchemy import text
from sqlmodel import SQLModel, select

import models  # noqa: F401  (registers every table)
from bot.app import create_app, create_http_app
from bot.delivery.slack_limits import Pacer
from bot.services import Services
from bot.settings import load_settings
from models.catalogue import load_catalogue
from models.db import Database
from models.migrate import upgrade
from models.people import Person
from workspace import Channel, User, Workspace
from workspace.server import serve

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database built by the real migrations, once per backend and test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'stagebot.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
    database = Database(url)
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def db(migrated_database: Database) -> Iterator[Database]:
    """The migrated database, emptied after each test."""
    yield migrated_database
    with migrated_database.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


FIXTURES = Path(__file__).parent / "fixtures"


# --- The bot and the local workspace, talking over real HTTP ------------------------------------------------

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@dataclass
class Stack:
    """The bot's HTTP app and the workspace it talks to: signed requests in, Web API calls out."""

    ws: Workspace
    services: Services
    bot_url: str

    def session(self):
        return self.services.db.session()

    def sync_users(self) -> None:
        """Everyone in the database becomes a member of the workspace, as they would be in Slack."""
        with self.session() as session:
            people = session.exec(select(Person)).all()
        known = {u.id for u in self.ws.users}
        for p in people:
            if p.slack_user_id not in known:
                locale = p.slack_locale or "nl-BE"
                self.ws.add_user(
                    User(id=p.slack_user_id, name=p.slack_user_id.lower(), real_name=p.name, locale=locale)
                )


@pytest.fixture(scope="session")
def stack(migrated_database: Database) -> Iterator[Stack]:
    ws = Workspace(
        users=[],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0STAGEBOT",
    )
    page = serve(ws, host="127.0.0.1", port=0)
    settings = load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=ws.api_url,
        database_url=migrated_database.url,
    )
    services = Services(settings, migrated_database, load_catalogue())
    server = waitress.create_server(
        create_http_app(create_app(services), services), host="127.0.0.1", port=0, threads=4
    )
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    ws.bot_url = base + "/slack/events"
    services.settings = settings.model_copy(update={"public_url": base})
    ws.after_delivery = services.outbox.settle  # what the bot sends after its answer is there to assert on
    services.outbox.pacer = Pacer(enabled=False)  # this workspace has no rate limits (see test_realism)
    yield Stack(ws, services, ws.bot_url)
    services.outbox.stop()
    server.close()
    page.stop()


@pytest.fixture
def wire(stack: Stack, db: Database) -> Iterator[Stack]:
    """The stack with an empty workspace and database, the clock frozen at NOW."""
    stack.ws.reset()
    stack.services.clock.freeze(NOW)
    yield stack
    stack.services.clock.release()


# --- A real headless Chromium (Debian's package), driven by Playwright -------------------------------------

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _no_browser(reason: str) -> None:
    message = f"browser tests need Debian's chromium and the playwright package: {reason}"
    if os.environ.get("STAGEBOT_BROWSER_REQUIRED"):
        pytest.fail(message + " (STAGEBOT_BROWSER_REQUIRED is set)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The browser for the page tests; skipped with a reason when absent, a failure when CI requires it."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _no_browser("no chromium executable on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _no_browser(str(error))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
