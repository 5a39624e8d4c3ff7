"""Imported at start-up by every Python process of a run under libfaketime (`scripts/test-at` puts this
folder on PYTHONPATH); it does nothing in any other run.

Debian 12's libfaketime 0.9.10 breaks Python 3.11's `time.sleep` when FAKETIME_DONT_FAKE_MONOTONIC is
set: Python sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, ...), libfaketime shifts that
real monotonic deadline by the fake offset and the kernel answers EINVAL (libfaketime issue 426). With
the monotonic clock faked instead, every wait with a timeout (locks, events, queues: sem_clockwait,
which libfaketime does not intercept) hangs. So the monotonic clock stays real and a sleep is a select()
with a relative timeout, which neither the kernel nor libfaketime shifts.
"""

from __future__ import annotations

import os
import select
import time

if os.environ.get("FAKETIME"):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep
