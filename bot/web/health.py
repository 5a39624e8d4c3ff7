"""`/readyz`: can this process serve? The database answers and its migrations are current (the
scheduler's last tick is reported beside, never a reason to take a web process out of the pool)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from models import migrate, scheduler_ticks
from models.db import Database

log = logging.getLogger(__name__)


def readiness(db: Database) -> tuple[bool, dict[str, Any]]:
    """(ready, a short JSON body): no names, no URLs, nothing a passer-by may not see."""
    try:
        state = migrate.status(db)
    except SQLAlchemyError as error:
        log.warning("readyz: the database is unreachable (%s)", type(error).__name__)
        return False, {"ready": False, "database": "unreachable"}
    body: dict[str, Any] = {
        "ready": state.up_to_date,
        "database": "ok",
        "migrations": "ahead" if state.unknown else "pending" if state.pending else "current",
    }
    if state.pending:
        body["pending"] = len(state.pending)
    try:
        with db.session() as session:
            tick = scheduler_ticks.latest(session)
    except SQLAlchemyError:  # the table is not there yet (migrations pending)
        tick = None
    body["scheduler_last_tick"] = tick.ticked_at.isoformat() if tick is not None else None
    return state.up_to_date, body
