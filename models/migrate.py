"""Alembic migrations run from code: `stagebot migrate`, and on start of `run` and `serve`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory

from models.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEDULER_TABLE = "apscheduler_jobs"  # APScheduler's job store keeps its own table


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Migrations manage the application's tables, not the job store's."""
    return not (type_ == "table" and name == SCHEDULER_TABLE)


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "heads") -> None:
    """Every branch to its newest revision (features may add migrations side by side before a merge)."""
    command.upgrade(alembic_config(database), revision)


@dataclass(frozen=True)
class MigrationStatus:
    """Where the database stands against the migrations this code ships (read only: nothing is applied)."""

    current: tuple[str, ...]  # the revisions the database is at (empty: never migrated)
    pending: tuple[str, ...]  # revisions this code has and the database lacks, oldest first
    unknown: tuple[str, ...]  # revisions the database is at that this code does not know (a newer release)

    @property
    def up_to_date(self) -> bool:
        return not self.pending and not self.unknown


@functools.cache
def _shipped() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Every revision this code ships with its parents, and all of them oldest first (read once)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = list(ScriptDirectory.from_config(config).walk_revisions())
    return {script.revision: _parents(script) for script in scripts}, tuple(
        s.revision for s in reversed(scripts)
    )


def sqlite_file_missing(url: str) -> Path | None:
    """The SQLite file a URL names when it does not exist (connecting would create it empty)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return None
    path = Path(url.removeprefix(prefix).split("?", 1)[0])
    return None if path.exists() else path


def _parents(script: Script) -> tuple[str, ...]:
    down = script.down_revision
    return () if down is None else (down,) if isinstance(down, str) else tuple(down)


def status(database: Database) -> MigrationStatus:
    """Compare the database's revisions with the shipped ones; raises SQLAlchemyError when unreachable."""
    parents, order = _shipped()
    current: tuple[str, ...] = ()
    if sqlite_file_missing(database.url) is None:
        with database.engine.connect() as connection:
            current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    unknown = tuple(rev for rev in current if rev not in parents)
    applied: set[str] = set()
    todo = [rev for rev in current if rev in parents]
    while todo:
        rev = todo.pop()
        if rev not in applied:
            applied.add(rev)
            todo.extend(parents[rev])
    return MigrationStatus(current, tuple(rev for rev in order if rev not in applied), unknown)
