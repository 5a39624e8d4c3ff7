"""What steps 3 to 6 add to a student's checklist and to their detail view (a fixed number of queries)."""

from __future__ import annotations

import os
from functools import cache

from sqlmodel import Session

from bot.i18n import Translator
from bot.views.agreements import coverage_lines
from bot.views.blocks import Block, escape, header, section
from bot.views.placements import (
    contacts_lines,
    course_name,
    placement_line,
    school_name,
    school_people_blocks,
    slot_line,
)
from models import agreements, placements, school_contacts, school_links
from models.catalogue import DEFAULT_CATALOGUE, Catalogue, load_catalogue
from models.people import Student
from models.placements import Answer, Placement


@cache
def catalogue() -> Catalogue:
    """The configured catalogue (STAGEBOT_CATALOGUE, as the settings read it): providers get no services."""
    return load_catalogue(os.environ.get("STAGEBOT_CATALOGUE") or DEFAULT_CATALOGUE)


def _active(session: Session, student_id: int) -> list[Placement]:
    """The student's active placements, read once per request however many steps show them."""
    cache: dict[int, list[Placement]] = session.info.setdefault("active_placements", {})
    if student_id not in cache:
        cache[student_id] = placements.of_student(session, student_id)
    return cache[student_id]


def matching_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    active = _active(session, student_id)
    if not active:
        return []
    schools = placements.institutions(session, (p.institution_id for p in active))
    student = session.get(Student, student_id)
    lines = [placement_line(t, catalogue(), p, schools.get(p.institution_id), student) for p in active]
    still = placements.open_slots(catalogue(), active)
    if still:
        lines.append(
            t("placements.status.open", what="; ".join(slot_line(t, catalogue(), s, student) for s in still))
        )
    return lines


def request_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    active = _active(session, student_id)
    schools = placements.institutions(session, (p.institution_id for p in active))
    lines = []
    for institution_id, school in schools.items():
        mine = [p for p in active if p.institution_id == institution_id]
        if all(p.answer == Answer.ACCEPTED for p in mine):
            key = "placements.status.accepted"
        elif any(p.requested_on for p in mine):
            key = "placements.status.waiting"
        else:
            key = "placements.status.ask"
        lines.append(t(key, school=school_name(school)))
    return lines


def agreement_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    active = [p for p in _active(session, student_id) if p.answer == Answer.ACCEPTED]
    covers = agreements.student_coverage(session, student_id, active)
    schools = placements.institutions(session, (c.institution_id for c in covers))
    return [" ".join(coverage_lines(t, c, schools.get(c.institution_id))) for c in covers]


def contact_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    accepted = [p for p in _active(session, student_id) if p.answer == Answer.ACCEPTED]
    if not accepted:
        return []
    schools = placements.institutions(session, (p.institution_id for p in accepted))
    records = school_contacts.of_student(session, student_id)
    lines = []
    for institution_id, school in schools.items():
        missing = school_contacts.missing(records.get(institution_id))
        if missing:
            lines.append(t("placements.status.contacts_missing", school=school_name(school),
                           what=", ".join(t(k) for k in missing)))  # fmt: skip
        else:
            lines.append(t("placements.status.contacts_done", school=school_name(school)))
    return lines


def detail_section(session: Session, t: Translator, student_id: int) -> list[Block]:
    """Staff see the placements, the request, the agreement and the school's people in one section."""
    active = _active(session, student_id)
    history = [p for p in placements.of_student(session, student_id, active_only=False) if not p.is_active]
    if not active and not history:
        return [header(t("placements.detail.header")), section(t("placements.detail.none"))]
    blocks: list[Block] = [header(t("placements.detail.header"))]
    lines = matching_lines(session, t, student_id)
    lines += [  # why the coordinator placed the student where the rules say no (a former school...)
        t(
            "placements.detail.override",
            course=course_name(t, catalogue(), p.course_code),
            reason=escape(reason),
        )
        for p in active
        if (reason := p.override_reason)
    ]
    if lines:
        blocks.append(section("\n".join(f"• {x}" for x in lines)))
    if history:
        blocks.append(section(t("placements.detail.history", count=len(history))))
    extra = agreement_lines(session, t, student_id) + [line for line in contact_lines(session, t, student_id)]
    if extra:
        blocks.append(section("\n".join(extra)))
    records = school_contacts.of_student(session, student_id)
    schools = placements.institutions(session, records)
    for institution_id, record in list(records.items())[:3]:
        school = schools.get(institution_id)
        if school is not None:
            blocks.append(section("\n".join(contacts_lines(t, school, record, []))))
    return blocks


def school_people(session: Session, t: Translator, student_id: int, *, resend: bool = False) -> list[Block]:
    """The school's people for `/stage contacts`, per school the student is placed at."""
    active = _active(session, student_id)
    schools = placements.institutions(session, (p.institution_id for p in active))
    records = school_contacts.of_student(session, student_id)
    rows = [
        (school, records.get(i), school_contacts.missing(records.get(i))) for i, school in schools.items()
    ]
    failed = school_links.undelivered(session, student_id)
    return school_people_blocks(t, rows, editable=True, resend=resend, undelivered=failed)
