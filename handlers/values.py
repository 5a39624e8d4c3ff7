"""Reading what a button or form sends back: anything can arrive in a forged payload."""

from __future__ import annotations


def number(text: object) -> int | None:
    """A non-negative whole number (a record id, an offset, a grade), or None for anything else."""
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None
