"""What the student's checklist shows of the LIO track, under the planning step (STEP_DETAILS)."""

from __future__ import annotations

from sqlmodel import Session

from bot.i18n import Translator
from bot.views.lio import checklist_lines
from models import lio


def step_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    """Pending, exempt or how many extra hours (four queries, whatever the cohort size)."""
    rules = lio.load_lio_rules()
    latest = lio.latest_application(session, student_id)
    found = lio.standing(session, rules, student_id)
    pending = lio.pending_reduction(session, student_id) is not None
    return checklist_lines(
        t,
        latest,
        found.outcome if found else None,
        found.reduced if found else False,
        pending,
    )
