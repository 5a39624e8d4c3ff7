"""Reminders for the school side, by mail, run by the daily sweep: a mentor whose evaluation is due (N days
after the period ends, the catalogue's `evaluation_due_days`) and a contact person who has not answered a
request mailed 5 working days ago (`request_answer_after_working_days`) each get one mail with a fresh
link; each supervisor hears in one DM who is missing. The rules are models/reminder_plan.py's; each
reminder is a reminder row with its unique key, written with its mail in one transaction, so nothing is
mailed twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.delivery.notifier import send_dm
from bot.flows import evaluations as evaluation_flow
from bot.flows import school_links as school_request
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views.blocks import escape, section
from bot.views.placements import activity_name
from models import evaluations, placements, planning, reminders, school_links
from models.evaluations import Evaluation
from models.people import Person
from models.placements import Answer, Placement, RequestChannel
from models.reminder_plan import SCHOOL_RECIPIENT, SchoolWait, request_answer_due, school_items
from models.school_links import Purpose
from models.schools import Institution

KINDS = ("school_evaluation", "school_request", "school_evaluation_missing", "school_request_missing")


def _reviewer(session: Session, services: Services, placement: Placement) -> tuple[str, ...]:
    reviewer = planning.reviewer_of(session, services.catalogue, placement)
    return (reviewer.slack_user_id,) if reviewer is not None else ()


def waits(session: Session, services: Services) -> list[SchoolWait]:
    """What the school side owes now, with the day each is late from."""
    found = []
    open_states = [s.value for s in evaluations.EDITABLE]
    for evaluation in session.exec(
        select(Evaluation).where(
            col(Evaluation.status).in_(open_states), col(Evaluation.invited_at).is_not(None)
        )
    ):
        placement = session.get_one(Placement, evaluation.placement_id)
        due = evaluations.due_on(services.catalogue, placement)
        found.append(
            SchoolWait(
                "evaluation", f"evaluation:{evaluation.id}", due, _reviewer(session, services, placement)
            )
        )
    requested = session.exec(
        select(Placement).where(
            Placement.answer == Answer.PENDING.value,
            Placement.request_channel == RequestChannel.EMAIL.value,
            col(Placement.requested_on).is_not(None),
            Placement.status == placements.PlacementStatus.ACTIVE.value,
        )
    ).all()
    seen: set[str] = set()
    for placement in requested:
        subject = f"request:{placement.student_id}:{placement.institution_id}"
        if subject in seen or placement.requested_on is None:
            continue
        seen.add(subject)
        due = request_answer_due(placement.requested_on, services.catalogue.reminders)
        found.append(SchoolWait("request", subject, due, _reviewer(session, services, placement)))
    return found


def remind(services: Services, session: Session, today: date, now: datetime) -> int:
    """Write today's school-side mails and the supervisors' DMs with their reminder rows (the caller
    commits); how many reminders were written."""
    rules = services.catalogue.reminders
    sent = reminders.sent_keys(session, today - timedelta(days=3650), always=KINDS)
    items = school_items(waits(session, services), sent, rules, today)
    if not items:
        return 0
    missing: dict[str, list[str]] = defaultdict(list)
    done = []
    for item in items:
        kind, _, rest = item.subject.partition(":")
        if item.recipient == SCHOOL_RECIPIENT:
            if kind == "evaluation":
                record = session.get(Evaluation, int(rest))
                key = f"mail:evaluation:{rest}:reminder:{item.due.isoformat()}"
                if record is None or not evaluation_flow.mail_link(
                    session, services, record, "mail.evaluation_reminder", key=key
                ):
                    continue
            else:
                student_id, _, school_id = rest.partition(":")
                student = session.get_one(Person, int(student_id))
                school = session.get_one(Institution, int(school_id))
                school_links.revoke(session, int(student_id), int(school_id), Purpose.REQUEST_ANSWER, now)
                if not school_request.ask(session, services, student, school):
                    continue
        else:
            missing[item.recipient].append(item.subject)
        done.append(item.key)
    client = services.outbox.client(f"school-reminders:{today.isoformat()}")
    with client.bind(session):
        for slack_id, subjects in missing.items():
            person = session.exec(select(Person).where(Person.slack_user_id == slack_id)).first()
            if person is None:
                continue
            t = person_translator(person, services.settings.timezone)
            lines = [_line(session, t, subject) for subject in subjects]
            text = t("school_reminder.missing")
            send_dm(client, slack_id, text, [section(text), section("\n".join(lines)[:2900])])
    reminders.record_sent(session, done, now, commit=False)
    return len(done)


def _line(session: Session, t: Translator, subject: str) -> str:
    kind, _, rest = subject.partition(":")
    if kind == "evaluation":
        evaluation = session.get_one(Evaluation, int(rest))
        student = session.get_one(Person, evaluation.student_id)
        school = session.get_one(Institution, evaluation.institution_id)
        return "• " + t(
            "school_reminder.evaluation", student=f"<@{student.slack_user_id}>",
            mentor=escape(evaluation.mentor_name or evaluation.mentor_email),
            activity=escape(activity_name(t, evaluation.activity)), school=escape(school.name),
        )  # fmt: skip
    student_id, _, school_id = rest.partition(":")
    student = session.get_one(Person, int(student_id))
    school = session.get_one(Institution, int(school_id))
    return "• " + t(
        "school_reminder.request", student=f"<@{student.slack_user_id}>", school=escape(school.name)
    )
