"""Asking the school by mail, each person a link to act without an account: once a placement is made,
the contact person (to answer the request, step 4); once the student records their mentors, each mentor
(to confirm or correct their own contact details, step 6).

One open link per person and purpose: placing a second activity at the same school, or saving the
contacts again, while the first link is open sends nothing new. The request counts as made by e-mail on
the day the mail is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.delivery import mail
from bot.i18n import Translator
from bot.services import Services
from bot.views.placements import activity_name, course_name
from models import audit, placements, school_contacts, school_links
from models.people import Person
from models.placements import RequestChannel
from models.school_contacts import Contact
from models.school_links import Purpose, SchoolLink
from models.schools import Institution

PATH = "/school/"


def school_label(school: Institution) -> str:
    """The school as a mail or a page names it (plain text: no Slack escaping)."""
    return f"{school.name} ({school.city})" if school.city else school.name


def contact_of(session: Session, student_id: int, school: Institution) -> Contact | None:
    """The contact person the student recorded for this school, else the one the school list names."""
    record = school_contacts.of_student(session, student_id).get(school.id or 0)
    own = record.contact if record is not None else None
    if own and own.get("email"):
        return Contact(own.get("name", ""), own["email"], own.get("phone", ""))
    if school.contact_email:
        return Contact(school.contact_name or "", school.contact_email, school.contact_phone or "")
    return None


def link_url(services: Services, token: str) -> str:
    return (services.settings.public_url or "").rstrip("/") + PATH + token


def asked_lines(t: Translator, services: Services, awaiting: list[placements.Placement]) -> list[str]:
    """What the student asks for, one line per placement: course, activities, period."""
    return [
        f"{course_name(t, services.catalogue, p.course_code)}: "
        f"{', '.join(activity_name(t, a) for a in p.activities)} "
        f"({t.date(p.start, 'medium')} – {t.date(p.end, 'medium')})"
        for p in awaiting
    ]


def _open_link(
    session: Session, purpose: Purpose, student_id: int, school_id: int, email: str, now: datetime
) -> SchoolLink | None:
    """A link for this person and purpose that still opens (not revoked, used or expired)."""
    return session.exec(
        select(SchoolLink).where(
            SchoolLink.student_id == student_id,
            SchoolLink.institution_id == school_id,
            SchoolLink.purpose == purpose.value,
            SchoolLink.email == email,
            col(SchoolLink.revoked_at).is_(None),
            col(SchoolLink.used_at).is_(None),
            col(SchoolLink.expires_at) > now,
        )
    ).first()


def ask(session: Session, services: Services, student: Person, school: Institution) -> bool:
    """Mail the school's contact person a link to answer, in the caller's transaction; False when the
    school side is off, nobody has an address, nothing awaits an answer, or an open link was sent."""
    settings = services.settings
    now = services.clock.now()
    if not settings.mail_enabled or student.id is None or school.id is None:
        return False
    contact = contact_of(session, student.id, school)
    awaiting = placements.awaiting_answer(session, student.id, school.id)
    if contact is None or not awaiting:
        return False
    t = Translator("nl", settings.timezone)
    asked = "\n".join(f"- {line}" for line in asked_lines(t, services, awaiting))
    purpose = Purpose.REQUEST_ANSWER
    if not _send(session, services, purpose, student, school, contact, "mail.request", activities=asked):
        return False
    if any(p.requested_on is None for p in awaiting):  # a link sent again is no new request
        placements.record_request(
            session, student.id, school.id, RequestChannel.EMAIL, now.astimezone(t.tz).date(), now=now
        )
    return True


def resend(session: Session, services: Services, student: Person, school: Institution) -> int:
    """Fresh links for this school's people (the student asked, from `/stage contacts`): the open ones are
    revoked, so only the newest works; how many mails were written. A mentor's evaluation link is the
    supervisor's to send again (`/stage evaluations`)."""
    if not services.settings.mail_enabled or student.id is None or school.id is None:
        return 0
    for purpose in (Purpose.REQUEST_ANSWER, Purpose.MENTOR_DETAILS):
        school_links.revoke(session, student.id, school.id, purpose, services.clock.now())
    return int(ask(session, services, student, school)) + ask_mentors(session, services, student, school)


def ask_mentors(session: Session, services: Services, student: Person, school: Institution) -> int:
    """Mail each mentor the student recorded with an address a link to confirm or correct their details
    (once per mentor while a link is open); how many were mailed."""
    if not services.settings.mail_enabled or student.id is None or school.id is None:
        return 0
    record = school_contacts.of_student(session, student.id).get(school.id)
    sent = 0
    for entry in school_contacts.mentors_of(record) if record else []:
        if entry.get("email"):
            person = Contact(entry.get("name", ""), entry["email"], entry.get("phone", ""))
            sent += _send(session, services, Purpose.MENTOR_DETAILS, student, school, person, "mail.mentor")
    return sent


def renew(session: Session, services: Services, link: SchoolLink) -> bool:
    """A fresh link for the person and purpose of an expired one; False when one is open already or
    there is nothing left to do (the request answered, the mentor no longer recorded)."""
    student = session.get_one(Person, link.student_id)
    school = session.get_one(Institution, link.institution_id)
    person = Contact(link.name, link.email)
    if not services.settings.mail_enabled:
        return False
    if link.purpose == Purpose.MENTOR_DETAILS:
        record = school_contacts.of_student(session, link.student_id).get(link.institution_id)
        if school_contacts.mentor(record, link.email) is None:
            return False
        return _send(session, services, Purpose.MENTOR_DETAILS, student, school, person, "mail.mentor")
    awaiting = placements.awaiting_answer(session, link.student_id, link.institution_id)
    if not awaiting:
        return False
    t = Translator("nl", services.settings.timezone)
    asked = "\n".join(f"- {line}" for line in asked_lines(t, services, awaiting))
    purpose = Purpose.REQUEST_ANSWER
    return _send(session, services, purpose, student, school, person, "mail.request", activities=asked)


def _send(
    session: Session, services: Services, purpose: Purpose, student: Person, school: Institution,
    person: Contact, texts: str, **params: str,
) -> bool:  # fmt: skip
    """Issue a link for this person and mail it (in Dutch, the programme's language: the school's people
    choose English on the page); False when an open link was sent to them already."""
    settings = services.settings
    now = services.clock.now()
    assert student.id is not None and school.id is not None
    if _open_link(session, purpose, student.id, school.id, person.email, now) is not None:
        return False
    link, token = school_links.issue(
        session, purpose, student.id, school.id, email=person.email, name=person.name,
        language="nl", now=now, lifetime=timedelta(days=settings.link_days),
    )  # fmt: skip
    t = Translator(link.language, settings.timezone)
    composed = mail.compose(
        t, texts, link=mail.Link(link_url(services, token), t(f"{texts}.link")),
        name=person.name or school_label(school), student=student.name, school=school_label(school),
        until=t.datetime(link.expires_at, "long"), **params,
    )  # fmt: skip
    mail.queue(session, school_links.mail_key(link.id or 0), person.email, composed)
    audit.log(
        session, now, "school_link.sent", actor_id=None, student_id=student.id,
        subject=f"institution:{school.id}", purpose=link.purpose, link=link.id,
    )  # fmt: skip
    return True
