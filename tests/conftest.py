"""Shared fixtures: a migrated database per backend (SQLite; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from models.db import Database
from models.migrate import upgrade
from tests.stack import NOW, SECRET, TOKEN, Stack, start_stack

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PARTS = ("sqlite", "postgresql", "other")  # the tests on each database, and those that use neither


def _parts() -> list[str]:
    """The parts of the suite this process runs: all of them, or those STAGEBOT_TEST_PARTS names
    (`sqlite`, `postgresql`, `other`: the browser, the processes, the workspaces); scripts/test runs them
    side by side. A wrong choice stops the run."""
    chosen = os.environ.get("STAGEBOT_TEST_PARTS", "").replace(",", " ").split()
    if not chosen:
        return list(PARTS)
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        raise pytest.UsageError(f"STAGEBOT_TEST_PARTS: unknown {unknown} (use sqlite, postgresql, other)")
    if "postgresql" in chosen and "postgresql" not in BACKENDS:
        raise pytest.UsageError("STAGEBOT_TEST_PARTS names postgresql but TEST_DATABASE_URL is not set")
    return chosen


def part_of(item: pytest.Item) -> str:
    """The database a test runs on (one of its fixtures is parametrized over BACKENDS), else `other`."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return next((backend for backend in BACKENDS if backend in params.values()), "other")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the chosen parts run, so the parts side by side run every test once; the rest is shown as
    deselected."""
    parts = _parts()
    if len(parts) == len(PARTS):
        return
    left = [item for item in items if part_of(item) not in parts]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if part_of(item) in parts]


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
__all__ = ["NOW", "SECRET", "TOKEN", "Stack"]  # tests import the stack's names from here too


# --- The bot and the local workspace, talking over real HTTP ------------------------------------------------


@pytest.fixture(scope="session")
def stack(migrated_database: Database) -> Iterator[Stack]:
    running = start_stack(migrated_database)
    yield running
    running.stop()


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
