"""Asking the school by mail: once a placement is made and the school's contact person has an e-mail
address, the contact person gets a mail with a link to answer the request (step 4) without an account.

One link per request and person: placing a second activity at the same school while the first link is
still open sends nothing new. The request counts as made by e-mail on the day the mail is written.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from bot import mail
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


def _open_link(session: Session, student_id: int, school_id: int, email: str) -> SchoolLink | None:
    return session.exec(
        select(SchoolLink).where(
            SchoolLink.student_id == student_id,
            SchoolLink.institution_id == school_id,
            SchoolLink.purpose == Purpose.REQUEST_ANSWER.value,
            SchoolLink.email == email,
            col(SchoolLink.revoked_at).is_(None),
            col(SchoolLink.used_at).is_(None),
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
    existing = _open_link(session, student.id, school.id, contact.email)
    if existing is not None and now < existing.expires_at:
        return False
    link, token = school_links.issue(
        session, Purpose.REQUEST_ANSWER, student.id, school.id, email=contact.email, name=contact.name,
        language="nl", now=now, lifetime=timedelta(days=settings.link_days),
    )  # fmt: skip
    t = Translator(link.language, settings.timezone)
    composed = mail.compose(
        t, "mail.request", link=mail.Link(link_url(services, token), t("mail.request.link")),
        name=contact.name or school_label(school), student=student.name, school=school_label(school),
        activities="\n".join(f"- {line}" for line in asked_lines(t, services, awaiting)),
        until=t.datetime(link.expires_at, "long"),
    )  # fmt: skip
    mail.queue(session, f"mail:link:{link.id}", contact.email, composed)
    placements.record_request(
        session, student.id, school.id, RequestChannel.EMAIL, now.astimezone(t.tz).date(), now=now
    )
    audit.log(
        session, now, "school_link.sent", actor_id=None, student_id=student.id,
        subject=f"institution:{school.id}", purpose=link.purpose, link=link.id,
    )  # fmt: skip
    return True
