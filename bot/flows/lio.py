"""LIO between Slack and the models: after an application (its proof through the documents feature) or a
reduction request, the study-path counsellors' review (bot.flows.review), posted when the request comes in
or later by the scheduler when it never reached anyone (the demo stores its application without Slack);
after the decision, the student and their supervisors are told."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.delivery.notifier import send_dm
from bot.delivery.outbox import bound
from bot.flows import documents as document_flow
from bot.flows import review
from bot.flows import start as start_notice
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import lio as views
from bot.views.blocks import Block, section
from models import documents, lio
from models.access import may_decide_lio
from models.lio import LioApplication, ReductionRequest, Request, RequestStatus
from models.people import Actor, Person, Role, Student, people_with_role, supervisors_of

logger = logging.getLogger(__name__)
GRACE = timedelta(minutes=10)
Reviewed = TypeVar("Reviewed", LioApplication, ReductionRequest)


def subjects_of(session: Session, student_id: int) -> tuple[str, str]:
    student = session.get_one(Student, student_id)
    return student.subject_x, student.subject_y


def current_proof(session: Session, student_id: int) -> documents.Document | None:
    """The student's proof that counts (not superseded), if any: the link between application and upload."""
    own = [d for d in documents.versions(session, student_id) if d.type_code == views.PROOF_TYPE]
    return documents.current(own).get(views.PROOF_TYPE)


def ask_pending(services: Services, client: WebClient, now: datetime) -> int:
    """Open requests whose review message reached no counsellor (Slack refused it, or it was stored
    without Slack): post it now; returns how many requests were asked about. A request younger than
    GRACE is left to the listener that is still fetching its proof."""
    asked = 0
    with services.db.session() as session:
        for request in _pending(session, LioApplication, now) + _pending(session, ReductionRequest, now):
            if request.review_messages:
                continue
            with bound(client, session):
                review.ask(services, client, session, REVIEW, request)
                session.commit()
            asked += 1
    return asked


def _pending(session: Session, model: type[Reviewed], now: datetime | None = None) -> list[Reviewed]:
    """Open requests of one kind, oldest first; with `now`, only those older than GRACE."""
    query = select(model).where(col(model.status) == RequestStatus.PENDING)
    if now is not None:
        query = query.where(col(model.submitted_at) < now - GRACE)
    return list(session.exec(query.order_by(col(model.id))).all())


def forget_review_messages(session: Session) -> None:
    """A new workspace starts with empty conversations: the open requests are asked about again."""
    for request in _pending(session, LioApplication) + _pending(session, ReductionRequest):
        if request.review_messages:
            request.review_messages = []
            session.add(request)


# --- after an application or a reduction request ---------------------------------------------------------


def after_apply(
    services: Services, client: WebClient, application_id: int, incoming: document_flow.Incoming | None
) -> None:
    """The background job: the proof through the documents feature, then the counsellors' review DMs and
    the student's receipt with what the rules say."""
    if incoming is not None:
        document_flow.receive(services, client, incoming)
    with services.db.session() as session, bound(client, session):
        application = session.get_one(LioApplication, application_id)
        if application.status != RequestStatus.PENDING:
            return  # replaced by a newer application while the proof came in
        student = session.get_one(Person, application.student_id)
        outcome = lio.assess(lio.load_lio_rules(), application.job())
        _ask(services, client, session, application)
        t = person_translator(student, services.settings.timezone)
        send_dm(
            client, student.slack_user_id, t("lio.submitted"), views.submitted(t, outcome, services.catalogue)
        )


AFTER_APPLY_JOB = "lio.after_apply"


def after_apply_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of AFTER_APPLY_JOB (listed in bot.flows.registry)."""
    incoming = payload.get("incoming")
    proof = document_flow.incoming_from(incoming) if incoming else None
    after_apply(services, client, int(payload["application_id"]), proof)


def after_reduction_request(services: Services, client: WebClient, request_id: int) -> None:
    with services.db.session() as session, bound(client, session):
        request = session.get_one(ReductionRequest, request_id)
        student = session.get_one(Person, request.student_id)
        _ask(services, client, session, request)
        t = person_translator(student, services.settings.timezone)
        text = t("lio.reduction.submitted")
        send_dm(client, student.slack_user_id, text, [section(text)])


def _ask(services: Services, client: WebClient, session: Session, request: Request) -> None:
    if not review.ask(services, client, session, REVIEW, request):
        logger.warning("no study-path counsellor could be asked about %s", request.subject)


# --- the counsellor's review (bot.flows.review) ------------------------------------------------------------


class LioReview:
    """An LIO application or a reduction request ("application:<id>", "reduction:<id>"), decided by the
    study-path counsellors."""

    name = "lio"
    wire = views.REVIEW_WIRE
    closed_errors: tuple[type[Exception], ...] = (lio.NotOpen,)

    def load(self, session: Session, value: str) -> Request | None:
        kind, _, number = value.partition(":")
        if not number.isdigit():
            return None
        if kind == "application":
            return session.get(LioApplication, int(number))
        return session.get(ReductionRequest, int(number)) if kind == "reduction" else None

    def value_of(self, record: Request) -> str:
        kind = "application" if isinstance(record, LioApplication) else "reduction"
        return views.review_value(kind, record.id or 0)

    def student_id(self, record: Request) -> int:
        return record.student_id

    def may_decide(self, session: Session, actor: Actor, record: Request) -> bool:
        return may_decide_lio(actor)

    def state(self, session: Session, record: Request) -> review.State:
        if record.status == RequestStatus.PENDING:
            return review.State(open=True)
        if record.status == RequestStatus.SUPERSEDED or record.decided_at is None:
            return review.State(open=False, closed="lio.review.superseded")
        approved = record.status == RequestStatus.APPROVED
        return review.State(False, approved, record.decided_by_id, record.decided_at, record.reason)

    def reviewers(self, services: Services, session: Session, record: Request) -> list[Person]:
        return people_with_role(session, Role.COUNSELLOR)

    def message(
        self, services: Services, session: Session, record: Request, t: Translator
    ) -> tuple[str, list[Block]]:
        rules = lio.load_lio_rules()
        student = session.get_one(Person, record.student_id)
        subjects = subjects_of(session, record.student_id)
        if isinstance(record, LioApplication):
            outcome = lio.assess(rules, record.job())
            proof = current_proof(session, record.student_id)
            blocks = views.application_review(
                t, student.slack_user_id, student.name, subjects, record, outcome, services.catalogue, proof
            )
            return t("lio.review.text", name=student.name), blocks
        application = session.get_one(LioApplication, record.application_id)
        outcome = lio.assess(rules, application.job())
        blocks = views.reduction_review(
            t, student.slack_user_id, student.name, subjects, record, application, outcome, services.catalogue
        )
        return t("lio.reduction.review.text", name=student.name), blocks

    def reason_intro(self, t: Translator, session: Session, record: Request) -> str | None:
        return None

    def decide(self, record: Request, verdict: review.Verdict) -> None:
        session = verdict.session
        if isinstance(record, LioApplication):
            lio.decide_application(
                session, lio.load_lio_rules(), record, approved=verdict.approved, reason=verdict.reason,
                actor_id=verdict.actor_id, now=verdict.at,
            )  # fmt: skip
            if verdict.approved:
                self._approve_proof(session, record.student_id, verdict)
        else:
            lio.decide_reduction(
                session, record, approved=verdict.approved, reason=verdict.reason, actor_id=verdict.actor_id,
                now=verdict.at,
            )  # fmt: skip

    @staticmethod
    def _approve_proof(session: Session, student_id: int, verdict: review.Verdict) -> None:
        """The counsellor judged the job with its proof in view: the proof waiting for the supervisor is
        approved with the application (audited as the counsellor's), so nobody reviews one file twice. An
        LIO student's step 2 asks the proof: it is recounted either way."""
        proof = current_proof(session, student_id)
        if proof is not None and proof.status == documents.DocumentStatus.AWAITING_REVIEW:
            documents.decide(
                session, document_flow.config(), proof, approved=True, reason=None, actor_id=verdict.actor_id,
                now=verdict.at,
            )  # fmt: skip
        documents.record_step(session, document_flow.config(), student_id, verdict.at)

    def follow_up(self, record: Request, verdict: review.Verdict) -> None:
        """The student and each of their supervisors (once) hear the decision and the outcome; then "you may
        start" where an exemption cleared a placement."""
        services, session, client = verdict.services, verdict.session, verdict.client
        starts = start_notice.refresh(session, services, record.student_id, verdict.at)
        kind = "application" if isinstance(record, LioApplication) else "reduction"
        student = session.get_one(Person, record.student_id)
        found = lio.standing(session, lio.load_lio_rules(), record.student_id)
        outcome = found.outcome if found else None
        t = person_translator(student, services.settings.timezone)
        blocks = views.decision_for_student(
            t, kind, verdict.approved, record.reason, verdict.actor_slack_id, verdict.at, outcome,
            services.catalogue,
        )  # fmt: skip
        send_dm(client, student.slack_user_id, t(f"lio.{kind}.text"), blocks)
        seen: set[int] = set()
        for supervisor in supervisors_of(session, record.student_id).values():
            if supervisor.id in seen:
                continue
            seen.add(supervisor.id or 0)
            st = person_translator(supervisor, services.settings.timezone)
            blocks = views.decision_for_supervisor(
                st, kind, verdict.approved, student.slack_user_id, student.name, outcome, services.catalogue
            )
            send_dm(
                client, supervisor.slack_user_id, st(f"lio.{kind}.supervisor.text", name=student.name), blocks
            )
        proof = current_proof(session, record.student_id) if verdict.approved else None
        if proof is not None and proof.review_messages:  # the supervisor's copy shows who approved it
            review.refresh(services, client, session, document_flow.REVIEW, proof)
        start_notice.send(client, starts)


REVIEW = LioReview()
