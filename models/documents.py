"""Step 2: the documents every student uploads once, their versions, the reviewers' decisions, retention.

The document types are configuration (catalogues/documents.yaml). Every upload is a new version row;
nothing is overwritten, so the history of versions and decisions stays. The contents live in the
document store (by hash); this module only keeps the metadata, the hash and the decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Column, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, once, progress
from models.catalogue import Catalogue
from models.db import AwareDateTime, Database
from models.document_checks import FileKind
from models.document_dates import add_months, expires_before, expires_on
from models.document_store import DocumentStore
from models.people import Student

DEFAULT_DOCUMENT_TYPES = Path(__file__).parent / "catalogues" / "documents.yaml"
MAX_REASON_LENGTH = 1000


# --- configuration ---------------------------------------------------------------------------------------


class RequiredFor(StrEnum):
    ALL = "all"
    LIO = "lio"
    NOT_LIO = "not_lio"


class Reviewer(StrEnum):
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: dict[str, str]
    required_for: RequiredFor = RequiredFor.ALL
    formats: frozenset[FileKind] = frozenset(FileKind)
    max_bytes: int = 10 * 1024 * 1024
    needs_issue_date: bool = False
    max_age_months: int = 12

    def label(self, language: str) -> str:
        return self.name.get(language) or self.name.get("en") or self.code

    def required(self, lio: bool) -> bool:
        return (
            self.required_for is RequiredFor.ALL
            or (self.required_for is RequiredFor.LIO and lio)
            or (self.required_for is RequiredFor.NOT_LIO and not lio)
        )


@dataclass(frozen=True)
class DocumentConfig:
    types: tuple[DocumentType, ...]
    reviewer: Reviewer = Reviewer.SUPERVISOR
    retention_months: int = 12
    year_end: tuple[int, int] = (9, 30)

    def type(self, code: str) -> DocumentType | None:
        return next((t for t in self.types if t.code == code), None)

    def required_types(self, lio: bool) -> list[DocumentType]:
        return [t for t in self.types if t.required(lio)]


class DocumentConfigError(ValueError):
    """The document configuration is wrong; the message names the entry and the reason."""


def parse_document_config(text: str, source: str = "<documents>") -> DocumentConfig:
    def fail(reason: str) -> DocumentConfigError:
        return DocumentConfigError(f"{source}: {reason}")

    root = yaml.safe_load(text)
    if not isinstance(root, dict) or not isinstance(root.get("types"), list) or not root["types"]:
        raise fail("needs a non-empty 'types' list")
    try:
        reviewer = Reviewer(root.get("reviewer", "supervisor"))
        month, day = (int(part) for part in str(root.get("academic_year_ends", "09-30")).split("-"))
        date(2000, month, day)
        retention = int(root.get("retention_months", 12))
    except ValueError as error:
        raise fail(f"reviewer, retention_months or academic_year_ends: {error}") from error
    types: list[DocumentType] = []
    for index, node in enumerate(root["types"], start=1):
        if not isinstance(node, dict) or not node.get("code") or not isinstance(node.get("name"), dict):
            raise fail(f"type {index} needs a code and a name with nl and en")
        where = f"type {node['code']!r}"
        if not {"nl", "en"} <= node["name"].keys():
            raise fail(f"{where}: name needs nl and en")
        named = [str(f).lower() for f in node.get("formats", ["pdf", "jpeg", "png"])]
        unknown = [f for f in named if f not in {k.value for k in FileKind}]
        if unknown:
            raise fail(f"{where}: unknown formats {', '.join(unknown)} (use pdf, jpeg, png)")
        try:
            formats = frozenset(FileKind(f) for f in named)
            required_for = RequiredFor(node.get("required_for", "all"))
            max_mb = float(node.get("max_mb", 10))
            max_age = int(node.get("max_age_months", 12))
        except ValueError as error:
            raise fail(f"{where}: {error}") from error
        if not formats or max_mb <= 0 or max_age <= 0:
            raise fail(f"{where}: formats must not be empty, max_mb and max_age_months must be positive")
        types.append(
            DocumentType(
                code=str(node["code"]),
                name={k: str(v) for k, v in node["name"].items()},
                required_for=required_for,
                formats=formats,
                max_bytes=int(max_mb * 1024 * 1024),
                needs_issue_date=bool(node.get("issue_date", False)),
                max_age_months=max_age,
            )
        )
    if len({t.code for t in types}) != len(types):
        raise fail("two types have the same code")
    return DocumentConfig(tuple(types), reviewer, retention, (month, day))


@cache
def load_document_config(path: Path = DEFAULT_DOCUMENT_TYPES) -> DocumentConfig:
    return parse_document_config(Path(path).read_text(encoding="utf-8"), str(path))


# --- tables ----------------------------------------------------------------------------------------------


class DocumentStatus(StrEnum):
    AWAITING_DATE = "awaiting_date"  # an extract whose issue date the student has not given yet
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # replaced by a newer upload before anyone decided


class Document(SQLModel, table=True):
    """One uploaded version of one document of one student."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("student_id", "type_code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="person.id", index=True)
    type_code: str = Field(max_length=32)
    version: int
    status: str = Field(max_length=20)
    sha256: str = Field(max_length=64, index=True)
    size: int
    kind: str = Field(max_length=8, description="the type read from the content: pdf, jpeg, png")
    filename: str = Field(max_length=255)
    slack_file_id: str = Field(max_length=32)
    academic_year: str = Field(max_length=9)
    issue_date: date | None = None
    expires_too_soon: bool = Field(default=False, description="runs out before the last internship day")
    uploaded_at: datetime = Field(sa_type=AwareDateTime)
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id")
    purged_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    renewal_asked_at: datetime | None = Field(
        default=None, sa_type=AwareDateTime, description="an approved extract no longer covers: asked anew"
    )
    review_messages: list[Any] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="[[channel, ts], ...]"
    )

    @property
    def subject(self) -> str:
        return f"document:{self.id}"


class DocumentDecision(SQLModel, table=True):
    """A reviewer's decision; one per version (the unique key makes a double click one decision)."""

    __tablename__ = "document_decision"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", unique=True)
    approved: bool
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime = Field(sa_type=AwareDateTime)


# --- what a student has ----------------------------------------------------------------------------------


class LineState(StrEnum):
    """What the checklist shows per document: keys `documents.state.<value>`."""

    MISSING = "missing"
    AWAITING_DATE = "awaiting_date"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    RENEW = "renew"  # approved, but runs out soon before the last internship day: a newer one is asked


@dataclass(frozen=True)
class DocumentLine:
    type: DocumentType
    state: LineState
    document: Document | None = None
    decision: DocumentDecision | None = None
    expires: date | None = None
    expires_too_soon: bool = False  # runs out before the last internship day


@dataclass(frozen=True)
class InternshipWindow:
    """The first and last internship day of the academic year (from the catalogue)."""

    first: date | None
    last: date | None

    @classmethod
    def of(cls, catalogue: Catalogue) -> InternshipWindow:
        periods = [p for course in catalogue.courses for p in course.periods]
        if not periods:
            return cls(None, None)
        return cls(min(p.start for p in periods), max(p.end for p in periods))


def versions(session: Session, student_id: int) -> list[Document]:
    """Every version of every document of the student, oldest first."""
    return list(
        session.exec(
            select(Document)
            .where(Document.student_id == student_id)
            .order_by(col(Document.type_code), col(Document.version))
        )
    )


def decisions(session: Session, document_ids: Iterable[int]) -> dict[int, DocumentDecision]:
    ids = list(document_ids)
    if not ids:
        return {}
    rows = session.exec(select(DocumentDecision).where(col(DocumentDecision.document_id).in_(ids)))
    return {row.document_id: row for row in rows}


def student_documents(
    session: Session, student_id: int
) -> tuple[bool, list[Document], dict[int, DocumentDecision]]:
    """(is LIO, every version oldest first, decisions by document id) in one statement."""
    rows = session.exec(
        select(Student.lio, Document, DocumentDecision)
        .select_from(Student)
        .join(Document, col(Document.student_id) == col(Student.person_id), isouter=True)
        .join(DocumentDecision, col(DocumentDecision.document_id) == col(Document.id), isouter=True)
        .where(Student.person_id == student_id)
        .order_by(col(Document.type_code), col(Document.version))
    ).all()
    lio = bool(rows and rows[0][0])
    own = [document for _, document, _ in rows if document is not None]
    decided = {decision.document_id: decision for _, _, decision in rows if decision is not None}
    return lio, own, decided


def current(documents: Iterable[Document]) -> dict[str, Document]:
    """Per type the newest version that counts (a superseded one never does)."""
    found: dict[str, Document] = {}
    for document in documents:
        if document.status == DocumentStatus.SUPERSEDED:
            continue
        if document.type_code not in found or document.version > found[document.type_code].version:
            found[document.type_code] = document
    return found


def lines(
    config: DocumentConfig,
    lio: bool,
    documents: list[Document],
    decided: dict[int, DocumentDecision],
    today: date,
) -> list[DocumentLine]:
    """One line per required type, then any other type the student uploaded."""
    latest = current(documents)
    shown = [t for t in config.types if t.required(lio) or t.code in latest]
    result = []
    for doctype in shown:
        document = latest.get(doctype.code)
        if document is None:
            result.append(DocumentLine(doctype, LineState.MISSING))
            continue
        expires = None
        if doctype.needs_issue_date and document.issue_date is not None:
            expires = expires_on(document.issue_date, doctype.max_age_months)
        state = LineState(document.status)
        if state is LineState.APPROVED and expires is not None and expires < today:
            state = LineState.EXPIRED
        elif state is LineState.APPROVED and document.renewal_asked_at is not None:
            state = LineState.RENEW
        decision = decided.get(document.id) if document.id is not None else None
        result.append(DocumentLine(doctype, state, document, decision, expires, document.expires_too_soon))
    return result


def step_state(config: DocumentConfig, lio: bool, documents: list[Document]) -> progress.StepState:
    """Sent back when a current version was rejected or an approved extract must be renewed; done when
    every required one is approved; awaiting review when every required one is in; in progress otherwise."""
    latest = current(documents)
    required = [latest.get(t.code) for t in config.required_types(lio)]
    statuses = {d.status for d in latest.values()}
    if DocumentStatus.REJECTED in statuses or any(needs_renewal(d) for d in latest.values()):
        return progress.StepState.SENT_BACK
    if all(d is not None and d.status == DocumentStatus.APPROVED for d in required):
        return progress.StepState.DONE
    waiting = (DocumentStatus.AWAITING_REVIEW, DocumentStatus.APPROVED)
    if all(d is not None and d.status in waiting for d in required):
        return progress.StepState.AWAITING_REVIEW
    return progress.StepState.IN_PROGRESS


def needs_renewal(document: Document) -> bool:
    """An approved version the scheduler found no longer covering the internships (see renewal_due)."""
    return document.status == DocumentStatus.APPROVED and document.renewal_asked_at is not None


def is_lio(session: Session, student_id: int) -> bool:
    student = session.get(Student, student_id)
    return bool(student and student.lio)


def record_step(session: Session, config: DocumentConfig, student_id: int, now: datetime) -> None:
    session.flush()
    state = step_state(config, is_lio(session, student_id), versions(session, student_id))
    progress.record(session, student_id, progress.Step.DOCUMENTS, state, now)


# --- changes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A checked file, ready to become a version."""

    student_id: int
    type_code: str
    sha256: str
    size: int
    kind: FileKind
    filename: str
    slack_file_id: str
    academic_year: str
    issue_date: date | None
    uploaded_by_id: int


@dataclass(frozen=True)
class UploadOutcome:
    document: Document
    new: bool  # False: the same file was already received (`document` is that earlier version)
    repeat: bool = False  # this very Slack file was received before (a second click, a retried job)


def accept(
    session: Session, config: DocumentConfig, upload: Upload, now: datetime, window: InternshipWindow
) -> UploadOutcome:
    """A new version, unless this exact file is already the current one or already came in by Slack.

    A version still waiting for a date or a review is superseded by the new one (its review buttons then
    answer that a newer version exists). Run it first in its transaction: two uploads of one type at the
    same moment both want the next version number, the database lets one have it, and the other's
    transaction is rolled back and looks again (finding the same file received, or taking the next one).
    """
    try:
        return _accept(session, config, upload, now, window)
    except IntegrityError:
        session.rollback()
        return _accept(session, config, upload, now, window)


def _accept(
    session: Session, config: DocumentConfig, upload: Upload, now: datetime, window: InternshipWindow
) -> UploadOutcome:
    doctype = config.type(upload.type_code)
    if doctype is None:
        raise ValueError(f"unknown document type {upload.type_code!r}")
    own = [d for d in versions(session, upload.student_id) if d.type_code == upload.type_code]
    latest = current(own)
    for earlier in own:
        if earlier.slack_file_id == upload.slack_file_id and earlier.sha256 == upload.sha256:
            return UploadOutcome(earlier, new=False, repeat=True)
    same = latest.get(upload.type_code)
    if same is not None and same.sha256 == upload.sha256:
        return UploadOutcome(same, new=False)
    for earlier in own:
        if earlier.status in (DocumentStatus.AWAITING_DATE, DocumentStatus.AWAITING_REVIEW):
            earlier.status = DocumentStatus.SUPERSEDED
            session.add(earlier)
    needs_date = doctype.needs_issue_date and upload.issue_date is None
    document = Document(
        student_id=upload.student_id,
        type_code=upload.type_code,
        version=max((d.version for d in own), default=0) + 1,
        status=DocumentStatus.AWAITING_DATE if needs_date else DocumentStatus.AWAITING_REVIEW,
        sha256=upload.sha256,
        size=upload.size,
        kind=upload.kind.value,
        filename=upload.filename[:255],
        slack_file_id=upload.slack_file_id,
        academic_year=upload.academic_year,
        issue_date=upload.issue_date,
        expires_too_soon=_too_soon(doctype, upload.issue_date, window),
        uploaded_at=now,
        uploaded_by_id=upload.uploaded_by_id,
    )
    session.add(document)
    session.flush()
    audit.log(
        session,
        now,
        "document.uploaded",
        actor_id=upload.uploaded_by_id,
        student_id=upload.student_id,
        subject=document.subject,
        type=upload.type_code,
        version=document.version,
        sha256=upload.sha256,
    )
    record_step(session, config, upload.student_id, now)
    return UploadOutcome(document, new=True)


def _too_soon(doctype: DocumentType, issued: date | None, window: InternshipWindow) -> bool:
    return issued is not None and expires_before(issued, doctype.max_age_months, window.last)


def set_issue_date(
    session: Session,
    config: DocumentConfig,
    document: Document,
    issued: date,
    actor_id: int,
    now: datetime,
    window: InternshipWindow,
) -> None:
    """The extract's date is known: it goes to review."""
    doctype = config.type(document.type_code)
    document.issue_date = issued
    document.expires_too_soon = doctype is not None and _too_soon(doctype, issued, window)
    document.status = DocumentStatus.AWAITING_REVIEW
    session.add(document)
    audit.log(
        session,
        now,
        "document.issue_date",
        actor_id=actor_id,
        student_id=document.student_id,
        subject=document.subject,
        issue_date=issued.isoformat(),
    )
    record_step(session, config, document.student_id, now)


def awaiting_date(session: Session, student_id: int) -> Document | None:
    """The student's newest extract still waiting for its issue date."""
    return session.exec(
        select(Document)
        .where(Document.student_id == student_id, Document.status == DocumentStatus.AWAITING_DATE)
        .order_by(col(Document.id).desc())
    ).first()


class NotOpenForDecision(Exception):
    """Someone decided already, or a newer version replaced this one."""

    def __init__(self, document: Document, decision: DocumentDecision | None) -> None:
        super().__init__(document.status)
        self.document = document
        self.decision = decision


def decide(
    session: Session,
    config: DocumentConfig,
    document: Document,
    *,
    approved: bool,
    reason: str | None,
    actor_id: int,
    now: datetime,
) -> DocumentDecision:
    """Approve or send back a version waiting for review. The caller checked models.access first.

    Of two reviewers at the same moment the database lets one decide (run it first in its transaction);
    the other gets NotOpenForDecision with the decision that was taken."""
    status = DocumentStatus.APPROVED if approved else DocumentStatus.REJECTED
    if document.status != DocumentStatus.AWAITING_REVIEW or not once.transition(
        session, document, "status", DocumentStatus.AWAITING_REVIEW.value, status=status.value
    ):
        raise NotOpenForDecision(document, decisions(session, [document.id or 0]).get(document.id or 0))
    decision = DocumentDecision(
        document_id=document.id or 0,
        approved=approved,
        reason=(reason or "").strip()[:MAX_REASON_LENGTH] or None,
        decided_by_id=actor_id,
        decided_at=now,
    )
    session.add(decision)
    audit.log(
        session,
        now,
        "document.approved" if approved else "document.rejected",
        actor_id=actor_id,
        student_id=document.student_id,
        subject=document.subject,
        type=document.type_code,
        version=document.version,
    )
    record_step(session, config, document.student_id, now)
    return decision


def remember_review_messages(session: Session, document: Document, messages: list[tuple[str, str]]) -> None:
    document.review_messages = [list(m) for m in messages]
    session.add(document)


# --- an approved extract that runs out --------------------------------------------------------------------

RENEWAL_NOTICE_DAYS = 30  # asked this long before it runs out: time enough to get a new one from the commune


def renewal_due(expires: date, today: date, window: InternshipWindow) -> bool:
    """A new extract is needed once this one runs out (or will within the notice period) while internship
    days remain after it. Without a catalogue window: only once it has run out."""
    if window.last is None:
        return expires < today
    if today > window.last or expires >= window.last:
        return False
    return (expires - today).days < RENEWAL_NOTICE_DAYS


def renewals_due(
    session: Session, config: DocumentConfig, today: date, window: InternshipWindow
) -> list[Document]:
    """The current approved extracts not yet asked anew whose renewal is due (two queries)."""
    dated = {t.code: t for t in config.types if t.needs_issue_date}
    if not dated:
        return []
    rows = session.exec(
        select(Document).where(
            col(Document.type_code).in_(list(dated)),
            Document.status == DocumentStatus.APPROVED.value,
            col(Document.renewal_asked_at).is_(None),
            col(Document.issue_date).is_not(None),
        )
    )
    due = []
    for document in rows:
        doctype = dated[document.type_code]
        assert document.issue_date is not None
        if renewal_due(expires_on(document.issue_date, doctype.max_age_months), today, window):
            due.append(document)
    if not due:
        return []
    newest = session.exec(
        select(Document.student_id, Document.type_code, func.max(Document.version))
        .where(
            col(Document.student_id).in_({d.student_id for d in due}),
            Document.status != DocumentStatus.SUPERSEDED.value,
        )
        .group_by(col(Document.student_id), col(Document.type_code))
    ).all()
    latest = {(student, code): version for student, code, version in newest}
    return [d for d in due if latest.get((d.student_id, d.type_code)) == d.version]


def ask_renewal(session: Session, config: DocumentConfig, document: Document, now: datetime) -> None:
    """Mark the version (so the student is asked once) and move step 2 back, in one transaction."""
    document.renewal_asked_at = now
    session.add(document)
    audit.log(
        session,
        now,
        "document.renewal_asked",
        actor_id=None,
        student_id=document.student_id,
        subject=document.subject,
        type=document.type_code,
        version=document.version,
    )
    record_step(session, config, document.student_id, now)


# --- retention -------------------------------------------------------------------------------------------


def academic_year_end(academic_year: str, config: DocumentConfig) -> date:
    """'2026-2027' ends on the configured day of 2027."""
    last_year = int(academic_year.split("-")[-1])
    month, day = config.year_end
    return date(last_year, month, day)


def keep_until(academic_year: str, config: DocumentConfig) -> date:
    """The last day a document's content is kept."""
    return add_months(academic_year_end(academic_year, config), config.retention_months)


def due_for_purge(session: Session, config: DocumentConfig, today: date) -> list[Document]:
    """Versions whose content is still stored past its retention period."""
    candidates = session.exec(select(Document).where(col(Document.purged_at).is_(None)))
    return [d for d in candidates if keep_until(d.academic_year, config) < today]


def hashes_still_kept(session: Session, hashes: set[str]) -> set[str]:
    """Of these hashes, those another version still needs (its content is not purged)."""
    if not hashes:
        return set()
    rows = session.exec(
        select(Document.sha256).where(col(Document.sha256).in_(hashes), col(Document.purged_at).is_(None))
    )
    return set(rows)


def mark_purged(session: Session, documents: list[Document], now: datetime) -> None:
    for document in documents:
        document.purged_at = now
        session.add(document)
        audit.log(
            session,
            now,
            "document.purged",
            actor_id=None,
            student_id=document.student_id,
            subject=document.subject,
        )


ORPHAN_GRACE = timedelta(days=1)  # an upload stores its content before its row: never touch a fresh file


@dataclass(frozen=True)
class PurgeResult:
    versions: int
    files: int
    unreferenced: int = 0  # contents (and interrupted writes) no version refers to, older than the grace


def referenced(session: Session, hashes: Iterable[str]) -> set[str]:
    """Of these hashes, those any version (purged or not) refers to; in chunks, a few queries."""
    wanted, found = sorted(set(hashes)), set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found |= set(session.exec(select(Document.sha256).where(col(Document.sha256).in_(chunk))))
    return found


def unreferenced(
    database: Database, store: DocumentStore, now: datetime, grace: timedelta = ORPHAN_GRACE
) -> tuple[list[str], list[Path]]:
    """Contents no version refers to (written before a database write failed) and temporary files of an
    interrupted write, both last modified longer than `grace` ago."""
    cutoff = (now - grace).timestamp()
    old = {digest for digest, modified in store.contents() if modified < cutoff}
    with database.session() as session:
        orphans = sorted(old - referenced(session, old))
    temporary = [p for p in store.leftovers() if p.stat().st_mtime < cutoff]
    return orphans, temporary


def purge(
    database: Database, store: DocumentStore, config: DocumentConfig, now: datetime, *, dry_run: bool = False
) -> PurgeResult:
    """Delete the contents past retention; the rows (decision, hash) stay, marked purged.

    The rows are marked and committed first, then the files go: a crash in between leaves a file that a
    next run removes, never a row pointing at content that silently vanished. A content still needed by
    another version (the same file uploaded again later) is kept. Contents no version refers to go too,
    once older than the grace period (an upload writes its content a moment before its row).
    """
    orphans, temporary = unreferenced(database, store, now)
    with database.session() as session:
        due = due_for_purge(session, config, now.date())
        hashes = {d.sha256 for d in due}
        if dry_run:
            return PurgeResult(len(due), len(hashes), len(orphans) + len(temporary))
        mark_purged(session, due, now)
        session.flush()
        hashes -= hashes_still_kept(session, hashes)
        purged_before = session.exec(
            select(Document.sha256).where(col(Document.purged_at).is_not(None))
        ).all()
        hashes |= set(purged_before) - hashes_still_kept(session, set(purged_before))
    deleted = sum(1 for digest in hashes if store.delete(digest))
    swept = sum(1 for digest in orphans if store.delete_if_older(digest, now - ORPHAN_GRACE))
    for path in temporary:
        path.unlink(missing_ok=True)
    return PurgeResult(len(due), deleted, swept + len(temporary))
