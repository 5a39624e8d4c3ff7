"""One student's record as staff see it: the checklist summary, then what each feature adds.

Features add a section with one entry in DETAIL_SECTIONS: (session, translator, student id) -> blocks,
a fixed number of queries each. Who may open it is decided by models.access.may_see_student.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from bot.i18n import Translator
from bot.status import documents as document_details
from bot.status import intake as intake_details
from bot.status import lio as lio_details
from bot.status import placements as placement_details
from bot.status import planning as planning_details
from bot.status import preferences as preferences_details
from bot.views.blocks import Block
from bot.views.student_detail import student_header
from models import progress
from models.people import Actor, Person, Student, supervisors_of

DetailSection = Callable[[Session, Translator, int], list[Block]]
DETAIL_SECTIONS: list[DetailSection] = [
    preferences_details.detail_section,
    intake_details.detail_section,
    placement_details.detail_section,
    planning_details.detail_section,
]
# Sections whose content depends on who looks (documents: access is decided per document type).
ViewerSection = Callable[[Session, Translator, Actor, int], list[Block]]
VIEWER_SECTIONS: list[ViewerSection] = [document_details.detail_section, lio_details.detail_section]


def detail_blocks(
    session: Session, t: Translator, student_id: int, viewer: Actor | None = None
) -> list[Block]:
    person = session.get_one(Person, student_id)
    student = session.get_one(Student, student_id)
    summary = progress.summaries(session, [student_id])[0]
    statuses = progress.checklist(session, student_id)
    supervisors = supervisors_of(session, student_id)
    blocks = student_header(t, person, student, supervisors, summary, statuses)
    for section in DETAIL_SECTIONS:
        blocks.extend(section(session, t, student_id))
    if viewer is not None:
        for viewer_section in VIEWER_SECTIONS:
            blocks.extend(viewer_section(session, t, viewer, student_id))
    return blocks  # as long as it is: the listener sends it in as many messages as it needs
