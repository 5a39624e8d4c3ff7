"""The one review, whatever is reviewed (a document, a planning, an LIO request, a mentor's evaluation).

Its life: the submission reaches each reviewer as a DM with Approve / Send back (`ask`); sending back asks a
reason in a modal; the first decision counts, also when two reviewers click at the same moment (the kind's
`decide` changes the record's state only if it is still open, in a savepoint, and the loser hears who was
first); then every reviewer's copy shows the decision instead of the buttons, and the follow-ups (telling the
submitter, what the decision unblocks) are written as outbox rows in the decision's own transaction, so they
leave exactly once, after the commit. Refused attempts are in the audit log.

A kind says what it reviews by implementing `ReviewKind`; the kinds are listed in bot/flows/registry.py,
and `handlers/review.py` gives every kind the same listeners. The record keeps its reviewers' messages in
a `review_messages` column: [[channel, ts, person id], ...].
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import decision as views
from bot.views.blocks import Block
from models import audit
from models.people import Actor, Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """A reviewer's decision, and the transaction it is recorded in (whose client sends as outbox rows)."""

    approved: bool
    reason: str | None
    actor_id: int
    actor_slack_id: str
    at: datetime
    services: Services
    session: Session
    client: WebClient


@dataclass(frozen=True)
class State:
    """Where a record stands for its reviewers: open, decided (by whom, when, why), or closed otherwise
    (a newer version replaced it; then `closed` is the line to show)."""

    open: bool
    approved: bool | None = None
    by_id: int | None = None
    at: datetime | None = None
    reason: str | None = None
    closed: str | None = None  # an i18n key


class Closed(Exception):
    """The record was no longer open when the decision came: someone decided first, or it was replaced."""


class ReviewKind(Protocol):
    """What one kind of review knows; the life cycle is this module's."""

    name: str  # in the reason modal's metadata, and the audit's "<name>.decision_refused"
    wire: views.Wire  # the buttons' and the reason modal's ids and texts
    closed_errors: tuple[type[Exception], ...]  # what the kind's model raises when the record is not open

    def load(self, session: Session, value: str) -> Any | None:
        """The record a button's value names, or None."""
        ...

    def value_of(self, record: Any) -> str:
        """The buttons' value for this record."""
        ...

    def student_id(self, record: Any) -> int: ...

    def may_decide(self, session: Session, actor: Actor, record: Any) -> bool: ...

    def state(self, session: Session, record: Any) -> State: ...

    def reviewers(self, services: Services, session: Session, record: Any) -> list[Person]: ...

    def message(
        self, services: Services, session: Session, record: Any, t: Translator
    ) -> tuple[str, list[Block]]:
        """The review DM's text and blocks without its last block (the buttons, or what became of them)."""
        ...

    def reason_intro(self, t: Translator, session: Session, record: Any) -> str | None:
        """The line above the reason field (what is being sent back), if any."""
        ...

    def decide(self, record: Any, verdict: Verdict) -> None:
        """Record the decision (the model writes its audit entry); raise Closed or one of closed_errors when
        the record is not open any more."""
        ...

    def follow_up(self, record: Any, verdict: Verdict) -> None:
        """What follows the decision: the steps it moves, telling the submitter and whoever needs to know."""
        ...


# --- drawing ---------------------------------------------------------------------------------------------


def _slack_ids(session: Session, ids: list[int]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    rows = session.exec(select(Person.id, Person.slack_user_id).where(col(Person.id).in_(wanted))).all()
    return {int(pid or 0): slack for pid, slack in rows}


def state_block(t: Translator, session: Session, kind: ReviewKind, record: Any) -> Block:
    """The buttons while open; once decided, who decided and when (and why); else why it closed."""
    state = kind.state(session, record)
    if state.open:
        return views.review_buttons(
            t, kind.wire.approve_action, kind.wire.send_back_action, kind.value_of(record)
        )
    if state.approved is not None and state.at is not None:
        who = _slack_ids(session, [state.by_id or 0]).get(state.by_id or 0, "")
        return views.decided(t, approved=state.approved, by_slack_id=who, at=state.at, reason=state.reason)
    return views.closed(t, state.closed or "decision.closed")


def draw(
    services: Services, session: Session, kind: ReviewKind, record: Any, viewer: Person
) -> tuple[str, list[Block]]:
    t = person_translator(viewer, services.settings.timezone)
    text, blocks = kind.message(services, session, record, t)
    return text, [*blocks, state_block(t, session, kind, record)]


def already(t: Translator, session: Session, kind: ReviewKind, record: Any) -> str:
    """For whoever clicks after the decision: what it was, by whom and when."""
    state = kind.state(session, record)
    if state.approved is not None and state.at is not None:
        who = _slack_ids(session, [state.by_id or 0]).get(state.by_id or 0)
        return views.already(t, approved=state.approved, by_slack_id=who, at=state.at)
    return t("decision.already", decision=t(state.closed or "decision.closed"))


# --- the life cycle --------------------------------------------------------------------------------------


def ask(
    services: Services, client: WebClient, session: Session, kind: ReviewKind, record: Any
) -> list[Person]:
    """DM each reviewer the record with the buttons and remember the messages (once per record: a second
    call, say a replayed job, asks nobody again). Returns the reviewers."""
    reviewers = kind.reviewers(services, session, record)
    if record.review_messages:
        return reviewers
    posted: list[list[Any]] = []
    for reviewer in reviewers:
        text, blocks = draw(services, session, kind, record, reviewer)
        try:
            sent = client.chat_postMessage(channel=reviewer.slack_user_id, text=text, blocks=blocks)
        except SlackApiError as error:
            logger.warning("review DM to %s refused: %s", reviewer.slack_user_id, error.response.get("error"))
            continue
        posted.append([str(sent["channel"]), str(sent["ts"]), reviewer.id])
    record.review_messages = posted
    session.add(record)
    return reviewers


def refresh(services: Services, client: WebClient, session: Session, kind: ReviewKind, record: Any) -> None:
    """Every reviewer's copy as the record stands now: after a decision nobody can click it twice."""
    messages = list(record.review_messages or [])
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(col(Person.id).in_([int(m[2]) for m in messages if len(m) > 2]))
        )
    }
    for channel, ts, *rest in messages:
        viewer = people.get(int(rest[0])) if rest else None
        if viewer is None:
            continue
        text, blocks = draw(services, session, kind, record, viewer)
        try:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as error:
            logger.warning("could not update review message %s: %s", ts, error.response.get("error"))


def check(
    t: Translator, session: Session, actor: Actor, kind: ReviewKind, value: str, attempted: str, now: datetime
) -> tuple[Any | None, str | None]:
    """The record if this actor may decide it now; else the text that says why not (refusals are audited)."""
    record = kind.load(session, value)
    if record is None or not kind.may_decide(session, actor, record):
        refused = kind.name + ".decision_refused"
        audit.log(
            session,
            now,
            refused,
            actor_id=actor.person_id,
            student_id=kind.student_id(record) if record is not None else None,
            subject=f"{kind.name}:{value}"[:128],
            attempted=attempted,
        )
        return None, t(kind.wire.not_allowed)
    if not kind.state(session, record).open:
        return None, already(t, session, kind, record)
    return record, None


def decide(
    services: Services,
    client: WebClient,
    session: Session,
    t: Translator,
    actor: Actor,
    kind: ReviewKind,
    value: str,
    *,
    approved: bool,
    reason: str | None,
    now: datetime,
) -> str | None:
    """Decide once, in the caller's transaction, with the copies redrawn and the follow-ups queued.
    Returns the text for the clicker when the decision was not theirs to take (or already taken)."""
    record, refusal = check(t, session, actor, kind, value, "approve" if approved else "reject", now)
    if record is None:
        return refusal
    verdict = Verdict(approved, reason, actor.person_id, actor.slack_user_id, now, services, session, client)
    closed: tuple[type[Exception], ...] = (IntegrityError, Closed, *kind.closed_errors)
    try:
        with session.begin_nested():
            kind.decide(record, verdict)
    except closed:
        session.expire_all()
        record = kind.load(session, value)
        return already(t, session, kind, record) if record is not None else t(kind.wire.not_allowed)
    refresh(services, client, session, kind, record)
    kind.follow_up(record, verdict)
    return None


def reason_modal(t: Translator, session: Session, kind: ReviewKind, record: Any) -> dict[str, Any]:
    wire = kind.wire
    return views.reason_modal(
        t,
        callback_id=wire.reason_callback,
        metadata=f"{kind.name}|{kind.value_of(record)}",
        title=t(wire.key("title")),
        label=t(wire.key("reason")),
        submit=t(wire.key("submit")),
        intro=kind.reason_intro(t, session, record),
        max_length=kind.wire.max_reason,
    )


def forget_open_messages(session: Session, model: Any, open_filter: Any) -> None:
    """A fresh workspace starts with empty conversations: open records are asked about again."""
    for record in session.exec(select(model).where(open_filter)).all():
        if record.review_messages:
            record.review_messages = []
            session.add(record)
