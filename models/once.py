"""Deciding once: the database, not the code that read a row a moment ago, says who changed it first.

Two clicks at the same moment both read "pending"; only one conditional UPDATE (``... WHERE state =
'pending'``) finds the row still pending. On PostgreSQL the second waits for the first to commit and then
finds nothing to change; on SQLite writers take turns. Run a transition as the first write of its
transaction, so that losing it leaves nothing half done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel


def transition(session: Session, row: SQLModel, column: str, expected: Any, **values: Any) -> bool:
    """Set `values` on `row` only while `column` still holds `expected`; True when this call did it.

    On success the object shows the new values; when someone else came first it is reloaded, so the
    caller can tell who decided and when."""
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
    if changed:
        for name, value in values.items():
            set_committed_value(row, name, value)
    else:
        session.refresh(row)
    return changed
