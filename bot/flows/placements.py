"""What follows the school's answer to a placement request (step 4), whoever brings it in: the student in
Slack, or the school's contact person through their link. One code path, so the steps move the same way
and the same people hear of it: the student; on a refusal each supervisor (with "place again"); on an
acceptance without an agreement the coordinator."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.flows import start as start_notice
from bot.i18n import person_translator
from bot.services import Services
from bot.views import placements as views
from bot.views.agreements import start_request, uncovered_for_student
from bot.views.blocks import Block, section
from models import agreements, placements
from models.people import Person, Role, Student, people_with_role, supervisors_of
from models.schools import Institution

Message = tuple[Person, str, list[Block]]


def record(
    session: Session,
    services: Services,
    student: Person,
    school: Institution,
    accepted: bool,
    on: date,
    *,
    reason: str | None,
    now: datetime,
) -> tuple[list[Message], list[start_notice.Notice]] | None:
    """Record the answer in the caller's transaction; the messages to send and the "you may start" notices,
    or None when the same answer was recorded a moment ago (a second submission)."""
    assert student.id is not None and school.id is not None
    answered = placements.record_answer(session, student.id, school.id, accepted, on, reason=reason, now=now)
    if not answered:
        return None
    starts = start_notice.refresh(session, services, student.id, now)
    if accepted:
        return _after_acceptance(session, services, student, school), starts
    t = person_translator(student, services.settings.timezone)
    text = t("placements.answer.refused_noted", school=views.school_name(school))
    messages: list[Message] = [(student, text, [section(text)])]
    record_of = session.get_one(Student, student.id)
    for supervisor in {p.id: p for p in supervisors_of(session, student.id).values()}.values():
        st = person_translator(supervisor, services.settings.timezone)
        blocks = views.refused_for_supervisor(
            st, services.catalogue, answered, school, student, record_of, reason
        )
        messages.append((supervisor, st("placements.dm.refused_text"), blocks))
    return messages, starts


def _after_acceptance(
    session: Session, services: Services, student: Person, school: Institution
) -> list[Message]:
    """Accepted: is the student covered by an agreement there? If not, tell them and the coordinator."""
    t = person_translator(student, services.settings.timezone)
    covers = agreements.student_coverage(
        session, student.id or 0, placements.of_student(session, student.id or 0)
    )
    cover = next(c for c in covers if c.institution_id == school.id)
    if cover.covered:
        text = t("placements.answer.accepted_covered", school=views.school_name(school))
        blocks = [
            section(text),
            views.actions(
                views.button(
                    t("placements.contacts.record"), views.CONTACTS_ACTION, str(school.id), style="primary"
                )
            ),
        ]
        return [(student, text, blocks)]
    pending = cover.pending_framework is not None
    out: list[Message] = [
        (student, t("agreements.dm.student_missing_text"), uncovered_for_student(t, school, pending))
    ]
    if not pending:
        for coordinator in people_with_role(session, Role.COORDINATOR):
            ct = person_translator(coordinator, services.settings.timezone)
            out.append(
                (
                    coordinator,
                    ct("agreements.dm.coordinator_text"),
                    start_request(ct, school, [student.slack_user_id]),
                )
            )
    return out
