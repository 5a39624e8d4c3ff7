"""The one engine and its sessions; SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back aware datetimes, also on SQLite (which keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """SQLite gets foreign keys and cross-thread use; PostgreSQL a pre-pinged pool."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def insert_new(session: Session, table: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT unless a row with the same unique key exists; True when inserted. One statement in the
    session's transaction (no savepoint: pysqlite commits a savepoint opened outside a transaction)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    key = next(iter(table.__table__.primary_key.columns))  # type: ignore[attr-defined]
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def insert_many_new(
    session: Session, table: type[SQLModel], rows: list[dict[str, Any]], returning: str | None = None
) -> list[Any]:
    """`insert_new` for many rows in one statement (a sweep writes thousands): returns the `returning`
    column (default the primary key) of the rows inserted; rows whose unique key exists are left out."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table_ = table.__table__  # type: ignore[attr-defined]
    key = table_.columns[returning] if returning else next(iter(table_.primary_key.columns))
    # Core executemany: compiled once and cached, sent as multi-row VALUES batches ("insertmanyvalues").
    statement = insert(table_).on_conflict_do_nothing().returning(key)
    return list(session.connection().execute(statement, rows).scalars())


class Database:
    """Owns the engine; every unit of work is one ``session()`` that commits or rolls back whole."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
