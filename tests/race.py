"""Release requests together: each action runs in its own thread, all start at one barrier.

Two clicks "at the same moment" are what a double click, two people or Slack's own retries produce; the
database must decide, so a test sends them through the wire at once and checks that one outcome came out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
START_TIMEOUT = 5.0
RUN_TIMEOUT = 30.0


def together(*actions: Callable[[], T]) -> list[T]:
    """Run the actions at once; their results in the given order. A failure in a thread fails the test."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    failures: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        try:
            start.wait(timeout=START_TIMEOUT)
            results[index] = action()
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RUN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish in time"
    if failures:
        raise failures[0]
    return results


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged as an error (a traceback of a lost race would be)."""
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
