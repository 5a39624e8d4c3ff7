"""The study-path counsellors' review message of an LIO application or a reduction request: posted to
each counsellor when the request comes in (or later, by the scheduler, when it never reached anyone: the
demo stores its application without Slack), and rebuilt once someone decided."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, col, select

from bot.i18n import person_translator
from bot.services import Services
from bot.views import lio as views
from models import documents, lio
from models.lio import LioApplication, ReductionRequest, Request, RequestStatus
from models.people import Person, Role, Student, people_with_role

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


def review_blocks(
    services: Services, session: Session, request: Request, viewer: Person, decider_slack_id: str | None
) -> tuple[str, list[Any]]:
    rt = person_translator(viewer, services.settings.timezone)
    rules = lio.load_lio_rules()
    student = session.get_one(Person, request.student_id)
    subjects = subjects_of(session, request.student_id)
    if isinstance(request, LioApplication):
        outcome = lio.assess(rules, request.job())
        blocks = views.application_review(
            rt,
            student.slack_user_id,
            student.name,
            subjects,
            request,
            outcome,
            services.catalogue,
            current_proof(session, request.student_id),
            decider_slack_id,
        )
        return rt("lio.review.text", name=student.name), blocks
    application = session.get_one(LioApplication, request.application_id)
    outcome = lio.assess(rules, application.job())
    blocks = views.reduction_review(
        rt,
        student.slack_user_id,
        student.name,
        subjects,
        request,
        application,
        outcome,
        services.catalogue,
        decider_slack_id,
    )
    return rt("lio.reduction.review.text", name=student.name), blocks


def ask_counsellors(
    services: Services, client: WebClient, session: Session, request: Request, student: Person
) -> None:
    """Each counsellor's review DM, remembered so a decision replaces its buttons; once per request."""
    if request.review_messages:
        return
    posted: list[list[Any]] = []
    for counsellor in people_with_role(session, Role.COUNSELLOR):
        text, blocks = review_blocks(services, session, request, counsellor, None)
        try:
            channel = client.conversations_open(users=counsellor.slack_user_id)["channel"]["id"]
            ts = client.chat_postMessage(channel=channel, text=text, blocks=blocks)["ts"]
            posted.append([channel, str(ts), counsellor.id])
        except SlackApiError as error:
            logger.warning(
                "LIO review DM to %s refused: %s", counsellor.slack_user_id, error.response.get("error")
            )
    if not posted:
        logger.warning("no study-path counsellor could be asked about %s", request.subject)
    lio.remember_review_messages(session, request, posted)


def ask_pending(services: Services, client: WebClient, now: datetime) -> int:
    """Open requests whose review message reached no counsellor (Slack refused it, or it was stored
    without Slack): post it now; returns how many requests were asked about. A request younger than
    GRACE is left to the listener that is still fetching its proof."""
    asked = 0
    with services.db.session() as session:
        for request in _pending(session, LioApplication, now) + _pending(session, ReductionRequest, now):
            if request.review_messages:
                continue
            student = session.get_one(Person, request.student_id)
            ask_counsellors(services, client, session, request, student)
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
