"""Slow work after the ack (file downloads, bulk messages), on a small thread pool.

A listener first stores what the user submitted, then hands the slow part here; the job opens its own
session. `drain()` lets tests and shutdown wait for what is running, without sleeping.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

logger = logging.getLogger(__name__)


class Background:
    def __init__(self, workers: int = 4) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stagebot-bg")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, job: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()  # the log lines of the work name the request that asked for it
        future = self._executor.submit(context.run, self._run, job, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every submitted job has finished (raises TimeoutError past `timeout`)."""
        with self._lock:
            pending = set(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} background job(s) still running after {timeout} s")

    def busy(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)

    @staticmethod
    def _run(job: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except Exception:
            logger.exception("background job %s failed", getattr(job, "__name__", job))
            raise

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
