"""Step 2 between Slack and the models: fetch an upload after the ack, check it, store it, send it to review.

The slow part (files.info, the download) runs on the background pool with its own session. A transient
failure is retried; if it keeps failing the student is told and nothing is stored: the store writes whole
files only, and the database row is written after the content is safely on disk.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.delivery.outbox import bound
from bot.flows import review
from bot.i18n import Translator, person_translator
from bot.services import Services
from bot.views import documents as views
from bot.views.blocks import Block, escape
from models import audit, documents, free_text
from models.access import may_review
from models.document_checks import Refusal, check
from models.document_dates import expires_on
from models.document_store import DocumentStore, default_root
from models.documents import Document, DocumentLine, InternshipWindow
from models.people import Actor, Person, Role, people_with_role, supervisors_of

logger = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)  # waits between the attempts (three in all)
DOWNLOAD_TIMEOUT = 30.0
PERMANENT_ERRORS = frozenset(
    {"file_not_found", "file_deleted", "not_authed", "invalid_auth", "missing_scope", "access_denied"}
)


def store_of(services: Services) -> DocumentStore:
    settings = services.settings
    return DocumentStore(default_root(settings.documents_dir, settings.database_url))


def config() -> documents.DocumentConfig:
    return documents.load_document_config()


# --- fetching from Slack ---------------------------------------------------------------------------------


class FetchFailed(Exception):
    """`reason`: gone (Slack no longer has it), not_yours, too_large, or failed (kept failing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Transient(Exception):
    pass


def _with_retries(attempt: Any) -> Any:
    for wait in (*RETRY_DELAYS, None):
        try:
            return attempt()
        except _Transient as error:
            if wait is None:
                raise FetchFailed("failed") from error
            logger.info("retrying after a transient failure: %s", error)
            time.sleep(wait)
    raise AssertionError("unreachable")


def file_info(client: WebClient, file_id: str) -> dict[str, Any]:
    def attempt() -> dict[str, Any]:
        try:
            return dict(client.files_info(file=file_id)["file"])
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in PERMANENT_ERRORS:
                raise FetchFailed("gone") from error
            raise _Transient(code or "slack error") from error
        except OSError as error:  # connection refused, timeouts
            raise _Transient(str(error)) from error

    return _with_retries(attempt)


def download(url: str, token: str, max_bytes: int) -> bytes:
    # Slack's file URLs end in the file's name, which may carry spaces or any script: sent percent-encoded.
    url = urllib.parse.quote(url, safe=":/?&=%#@+,;~!$'()*[]")

    def attempt() -> bytes:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
                content = response.read(max_bytes + 1)
                expected = response.headers.get("Content-Length")
        except urllib.error.HTTPError as error:
            if error.code in (403, 404, 410):
                raise FetchFailed("gone") from error
            raise _Transient(f"HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise _Transient(str(error)) from error
        if len(content) > max_bytes:
            raise FetchFailed("too_large")
        if expected is not None and expected.isdigit() and int(expected) != len(content):
            raise _Transient("the download ended early")
        return bytes(content)

    return _with_retries(attempt)


# --- receiving an upload ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """An upload the student pointed at: which file, as which document, and where to answer."""

    student_id: int
    actor_id: int
    type_code: str
    file_id: str
    issue_date: date | None = None
    channel: str | None = None  # the student's DM, where the "checking" message stands
    message_ts: str | None = None
    filename: str | None = None  # as the student saw it, until files.info tells


def _tell(client: WebClient, slack_id: str, incoming: Incoming, text: str, blocks: list[Any]) -> None:
    """Replace the "checking" message when there is one, else write a new DM."""
    try:
        if incoming.channel and incoming.message_ts:
            client.chat_update(channel=incoming.channel, ts=incoming.message_ts, text=text, blocks=blocks)
        else:
            send_dm(client, slack_id, text, blocks)
    except SlackApiError as error:
        logger.warning("could not tell %s about their upload: %s", slack_id, error.response.get("error"))


def _log_refusal(services: Services, incoming: Incoming, type_code: str, reason: str) -> None:
    """Every upload refused (by its content, its size, its owner, or a fetch that kept failing) is in the
    audit log, though nothing changed: with the Slack file id, never the file's name."""
    with services.db.session() as session:
        audit.log(
            session,
            services.clock.now(),
            "document.refused",
            actor_id=incoming.actor_id,
            student_id=incoming.student_id,
            type=type_code,
            reason=reason,
            file=incoming.file_id,
        )


def receive(services: Services, client: WebClient, incoming: Incoming) -> None:
    """The background job: fetch, check, store, then ask the date or send the version to review."""
    cfg = config()
    doctype = cfg.type(incoming.type_code)
    with services.db.session() as session:
        student = session.get_one(Person, incoming.student_id)
    t = person_translator(student, services.settings.timezone)
    if doctype is None:
        return
    filename = incoming.filename or incoming.file_id
    try:
        info = file_info(client, incoming.file_id)
        if info.get("user") != student.slack_user_id:
            raise FetchFailed("not_yours")  # told without the file's name: it is someone else's
        filename = free_text.filename(str(info.get("name") or "")) or incoming.file_id
        if int(info.get("size") or 0) > doctype.max_bytes:
            raise FetchFailed("too_large")
        url = info.get("url_private_download") or info.get("url_private")
        if not url:
            raise FetchFailed("gone")
        content = download(str(url), client.token or "", doctype.max_bytes)
    except FetchFailed as failure:
        _log_refusal(services, incoming, doctype.code, failure.reason)
        if failure.reason == "too_large":
            text = views.refused_text(t, Refusal.TOO_LARGE, doctype, filename)
        else:
            text = t(f"documents.fetch.{failure.reason}", file=views.escape(filename))
        _tell(client, student.slack_user_id, incoming, text, [views.section(text)])
        return
    result = check(content, doctype.formats, doctype.max_bytes)
    if not result.ok:
        assert result.refusal is not None
        text = views.refused_text(t, result.refusal, doctype, filename)
        _log_refusal(services, incoming, doctype.code, result.refusal.value)
        _tell(client, student.slack_user_id, incoming, text, [views.section(text)])
        return
    assert result.kind is not None
    digest, _ = store_of(services).put(content)
    now = services.clock.now()
    upload = documents.Upload(
        student_id=incoming.student_id,
        type_code=doctype.code,
        sha256=digest,
        size=len(content),
        kind=result.kind,
        filename=filename,
        slack_file_id=incoming.file_id,
        academic_year=services.catalogue.academic_year,
        issue_date=incoming.issue_date,
        uploaded_by_id=incoming.actor_id,
    )
    with services.db.session() as session:
        outcome = documents.accept(session, cfg, upload, now, InternshipWindow.of(services.catalogue))
        document = outcome.document
        waiting = document.status == documents.DocumentStatus.AWAITING_REVIEW
        if outcome.repeat and waiting:
            reviewers = [r.slack_user_id for r in reviewers_of(session, cfg, document.student_id)]
    if outcome.repeat and waiting:
        # this very file came in a moment ago (two clicks at once, a job run again): the same answer as
        # then, and no second round of review messages
        blocks = views.received(t, doctype, document, reviewers)
        _tell(client, student.slack_user_id, incoming, t("documents.received_text"), blocks)
        return
    if not outcome.new and not (outcome.repeat and document.status == documents.DocumentStatus.AWAITING_DATE):
        blocks = views.duplicate(t, doctype, document)
        _tell(client, student.slack_user_id, incoming, t("documents.duplicate_text"), blocks)
        return
    if document.status == documents.DocumentStatus.AWAITING_DATE:
        blocks = views.ask_issue_date(t, document, doctype)
        _tell(client, student.slack_user_id, incoming, t("documents.ask_date_text"), blocks)
        return
    to_review(services, client, document.id or 0, incoming)


def to_review(
    services: Services,
    client: WebClient,
    document_id: int,
    incoming: Incoming | None,
    *,
    tell_student: bool = True,
) -> None:
    """The version to its reviewers (bot.flows.review), then "received, with X" to the student."""
    with services.db.session() as session, bound(client, session):
        document = session.get_one(Document, document_id)
        reviewers = review.ask(services, client, session, REVIEW, document)
        if not tell_student:
            return
        student = session.get_one(Person, document.student_id)
        doctype = config().type(document.type_code)
        assert doctype is not None
        t = person_translator(student, services.settings.timezone)
        blocks = views.received(t, doctype, document, [r.slack_user_id for r in reviewers])
        if incoming is None:
            incoming = Incoming(
                document.student_id, document.student_id, doctype.code, document.slack_file_id
            )
        _tell(client, student.slack_user_id, incoming, t("documents.received_text"), blocks)


def reviewers_of(session: Session, cfg: documents.DocumentConfig, student_id: int) -> list[Person]:
    """The student's supervisors (each once), or the coordinators when so configured or when none."""
    people: list[Person] = []
    if cfg.reviewer is documents.Reviewer.SUPERVISOR:
        for person in supervisors_of(session, student_id).values():
            if all(p.id != person.id for p in people):
                people.append(person)
    return people or people_with_role(session, Role.COORDINATOR)


def line_for(session: Session, document: Document, services: Services) -> DocumentLine:
    """How one version stands now (for the review message)."""
    doctype = config().type(document.type_code)
    assert doctype is not None
    decided = documents.decisions(session, [document.id or 0])
    today = services.clock.now().astimezone(ZoneInfo(services.settings.timezone)).date()
    single = documents.DocumentConfig((doctype,))
    return documents.lines(single, False, [document], decided, today)[0]


# --- the review (bot.flows.review) ----------------------------------------------------------------------


class DocumentReview:
    """A version of a document, reviewed by the student's supervisors (or the coordinators)."""

    name = "document"
    wire = views.REVIEW_WIRE
    closed_errors: tuple[type[Exception], ...] = (documents.NotOpenForDecision,)

    def load(self, session: Session, value: str) -> Document | None:
        return session.get(Document, int(value)) if value.isdigit() else None

    def value_of(self, record: Document) -> str:
        return str(record.id)

    def student_id(self, record: Document) -> int:
        return record.student_id

    def may_decide(self, session: Session, actor: Actor, record: Document) -> bool:
        return may_review(session, actor, record.student_id)

    def state(self, session: Session, record: Document) -> review.State:
        if record.status == documents.DocumentStatus.AWAITING_REVIEW:
            return review.State(open=True)
        decision = documents.decisions(session, [record.id or 0]).get(record.id or 0)
        if decision is not None:
            return review.State(
                False, decision.approved, decision.decided_by_id, decision.decided_at, decision.reason
            )
        if record.status == documents.DocumentStatus.SUPERSEDED:
            return review.State(open=False, closed="documents.review.superseded")
        return review.State(open=False, closed=f"documents.state.{record.status}")

    def reviewers(self, services: Services, session: Session, record: Document) -> list[Person]:
        return reviewers_of(session, config(), record.student_id)

    def message(
        self, services: Services, session: Session, record: Document, t: Translator
    ) -> tuple[str, list[Block]]:
        student = session.get_one(Person, record.student_id)
        line = line_for(session, record, services)
        blocks = views.review_message(t, student.slack_user_id, student.name, line)
        return t("documents.review.text", name=student.name), blocks

    def reason_intro(self, t: Translator, session: Session, record: Document) -> str | None:
        student = session.get_one(Person, record.student_id)
        doctype = config().type(record.type_code)
        label = doctype.label(t.language) if doctype else record.type_code
        return t("documents.reject.intro", type=label, name=escape(student.name))

    def decide(self, record: Document, verdict: review.Verdict) -> None:
        documents.decide(
            verdict.session, config(), record, approved=verdict.approved, reason=verdict.reason,
            actor_id=verdict.actor_id, now=verdict.at,
        )  # fmt: skip

    def follow_up(self, record: Document, verdict: review.Verdict) -> None:
        """The decision in the student's DM (with "upload again" when sent back)."""
        services, session = verdict.services, verdict.session
        student = session.get_one(Person, record.student_id)
        doctype = config().type(record.type_code)
        decision = documents.decisions(session, [record.id or 0]).get(record.id or 0)
        assert doctype is not None and decision is not None
        t = person_translator(student, services.settings.timezone)
        blocks = views.student_decision(t, doctype, record, decision, verdict.actor_slack_id)
        key = "documents.student.approved_text" if decision.approved else "documents.student.rejected_text"
        send_dm(verdict.client, student.slack_user_id, t(key, type=doctype.label(t.language)), blocks)


REVIEW = DocumentReview()


# --- what the checklist shows ----------------------------------------------------------------------------


def student_lines(session: Session, student_id: int, today: date) -> list[DocumentLine]:
    """The checklist's lines for one student, in one statement."""
    lio, own, decided = documents.student_documents(session, student_id)
    return documents.lines(config(), lio, own, decided, today)


def step_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    """STEP_DETAILS for step 2: one line per document (three queries). "Expired" is judged on the real
    date, since the checklist's providers get no clock."""
    return views.status_lines(t, student_lines(session, student_id, datetime.now(t.tz).date()))


# --- an approved extract that runs out -------------------------------------------------------------------


def ask_renewals(services: Services, client: WebClient, now: datetime) -> int:
    """Approved extracts that run out before the internships end: step 2 goes back and the student (with
    an upload button) and their supervisors hear it once. Marked and committed per version before the DMs,
    so a failing Slack never repeats them; returns how many versions."""
    cfg = config()
    window = InternshipWindow.of(services.catalogue)
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    with services.db.session() as session:
        due = [d.id for d in documents.renewals_due(session, cfg, today, window) if d.id is not None]
    for document_id in due:
        with services.db.session() as session:
            document = session.get_one(Document, document_id)
            if document.renewal_asked_at is not None:
                continue
            documents.ask_renewal(session, cfg, document, now)
            student = session.get_one(Person, document.student_id)
            reviewers = reviewers_of(session, cfg, document.student_id)
        _tell_renewal(services, client, document, student, reviewers, window.last, today)
    if due:
        logger.info("asked %d student(s) for a newer extract", len(due))
    return len(due)


def _tell_renewal(
    services: Services,
    client: WebClient,
    document: Document,
    student: Person,
    reviewers: list[Person],
    last: date | None,
    today: date,
) -> None:
    doctype = config().type(document.type_code)
    assert doctype is not None and document.issue_date is not None
    expires = expires_on(document.issue_date, doctype.max_age_months)
    t = person_translator(student, services.settings.timezone)
    blocks = views.renewal_for_student(t, doctype, document, expires, last, today)
    try:
        send_dm(client, student.slack_user_id, t("documents.renewal.student_text"), blocks)
    except SlackApiError as error:
        logger.warning("could not ask %s for a newer extract: %s", student.slack_user_id, error)
    for reviewer in reviewers:
        rt = person_translator(reviewer, services.settings.timezone)
        blocks = views.renewal_for_supervisor(
            rt, student.slack_user_id, student.name, doctype, expires, last, today
        )
        try:
            send_dm(
                client,
                reviewer.slack_user_id,
                rt("documents.renewal.supervisor_text", name=student.name),
                blocks,
            )
        except SlackApiError as error:
            logger.warning("could not tell %s of an extract to renew: %s", reviewer.slack_user_id, error)


# --- durable: the fetch survives a restart ----------------------------------------------------------------

RECEIVE_JOB = "documents.receive"


def receive_payload(incoming: Incoming) -> dict[str, Any]:
    payload = dataclasses.asdict(incoming)
    payload["issue_date"] = incoming.issue_date.isoformat() if incoming.issue_date else None
    return payload


def incoming_from(payload: dict[str, Any]) -> Incoming:
    issued = payload.get("issue_date")
    return Incoming(**(payload | {"issue_date": date.fromisoformat(issued) if issued else None}))


def receive_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of RECEIVE_JOB (registered with the others in handlers.register)."""
    receive(services, client, incoming_from(payload))
