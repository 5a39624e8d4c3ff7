"""What the preferences feature adds to the checklist (under step 1) and to a student's detail view.

Each function runs a fixed number of queries: the latest submission, its count, and the schools it names.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.i18n import Translator
from bot.views.blocks import Block
from bot.views.preferences import staff_section
from models import preferences
from models.preferences import Preferences
from models.school_match import School
from models.schools import Institution


def step_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    """One line under step 1 in the student's own checklist."""
    row = preferences.latest(session, student_id)
    if row is None:
        return [t("preferences.status.none")]
    return [
        t(
            "preferences.status.given",
            when=t.date(row.submitted_at.astimezone(t.tz).date(), "medium"),
            count=len(row.institution_ids),
        )
    ]


def _schools(session: Session, ids: set[int]) -> dict[int, School]:
    if not ids:
        return {}
    return {
        school.id: School.of(school)
        for school in session.exec(select(Institution).where(col(Institution.id).in_(sorted(ids))))
        if school.id is not None
    }


def detail_section(session: Session, t: Translator, student_id: int) -> list[Block]:
    """The preferences that count now, when and how often they were given, and the reopen button."""
    row = preferences.latest(session, student_id)
    if row is None:
        return staff_section(t, None, None, 0, {}, student_id)
    prefs = Preferences.of(row)
    ids = {*prefs.institution_ids, *prefs.former_school_ids, *prefs.relative_school_ids}
    count = preferences.history_count(session, student_id)
    return staff_section(t, prefs, row.submitted_at, count, _schools(session, ids), student_id)
