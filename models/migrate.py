"""Alembic migrations run from code: `stagebot migrate`, and on start of `run` and `serve`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

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
