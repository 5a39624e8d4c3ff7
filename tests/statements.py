"""Counting the SQL statements of one request, for the tests and the benchmarks that hold them constant."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

# Threads that share the engine but are not the request: the outbox delivering the previous answer, and
# background work. Their statements fall into the request's window only when the machine is busy.
NOT_THE_REQUEST = ("stagebot-outbox", "stagebot-send", "stagebot-marks", "stagebot-bg")


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements run on `engine` inside the block, by any thread but the bot's own workers."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not threading.current_thread().name.startswith(NOT_THE_REQUEST):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
