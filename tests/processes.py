"""What a test needs to start the bot as a process of its own."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).parent.parent


def pythonpath() -> str:
    """The project first, then the test run's own PYTHONPATH (a run under libfaketime has its sleep fix
    there, which the bot's process needs as much as the test's)."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
