"""What `/stage status` shows under step 8 once the internships run: per course the hours confirmed, done
and required, then each of the programme's rules still short on confirmed hours. Four queries."""

from __future__ import annotations

from sqlmodel import Session

from bot.i18n import Translator
from bot.status.placements import catalogue
from bot.views.hours import status_lines
from models import hours


def hours_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    picture = hours.load(session, [student_id])
    if not picture.planned.get(student_id) and not picture.done.get(student_id):
        return []  # nothing planned or done yet: the planning's lines say what comes first
    return status_lines(t, catalogue(), picture.completion(catalogue(), student_id))
