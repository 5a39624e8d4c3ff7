"""Who may do what to whose records: the one place for role checks (listeners ask, never decide)."""

from __future__ import annotations

from sqlmodel import Session

from models.people import Actor, Role, supervises

ANYONE_ROLES = (Role.COORDINATOR, Role.ADMIN)
COHORT_READERS = (Role.COORDINATOR, Role.ADMIN, Role.COURSE_OWNER, Role.COUNSELLOR)

# Who may use a `/stage` subcommand at all (the records it touches are checked by the functions below).
STUDENTS = frozenset({Role.STUDENT})
STAFF_WITH_STUDENTS = frozenset({Role.SUPERVISOR, *COHORT_READERS})
PLACERS = frozenset({Role.SUPERVISOR, *ANYONE_ROLES})
INTAKE_ROLES = frozenset({Role.STUDENT, Role.SUPERVISOR})
AGREEMENT_KEEPERS = frozenset(ANYONE_ROLES)
AUDIT_READERS = frozenset(ANYONE_ROLES)
LIO_ROLES = frozenset({Role.STUDENT, Role.COUNSELLOR, *ANYONE_ROLES})


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


def runs_the_cohort(actor: Actor) -> bool:
    """Cohort-wide powers (every student's placements, any matching run): the coordinator and admin."""
    return actor.has(*ANYONE_ROLES)


def may_read_audit(actor: Actor) -> bool:
    return actor.has(*ANYONE_ROLES)


def may_manage_slot(actor: Actor, slot_supervisor_id: int) -> bool:
    """Withdraw an intake slot: the supervisor who published it, or the coordinator."""
    return actor.person_id == slot_supervisor_id or actor.has(*ANYONE_ROLES)


def may_read_intake_notes(actor: Actor) -> bool:
    """Intake notes are for staff only, never for the student."""
    return actor.is_staff


def may_place(session: Session, actor: Actor, student_id: int) -> bool:
    """Place, change or withdraw a placement: the student's supervisor or the coordinator, never a student."""
    return may_review(session, actor, student_id)


def may_manage_agreements(actor: Actor) -> bool:
    """Start and track framework agreements: the placement coordinator (and admin)."""
    return actor.has(*ANYONE_ROLES)


COUNSELLOR_DOCUMENTS = frozenset({"lio_proof"})


def may_get_document(session: Session, actor: Actor, student_id: int, type_code: str | None = None) -> bool:
    """A student's documents (sensitive): the student, their supervisors and the coordinator; the proof of
    an LIO job also the study-path counsellor, who decides on the LIO application."""
    if type_code in COUNSELLOR_DOCUMENTS and actor.has(Role.COUNSELLOR):
        return True
    return actor.person_id == student_id or may_review(session, actor, student_id)


def may_decide_lio(actor: Actor) -> bool:
    """LIO applications and internship reductions: the study-path counsellor decides (domain.md)."""
    return actor.has(Role.COUNSELLOR)


def may_see_lio_overview(actor: Actor) -> bool:
    """All LIO students and open LIO requests: the study-path counsellor and the placement coordinator."""
    return actor.has(Role.COUNSELLOR, *ANYONE_ROLES)
