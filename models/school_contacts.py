"""The school's people for one student (step 6): contact person, subject mentor(s) and school mentor.

Also what the student agreed with the contact person: that they read the school rules, and the date of
their introduction at the school. One record per student and institution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, evaluations, school_links
from models.db import AwareDateTime
from models.school_links import Purpose

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ./()-]{6,30}$")
MAX_MENTORS = 3
MAX_FIELD_LENGTH = 200  # a name, an e-mail address, a phone number


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "phone": self.phone}


class SchoolContacts(SQLModel, table=True):
    __tablename__ = "school_contacts"

    student_id: int = Field(foreign_key="student.person_id", primary_key=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id", primary_key=True)
    contact: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    subject_mentors: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    school_mentor: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    rules_read_on: date | None = None
    introduction_on: date | None = None
    updated_at: datetime = Field(sa_type=AwareDateTime)


def contact_problems(contact: Contact) -> list[str]:
    """Message keys for a badly filled contact (a name is needed once anything is given)."""
    problems = []
    if (contact.email or contact.phone) and not contact.name:
        problems.append("placements.contacts.error.name")
    if contact.email and not EMAIL.match(contact.email):
        problems.append("placements.contacts.error.email")
    if contact.phone and not PHONE.match(contact.phone):
        problems.append("placements.contacts.error.phone")
    return problems


def missing(record: SchoolContacts | None) -> list[str]:
    """What the student still has to record for this school (message keys), in the order of step 6."""
    if record is None:
        return [
            "placements.contacts.missing.contact",
            "placements.contacts.missing.subject_mentor",
            "placements.contacts.missing.school_mentor",
            "placements.contacts.missing.rules",
            "placements.contacts.missing.introduction",
        ]
    wanted = [
        (record.contact, "placements.contacts.missing.contact"),
        (record.subject_mentors, "placements.contacts.missing.subject_mentor"),
        (record.school_mentor, "placements.contacts.missing.school_mentor"),
        (record.rules_read_on, "placements.contacts.missing.rules"),
        (record.introduction_on, "placements.contacts.missing.introduction"),
    ]
    return [key for value, key in wanted if not value]


def mentors_of(record: SchoolContacts) -> list[dict[str, str]]:
    """The subject mentors and the school mentor, as recorded."""
    return [*record.subject_mentors, *([record.school_mentor] if record.school_mentor else [])]


def mentor(record: SchoolContacts | None, email: str) -> Contact | None:
    """The mentor recorded with this address, if any."""
    for entry in mentors_of(record) if record else []:
        if entry.get("email", "").lower() == email.lower():
            return Contact(entry.get("name", ""), entry.get("email", ""), entry.get("phone", ""))
    return None


def correct_mentor(
    session: Session, student_id: int, institution_id: int, email: str, details: Contact, *, now: datetime
) -> bool:
    """The mentor recorded with `email` confirms or corrects their own details; False when no mentor has
    that address any more."""
    record = session.get(SchoolContacts, (student_id, institution_id))
    if record is None or mentor(record, email) is None:
        return False
    same = lambda entry: entry.get("email", "").lower() == email.lower()  # noqa: E731
    record.subject_mentors = [details.as_dict() if same(m) else m for m in record.subject_mentors]
    if record.school_mentor and same(record.school_mentor):
        record.school_mentor = details.as_dict()
    record.updated_at = now
    session.add(record)
    audit.log(
        session, now, "school_contacts.mentor_confirmed", actor_id=None, student_id=student_id,
        subject=f"institution:{institution_id}", mentor=details.name,
    )  # fmt: skip
    return True


def of_student(session: Session, student_id: int) -> dict[int, SchoolContacts]:
    rows = session.exec(select(SchoolContacts).where(SchoolContacts.student_id == student_id))
    return {row.institution_id: row for row in rows}


def of_students(session: Session, student_ids: Iterable[int]) -> list[SchoolContacts]:
    ids = sorted(set(student_ids))
    if not ids:
        return []
    return list(session.exec(select(SchoolContacts).where(col(SchoolContacts.student_id).in_(ids))))


def save(
    session: Session,
    student_id: int,
    institution_id: int,
    *,
    contact: Contact | None,
    subject_mentors: list[Contact],
    school_mentor: Contact | None,
    rules_read: bool,
    introduction_on: date | None,
    now: datetime,
) -> SchoolContacts:
    """Replace what the student recorded for this school (the form shows everything, so it sends all)."""
    record = session.get(SchoolContacts, (student_id, institution_id))
    if record is None:
        record = SchoolContacts(student_id=student_id, institution_id=institution_id, updated_at=now)
    record.contact = contact.as_dict() if contact and contact.name else None
    record.subject_mentors = [m.as_dict() for m in subject_mentors if m.name][:MAX_MENTORS]
    record.school_mentor = school_mentor.as_dict() if school_mentor and school_mentor.name else None
    if not rules_read:
        record.rules_read_on = None
    elif record.rules_read_on is None:
        record.rules_read_on = now.date()
    record.introduction_on = introduction_on
    record.updated_at = now
    session.add(record)
    # Another contact person or mentor named: a link sent to the one before stops working.
    if contact_email := (record.contact or {}).get("email"):
        keep = frozenset({contact_email})
        school_links.revoke(session, student_id, institution_id, Purpose.REQUEST_ANSWER, now, keep=keep)
    mentors = frozenset(m["email"] for m in mentors_of(record) if m.get("email"))
    school_links.revoke(session, student_id, institution_id, Purpose.MENTOR_DETAILS, now, keep=mentors)
    school_links.revoke(session, student_id, institution_id, Purpose.EVALUATION, now, keep=mentors)
    evaluations.forget_replaced_mentors(session, student_id, institution_id, mentors)
    audit.log(
        session, now, "school_contacts.saved", actor_id=student_id, student_id=student_id,
        subject=f"institution:{institution_id}",
    )  # fmt: skip
    return record
