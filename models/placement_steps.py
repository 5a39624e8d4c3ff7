"""The states of steps 3 to 6, derived from the placements, the agreements and the school's contacts.

Every change to one of those calls ``refresh`` in its own transaction, so the checklist and the overviews
read one row per step and never recompute. The derivation is a pure function (``states``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models import agreements, placements, progress, school_contacts
from models.catalogue import Catalogue
from models.placements import Answer, Placement
from models.progress import Step, StepState
from models.school_contacts import SchoolContacts


def states(
    catalogue: Catalogue,
    active: list[Placement],
    covered: dict[int, bool],
    contacts: dict[int, SchoolContacts],
) -> dict[Step, StepState]:
    """Step 3 done when every activity is placed and approved; 4 when the schools accepted them all;
    5 when a valid agreement covers each school; 6 when each school's people and dates are recorded."""
    if not active:
        return {
            step: StepState.NOT_STARTED
            for step in (Step.MATCHING, Step.REQUEST, Step.AGREEMENT, Step.CONTACT)
        }
    complete = not placements.open_slots(catalogue, active)
    if not complete:
        matching = StepState.IN_PROGRESS
    elif all(p.is_approved for p in active):
        matching = StepState.DONE
    else:
        matching = StepState.AWAITING_REVIEW
    all_accepted = all(p.answer == Answer.ACCEPTED for p in active)
    request = StepState.DONE if complete and all_accepted else StepState.IN_PROGRESS
    schools = {p.institution_id for p in active if p.answer == Answer.ACCEPTED}
    if not schools:
        return {
            Step.MATCHING: matching,
            Step.REQUEST: request,
            Step.AGREEMENT: StepState.NOT_STARTED,
            Step.CONTACT: StepState.NOT_STARTED,
        }
    finished = request == StepState.DONE
    agreement = StepState.DONE if finished and all(covered.get(s) for s in schools) else StepState.IN_PROGRESS
    filled = [s for s in schools if s in contacts]
    if finished and all(not school_contacts.missing(contacts.get(s)) for s in schools):
        contact = StepState.DONE
    else:
        contact = StepState.IN_PROGRESS if filled else StepState.NOT_STARTED
    return {Step.MATCHING: matching, Step.REQUEST: request, Step.AGREEMENT: agreement, Step.CONTACT: contact}


def refresh(session: Session, catalogue: Catalogue, student_id: int, now: datetime) -> dict[Step, StepState]:
    """Recompute and record the student's steps 3-6 in the caller's transaction."""
    session.flush()
    active = placements.of_student(session, student_id)
    covered = {c.institution_id: c.covered for c in agreements.student_coverage(session, student_id, active)}
    found = states(catalogue, active, covered, school_contacts.of_student(session, student_id))
    for step, state in found.items():
        progress.record(session, student_id, step, state, now)
    return found
