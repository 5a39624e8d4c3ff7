"""Who may do what to whose records: the one place for role checks (listeners ask, never decide)."""

from __future__ import annotations

from sqlmodel import Session

from models.people import Actor, Role, supervises

ANYONE_ROLES = (Role.COORDINATOR, Role.ADMIN)
COHORT_READERS = (Role.COORDINATOR, Role.ADMIN, Role.COURSE_OWNER, Role.COUNSELLOR)


def may_review(session: Session, actor: Actor, student_id: int) -> bool:
    """Decide on a student's document, placement or planning: their supervisor or the coordinator."""
    if actor.has(*ANYONE_ROLES):
        return True
    return actor.has(Role.SUPERVISOR) and supervises(session, actor.person_id, student_id)


def may_see_student(session: Session, actor: Actor, student_id: int) -> bool:
    """A student's private records: the student, their supervisors, and the cohort's staff."""
    if actor.person_id == student_id or actor.has(*COHORT_READERS):
        return True
    return actor.has(Role.SUPERVISOR) and supervises(session, actor.person_id, student_id)


def may_read_audit(actor: Actor) -> bool:
    return actor.has(*ANYONE_ROLES)
