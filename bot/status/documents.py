"""The documents section of a student's record as staff see it (bot.status.student_detail).

The detail view is staff-only, but documents are stricter than the record: each type is shown only to
whoever may get that document (models.access.may_get_document), so a study-path counsellor sees the proof
of an LIO job and never the criminal-record extract.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.flows.documents import student_lines
from bot.i18n import Translator
from bot.views import documents as views
from bot.views.blocks import Block
from models.access import may_get_document
from models.people import Actor


def detail_section(session: Session, t: Translator, viewer: Actor, student_id: int) -> list[Block]:
    """Each document type's state with its Open button, for the types this viewer may get (three queries
    plus the access checks)."""
    lines = student_lines(session, student_id, datetime.now(t.tz).date())
    codes = {line.type.code for line in lines}
    allowed = {code: may_get_document(session, viewer, student_id, code) for code in codes}
    return views.staff_detail(t, [line for line in lines if allowed[line.type.code]])
