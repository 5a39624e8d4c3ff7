"""Internship agreements (step 5): framework agreements per institution and digital contracts per student.

A placement may start only under a valid agreement covering its dates: either a framework agreement
(raamovereenkomst) between the university and the institution, signed by both, or the student's digital
contract on lerarenstage.be with that institution, signed by the student, the school and the university.
One agreement per student and institution covers every internship the student does there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit
from models.db import AwareDateTime
from models.placements import Answer, Placement, PlacementStatus


class AgreementError(Exception):
    """A change refused as a whole; ``key`` is the message that explains it."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class FrameworkStatus(StrEnum):
    DRAFTED = "drafted"
    SENT = "sent"
    SIGNED = "signed"


class FrameworkEvent(StrEnum):
    """What the coordinator records while a framework agreement goes round."""

    SENT = "sent"
    SCHOOL_SIGNED = "school_signed"
    UNIVERSITY_SIGNED = "university_signed"


class FrameworkAgreement(SQLModel, table=True):
    __tablename__ = "framework_agreement"

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    valid_from: date
    valid_until: date | None = None
    status: str = Field(default=FrameworkStatus.DRAFTED.value, max_length=16)
    sent_on: date | None = None
    school_signed_on: date | None = None
    university_signed_on: date | None = None
    created_at: datetime = Field(sa_type=AwareDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")


class DigitalContract(SQLModel, table=True):
    """The lerarenstage.be contract of one student with one institution (one covers all their internships)."""

    __tablename__ = "digital_contract"
    __table_args__ = (UniqueConstraint("student_id", "institution_id"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id")
    start: date
    end: date
    student_signed_on: date | None = None
    school_signed_on: date | None = None
    university_signed_on: date | None = None
    updated_at: datetime = Field(sa_type=AwareDateTime)


PARTIES = ("student", "school", "university")


# --- the rules ---------------------------------------------------------------------------------------------


def framework_signed(agreement: FrameworkAgreement) -> bool:
    return agreement.school_signed_on is not None and agreement.university_signed_on is not None


def contract_unsigned_parties(contract: DigitalContract) -> list[str]:
    return [party for party in PARTIES if getattr(contract, f"{party}_signed_on") is None]


def spans(first: date, last: date | None, start: date, end: date) -> bool:
    """Does [first, last] (last None: open-ended) contain [start, end]?"""
    return first <= start and (last is None or end <= last)


@dataclass(frozen=True)
class Coverage:
    """What covers a student's internships at one institution, or what is still missing."""

    institution_id: int
    start: date
    end: date
    framework: FrameworkAgreement | None  # a signed framework agreement covering the dates
    contract: DigitalContract | None  # the student's contract there, signed or not
    pending_framework: FrameworkAgreement | None  # one being drawn up

    @property
    def covered(self) -> bool:
        if self.framework is not None:
            return True
        c = self.contract
        return (
            c is not None and not contract_unsigned_parties(c) and spans(c.start, c.end, self.start, self.end)
        )


def coverage(
    placements: Iterable[Placement],
    frameworks: Iterable[FrameworkAgreement],
    contracts: Iterable[DigitalContract],
) -> list[Coverage]:
    """Per institution of the given placements: does a valid agreement cover all their dates?"""
    by_institution: dict[int, list[Placement]] = {}
    for p in placements:
        by_institution.setdefault(p.institution_id, []).append(p)
    frameworks = list(frameworks)
    contract_at = {c.institution_id: c for c in contracts}
    result = []
    for institution_id, group in by_institution.items():
        start, end = min(p.start for p in group), max(p.end for p in group)
        own = [f for f in frameworks if f.institution_id == institution_id]
        valid = next(
            (f for f in own if framework_signed(f) and spans(f.valid_from, f.valid_until, start, end)), None
        )
        pending = next((f for f in own if not framework_signed(f)), None)
        result.append(Coverage(institution_id, start, end, valid, contract_at.get(institution_id), pending))
    return result


# --- queries ----------------------------------------------------------------------------------------------


def frameworks_of(session: Session, institution_ids: Iterable[int]) -> list[FrameworkAgreement]:
    ids = sorted(set(institution_ids))
    if not ids:
        return []
    return list(
        session.exec(
            select(FrameworkAgreement)
            .where(col(FrameworkAgreement.institution_id).in_(ids))
            .order_by(col(FrameworkAgreement.valid_from), col(FrameworkAgreement.id))
        )
    )


def contracts_of(session: Session, student_ids: Iterable[int]) -> list[DigitalContract]:
    ids = sorted(set(student_ids))
    if not ids:
        return []
    return list(session.exec(select(DigitalContract).where(col(DigitalContract.student_id).in_(ids))))


def student_coverage(session: Session, student_id: int, placements: list[Placement]) -> list[Coverage]:
    """Coverage of the student's placements that are not refused (two queries)."""
    live = [p for p in placements if p.is_active and p.answer != Answer.REFUSED]
    if not live:
        return []
    return coverage(
        live, frameworks_of(session, {p.institution_id for p in live}), contracts_of(session, [student_id])
    )


@dataclass(frozen=True)
class Uncovered:
    """An institution whose placed students have no valid agreement, for the coordinator."""

    institution_id: int
    student_ids: tuple[int, ...]
    pending_framework: FrameworkAgreement | None


def uncovered_institutions(session: Session) -> list[Uncovered]:
    """Institutions with active placements some student has no valid agreement for (three queries)."""
    placements = list(session.exec(select(Placement).where(Placement.status == PlacementStatus.ACTIVE.value)))
    frameworks = frameworks_of(session, {p.institution_id for p in placements})
    contracts = contracts_of(session, {p.student_id for p in placements})
    by_student: dict[int, list[Placement]] = {}
    for p in placements:
        by_student.setdefault(p.student_id, []).append(p)
    waiting: dict[int, list[int]] = {}
    pending: dict[int, FrameworkAgreement | None] = {}
    for student_id, own in by_student.items():
        mine = [c for c in contracts if c.student_id == student_id]
        for cover in coverage(own, frameworks, mine):
            if not cover.covered:
                waiting.setdefault(cover.institution_id, []).append(student_id)
                pending[cover.institution_id] = cover.pending_framework
    return [
        Uncovered(institution_id, tuple(sorted(ids)), pending[institution_id])
        for institution_id, ids in sorted(waiting.items())
    ]


def students_at(session: Session, institution_id: int) -> list[int]:
    rows = session.exec(
        select(Placement.student_id)
        .where(Placement.institution_id == institution_id)
        .where(Placement.status == PlacementStatus.ACTIVE.value)
        .distinct()
    )
    return sorted(rows)


# --- changes ----------------------------------------------------------------------------------------------


def add_framework(
    session: Session,
    institution_id: int,
    valid_from: date,
    valid_until: date | None,
    *,
    actor_id: int | None,
    now: datetime,
    signed_on: date | None = None,
) -> FrameworkAgreement:
    """Record a framework agreement; with ``signed_on`` it is signed by both (e.g. an existing paper one)."""
    if valid_until is not None and valid_until < valid_from:
        raise AgreementError("agreements.error.dates_order")
    agreement = FrameworkAgreement(
        institution_id=institution_id,
        valid_from=valid_from,
        valid_until=valid_until,
        status=(FrameworkStatus.SIGNED if signed_on else FrameworkStatus.DRAFTED).value,
        school_signed_on=signed_on,
        university_signed_on=signed_on,
        created_at=now,
        created_by_id=actor_id,
    )
    session.add(agreement)
    session.flush()
    audit.log(
        session, now, "agreement.framework_added", actor_id=actor_id,
        subject=f"framework:{agreement.id}", institution_id=institution_id,
    )  # fmt: skip
    return agreement


def start_framework(
    session: Session, institution_id: int, valid_from: date, *, actor_id: int, now: datetime
) -> tuple[FrameworkAgreement, bool]:
    """Start drawing up a framework agreement; one already under way is returned instead (False)."""
    for existing in frameworks_of(session, [institution_id]):
        if not framework_signed(existing):
            return existing, False
    return add_framework(session, institution_id, valid_from, None, actor_id=actor_id, now=now), True


def track_framework(
    session: Session,
    agreement: FrameworkAgreement,
    event: FrameworkEvent,
    on: date,
    *,
    actor_id: int,
    now: datetime,
) -> bool:
    """Record a step of a framework agreement; False when it was recorded before (a second click)."""
    attribute = {
        FrameworkEvent.SENT: "sent_on",
        FrameworkEvent.SCHOOL_SIGNED: "school_signed_on",
        FrameworkEvent.UNIVERSITY_SIGNED: "university_signed_on",
    }[event]
    if getattr(agreement, attribute) is not None:
        return False
    setattr(agreement, attribute, on)
    if framework_signed(agreement):
        agreement.status = FrameworkStatus.SIGNED.value
    elif agreement.sent_on is not None or event != FrameworkEvent.SENT:
        agreement.status = FrameworkStatus.SENT.value
    session.add(agreement)
    audit.log(
        session, now, f"agreement.framework_{event.value}", actor_id=actor_id,
        subject=f"framework:{agreement.id}", on=on.isoformat(),
    )  # fmt: skip
    return True


def save_contract(
    session: Session,
    student_id: int,
    institution_id: int,
    start: date,
    end: date,
    signed_on: dict[str, date | None],
    *,
    now: datetime,
    today: date | None = None,
) -> DigitalContract:
    """Create or update the student's lerarenstage.be contract with this institution. `today` is the
    local date (just after midnight in Brussels, `now` is still the day before in UTC)."""
    if end < start:
        raise AgreementError("agreements.error.dates_order")
    if any(day is not None and day > (today or now.date()) for day in signed_on.values()):
        raise AgreementError("agreements.error.signed_in_future")
    contract = session.exec(
        select(DigitalContract)
        .where(DigitalContract.student_id == student_id)
        .where(DigitalContract.institution_id == institution_id)
    ).first()
    if contract is None:
        contract = DigitalContract(
            student_id=student_id, institution_id=institution_id, start=start, end=end, updated_at=now
        )
    contract.start, contract.end, contract.updated_at = start, end, now
    for party in PARTIES:
        setattr(contract, f"{party}_signed_on", signed_on.get(party))
    session.add(contract)
    session.flush()
    audit.log(
        session, now, "agreement.contract_saved", actor_id=student_id, student_id=student_id,
        subject=f"contract:{contract.id}", institution_id=institution_id,
    )  # fmt: skip
    return contract
