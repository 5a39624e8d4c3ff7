"""Shared fixtures: a migrated database per backend (SQLite; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import waitress
from sqlalchemy import text
from sqlmodel import SQLModel, select

import models  # noqa: F401  (registers every table)
from bot.app import create_app, create_http_app
from bot.services import Services
from bot.settings import load_settings
from models.catalogue import load_catalogue
from models.db import Database
from models.migrate import upgrade
from models.people import Person
from workspace import Channel, User, Workspace

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
    page = ws.serve(host="127.0.0.1", port=0)
    settings = load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=ws.api_url,
        database_url=migrated_database.url,
    )
    services = Services(settings, migrated_database, load_catalogue())
    server = waitress.create_server(
        create_http_app(create_app(services)), host="127.0.0.1", port=0, threads=4
    )
    threading.Thread(target=server.run, daemon=True).start()
    ws.bot_url = f"http://127.0.0.1:{server.effective_port}/slack/events"  # type: ignore[union-attr]
    yield Stack(ws, services, ws.bot_url)
    server.close()
    page.stop()


@pytest.fixture
def wire(stack: Stack, db: Database) -> Iterator[Stack]:
    """The stack with an empty workspace and database, the clock frozen at NOW."""
    stack.ws.reset()
    stack.services.clock.freeze(NOW)
    yield stack
    stack.services.clock.release()
