"""The mentor's evaluation between the models, the mail and Slack: inviting the mentor by mail once the
student's planning is approved, the supervisor's review of a submitted evaluation (a kind of the one
review, bot/flows/review.py), and what follows it.

The supervisor's "acknowledge" is also the release: the supervisor reads the evaluation in the review DM,
and acknowledging it shows it to the student (one click, no second step to forget). "Ask the mentor"
mails the question to the mentor with a fresh link to amend and submit again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.delivery import mail
from bot.delivery.notifier import send_dm
from bot.flows import review
from bot.flows.school_links import link_url, school_label
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import evaluations as views
from bot.views.blocks import Block
from models import audit, evaluations, placements, planning, school_contacts, school_links
from models.access import COHORT_READERS, may_review
from models.evaluations import Evaluation, Status
from models.people import Actor, Person, Student, supervised_by
from models.school_contacts import Contact
from models.school_links import Purpose, SchoolLink
from models.schools import Institution


def mentor_of(session: Session, evaluation: Evaluation) -> Contact | None:
    """Who evaluates: the first subject mentor the student recorded with an address, else the school
    mentor with one."""
    record = school_contacts.of_student(session, evaluation.student_id).get(evaluation.institution_id)
    for entry in school_contacts.mentors_of(record) if record else []:
        if entry.get("email"):
            return Contact(entry.get("name", ""), entry["email"], entry.get("phone", ""))
    return None


def open_link(session: Session, evaluation: Evaluation, now: datetime) -> SchoolLink | None:
    return session.exec(
        select(SchoolLink).where(
            SchoolLink.purpose == Purpose.EVALUATION.value,
            SchoolLink.record_id == evaluation.id,
            col(SchoolLink.revoked_at).is_(None),
            col(SchoolLink.used_at).is_(None),
            col(SchoolLink.expires_at) > now,
        )
    ).first()


def mail_link(
    session: Session, services: Services, evaluation: Evaluation, texts: str, *, key: str | None = None,
    **params: str,
) -> bool:  # fmt: skip
    """A fresh link for the evaluation's mentor, mailed with `texts` (in Dutch: the page offers English);
    the open links of this evaluation are revoked, so only the newest works."""
    settings = services.settings
    now = services.clock.now()
    person = mentor_of(session, evaluation)
    if not settings.mail_enabled or person is None or evaluation.id is None:
        return False
    school_links.revoke(
        session, evaluation.student_id, evaluation.institution_id, Purpose.EVALUATION, now,
        record_id=evaluation.id,
    )  # fmt: skip
    link, token = school_links.issue(
        session, Purpose.EVALUATION, evaluation.student_id, evaluation.institution_id, email=person.email,
        name=person.name, language="nl", now=now, lifetime=timedelta(days=settings.link_days),
        record_id=evaluation.id,
    )  # fmt: skip
    evaluation.mentor_name, evaluation.mentor_email = person.name, person.email
    evaluation.invited_at = evaluation.invited_at or now
    session.add(evaluation)
    student = session.get_one(Person, evaluation.student_id)
    school = session.get_one(Institution, evaluation.institution_id)
    t = Translator(link.language, settings.timezone)
    form = evaluations.forms()[evaluation.activity]
    composed = mail.compose(
        t, texts, link=mail.Link(link_url(services, token), t(f"{texts}.link")),
        name=person.name or school_label(school), student=student.name, school=school_label(school),
        form=form.title[t.language], until=t.datetime(link.expires_at, "long"), **params,
    )  # fmt: skip
    mail.queue(session, key or school_links.mail_key(link.id or 0), person.email, composed)
    audit.log(
        session, now, "school_link.sent", actor_id=None, student_id=evaluation.student_id,
        subject=f"evaluation:{evaluation.id}", purpose=link.purpose, link=link.id,
    )  # fmt: skip
    return True


def invite(session: Session, services: Services, evaluation: Evaluation) -> bool:
    """Mail the mentor the link to the form, unless a link is open already or nobody has an address."""
    if evaluation.status not in evaluations.EDITABLE:
        return False
    if open_link(session, evaluation, services.clock.now()) is not None:
        return False
    return mail_link(session, services, evaluation, "mail.evaluation")


def resend(session: Session, services: Services, evaluation: Evaluation) -> bool:
    """A fresh link (the supervisor asked): the open one stops working."""
    if evaluation.status not in evaluations.EDITABLE:
        return False
    return mail_link(session, services, evaluation, "mail.evaluation")


def resend_for(
    session: Session, services: Services, t: Translator, actor: Actor, value: str, now: datetime
) -> str:
    """The supervisor's "send the link again": the answer for them (sent to whom, or why not)."""
    evaluation = REVIEW.load(session, value)
    if evaluation is None or not may_review(session, actor, evaluation.student_id):
        return t("evaluation.review.not_allowed")
    if evaluation.status not in evaluations.EDITABLE:
        return t("evaluation.overview.resend_closed")
    if not resend(session, services, evaluation):
        return t("evaluation.overview.resend_none")
    audit.log(
        session, now, "evaluation.link_resent", actor_id=actor.person_id, student_id=evaluation.student_id,
        subject=f"evaluation:{evaluation.id}",
    )  # fmt: skip
    return t("evaluation.overview.resent", email=evaluation.mentor_email)


def overview(session: Session, services: Services, t: Translator, actor: Actor, now: datetime) -> list[Block]:
    """The open evaluations of the actor's students (the coordinator's and others who read the cohort:
    everyone's), oldest due first."""
    found = select(Evaluation).where(Evaluation.status != Status.ACKNOWLEDGED.value)
    if not actor.has(*COHORT_READERS):
        found = found.where(
            col(Evaluation.student_id).in_(select(Student.person_id).where(supervised_by(actor.person_id)))
        )
    rows = []
    for evaluation in session.exec(found).all():
        placement = session.get_one(placements.Placement, evaluation.placement_id)
        student = session.get_one(Person, evaluation.student_id)
        school = session.get_one(Institution, evaluation.institution_id)
        rows.append(
            (evaluation, student, school_label(school), evaluations.due_on(services.catalogue, placement))
        )
    rows.sort(key=lambda r: (r[3], r[1].name))
    return views.overview(t, rows, now.astimezone(t.tz).date())


def renew(session: Session, services: Services, link: SchoolLink) -> bool:
    """A fresh link for an expired one (asked from its page); False when one is open or nothing is left
    to fill in."""
    evaluation = session.get(Evaluation, link.record_id or 0)
    if evaluation is None or evaluation.status not in evaluations.EDITABLE:
        return False
    if open_link(session, evaluation, services.clock.now()) is not None:
        return False
    return mail_link(session, services, evaluation, "mail.evaluation")


def after_planning_approved(session: Session, services: Services, placement: placements.Placement) -> int:
    """The placement's evaluations exist from now on, and each mentor is mailed the form at once; how many
    mails were written."""
    evaluations.create_for(session, placement, services.clock.now())
    pending = session.exec(
        select(Evaluation).where(
            Evaluation.placement_id == placement.id, col(Evaluation.invited_at).is_(None)
        )
    ).all()
    return sum(invite(session, services, e) for e in pending)


def invite_pending(services: Services, client: WebClient, now: datetime) -> int:
    """The scheduler's tick: mentors not yet invited (no address at approval, or the school side was off)
    are mailed now; submitted evaluations whose review DM reached nobody are posted to the supervisor."""
    done = 0
    with services.db.session() as session:
        for evaluation in session.exec(select(Evaluation).where(col(Evaluation.invited_at).is_(None))).all():
            done += invite(session, services, evaluation)
        session.commit()
        waiting = session.exec(select(Evaluation).where(Evaluation.status == Status.SUBMITTED.value)).all()
        for evaluation in waiting:
            if not evaluation.review_messages:
                review.ask(services, client, session, REVIEW, evaluation)
                session.commit()
                done += 1
    if done:
        services.outbox.kick()
    return done


def forget_review_messages(session: Session) -> None:
    """A fresh workspace: submitted evaluations are posted to the supervisor again by the first tick."""
    review.forget_open_messages(session, Evaluation, col(Evaluation.status) == Status.SUBMITTED.value)


def submitted(session: Session, services: Services, client: WebClient, evaluation: Evaluation) -> None:
    """The mentor submitted: the supervisor's review DM (an outbox row of the caller's transaction)."""
    review.ask(services, client, session, REVIEW, evaluation)


# --- the supervisor's review (bot.flows.review) ----------------------------------------------------------


class EvaluationReview:
    """A submitted evaluation, reviewed by the supervisor who approves the placement's planning."""

    name = "evaluation"
    wire = views.REVIEW_WIRE
    closed_errors: tuple[type[Exception], ...] = ()

    def load(self, session: Session, value: str) -> Evaluation | None:
        return session.get(Evaluation, int(value)) if value.isdigit() else None

    def value_of(self, record: Evaluation) -> str:
        return str(record.id)

    def student_id(self, record: Evaluation) -> int:
        return record.student_id

    def may_decide(self, session: Session, actor: Actor, record: Evaluation) -> bool:
        return may_review(session, actor, record.student_id)

    def state(self, session: Session, record: Evaluation) -> review.State:
        if record.status == Status.SUBMITTED:
            return review.State(open=True)
        if record.decided_at is not None and record.status in (Status.ACKNOWLEDGED, Status.QUESTION):
            approved = record.status == Status.ACKNOWLEDGED
            return review.State(False, approved, record.decided_by_id, record.decided_at, record.question)
        return review.State(open=False, closed="evaluation.review.closed")

    def reviewers(self, services: Services, session: Session, record: Evaluation) -> list[Person]:
        placement = session.get_one(placements.Placement, record.placement_id)
        reviewer = planning.reviewer_of(session, services.catalogue, placement)
        return [reviewer] if reviewer is not None else []

    def message(
        self, services: Services, session: Session, record: Evaluation, t: Translator
    ) -> tuple[str, list[Block]]:
        student = session.get_one(Person, record.student_id)
        school = session.get_one(Institution, record.institution_id)
        text = t("evaluation.review.text", mentor=record.mentor_name, student=student.name)
        return text, views.review_message(t, record, student, school_label(school))

    def reason_intro(self, t: Translator, session: Session, record: Evaluation) -> str | None:
        return t("evaluation.question.intro", mentor=record.mentor_name or record.mentor_email)

    def decide(self, record: Evaluation, verdict: review.Verdict) -> None:
        if not evaluations.decide(
            verdict.session, record, acknowledged=verdict.approved, actor_id=verdict.actor_id,
            now=verdict.at, question=verdict.reason,
        ):  # fmt: skip
            raise review.Closed

    def follow_up(self, record: Evaluation, verdict: review.Verdict) -> None:
        """Acknowledged: the student sees the evaluation in a DM. A question: it goes to the mentor by mail
        with a fresh link, and the student hears nothing yet (it is between the supervisor and the mentor)."""
        services, session, client = verdict.services, verdict.session, verdict.client
        student = session.get_one(Person, record.student_id)
        if verdict.approved:
            t = person_translator(student, services.settings.timezone)
            text, blocks = views.released(t, record)
            send_dm(client, student.slack_user_id, text, blocks)
            return
        supervisor = session.get_one(Person, verdict.actor_id)
        key = f"mail:evaluation:{record.id}:question:{verdict.at.isoformat()}"
        mail_link(
            session, services, record, "mail.evaluation_question", key=key,
            question=verdict.reason or "", supervisor=supervisor.name,
        )  # fmt: skip


REVIEW = EvaluationReview()
