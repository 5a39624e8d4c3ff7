"""Deciding once: the database, not the code that read a row a moment ago, says who changed it first.

Two clicks at the same moment both read "pending"; only one conditional UPDATE (``... WHERE state =
'pending'``) finds the row still pending. On PostgreSQL the second waits for the first to commit and then
finds nothing to change; on SQLite writers take turns. Run a transition as the first write of its
transaction, so that losing it leaves nothing half done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlmodel import Session, SQLModel


def transition(session: Session, row: SQLModel, column: str, expected: Any, **values: Any) -> bool:
    """Set `values` on `row` only while `column` still holds `expected`; True when this call did it.

    Either way the object is reloaded: it shows the row as it is now (the new values, or who decided
    first and when; also what another request changed in other columns a moment ago)."""
    model = type(row)
    identity = inspect(row).identity or ()
    keys = [c == value for c, value in zip(inspect(model).primary_key, identity, strict=True)]
    statement = (
        update(model)
        .where(*keys, getattr(model, column) == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    session.refresh(row)
    return changed
