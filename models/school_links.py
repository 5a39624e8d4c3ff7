"""Links instead of accounts: a page for one person of the school, one purpose and one record.

The link's token is random (unguessable) and only its hash is stored, so the database alone opens
nothing. A link runs out after a while, is revoked when the person it names is replaced, and a form
behind it is submitted once: the first submission marks the link used, a replay finds it used.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from models import once
from models.db import AwareDateTime
from models.outbox import OutboxMessage, OutboxState


class Purpose(StrEnum):
    REQUEST_ANSWER = "request.answer"  # the contact person answers the placement request (step 4)
    MENTOR_DETAILS = "mentor.details"  # a mentor confirms or corrects their own contact details (step 6)
    EVALUATION = "evaluation"  # a mentor fills in the evaluation of one activity (models/evaluations.py)


class SchoolLink(SQLModel, table=True):
    __tablename__ = "school_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=32)
    student_id: int = Field(foreign_key="student.person_id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id")
    email: str = Field(max_length=200, description="the person the link is for")
    name: str = Field(default="", max_length=200)
    language: str = Field(default="nl", max_length=8)
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    record_id: int | None = Field(default=None, description="the record of its purpose, e.g. the evaluation")

    @property
    def record(self) -> str:
        """What the link is about, as the page's form names it."""
        own = f":{self.record_id}" if self.record_id is not None else ""
        return f"{self.purpose}:{self.student_id}:{self.institution_id}{own}"


class Unusable(StrEnum):
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"


def mail_key(link_id: int) -> str:
    """The outbox key of the mail that carries a link: one mail per link."""
    return f"mail:link:{link_id}"


def undelivered(session: Session, student_id: int) -> dict[int, list[tuple[str, str]]]:
    """Per school, the addresses whose link mail the server refused for good, with its reason: the
    student sees them beside the school's people and can correct the address and send again."""
    links = session.exec(
        select(SchoolLink).where(SchoolLink.student_id == student_id, col(SchoolLink.revoked_at).is_(None))
    ).all()
    by_key = {mail_key(link.id or 0): link for link in links}
    if not by_key:
        return {}
    failed = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.key).in_(sorted(by_key)), OutboxMessage.state == OutboxState.FAILED.value
        )
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for row in failed:
        link = by_key[row.key]
        found.setdefault(link.institution_id, []).append((link.email, row.last_error or ""))
    return found


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unusable(link: SchoolLink, now: datetime) -> Unusable | None:
    """Why the link opens nothing any more (revoked first: that is what the person should hear)."""
    if link.revoked_at is not None:
        return Unusable.REVOKED
    if link.used_at is not None:
        return Unusable.USED
    if now >= link.expires_at:
        return Unusable.EXPIRED
    return None


def issue(
    session: Session,
    purpose: Purpose,
    student_id: int,
    institution_id: int,
    *,
    email: str,
    name: str,
    language: str,
    now: datetime,
    lifetime: timedelta,
    record_id: int | None = None,
) -> tuple[SchoolLink, str]:
    """A new link in the caller's transaction; returns it with its token (never stored as such)."""
    token = secrets.token_urlsafe(32)
    link = SchoolLink(
        token_hash=digest(token), purpose=purpose.value, student_id=student_id, institution_id=institution_id,
        email=email, name=name, language=language, created_at=now, expires_at=now + lifetime,
        record_id=record_id,
    )  # fmt: skip
    session.add(link)
    session.flush()
    return link, token


def find(session: Session, token: str) -> SchoolLink | None:
    if not token or len(token) > 100:
        return None
    return session.exec(select(SchoolLink).where(SchoolLink.token_hash == digest(token))).first()


def use(session: Session, link: SchoolLink, now: datetime) -> bool:
    """Mark the link used; False when another submission did it first (run it first in its transaction)."""
    return once.transition(session, link, "used_at", None, used_at=now)


def revoke(
    session: Session,
    student_id: int,
    institution_id: int,
    purpose: Purpose,
    now: datetime,
    *,
    keep: frozenset[str] = frozenset(),
    record_id: int | None = None,
) -> int:
    """Revoke the open links of this record (of one evaluation, when `record_id` names it), but those for the
    addresses in `keep` (who stays)."""
    statement = update(SchoolLink).where(
        col(SchoolLink.student_id) == student_id,
        col(SchoolLink.institution_id) == institution_id,
        col(SchoolLink.purpose) == purpose.value,
        col(SchoolLink.revoked_at).is_(None),
        col(SchoolLink.used_at).is_(None),
    )
    if keep:
        statement = statement.where(col(SchoolLink.email).not_in(sorted(keep)))
    if record_id is not None:
        statement = statement.where(col(SchoolLink.record_id) == record_id)
    done = session.execute(statement.values(revoked_at=now).execution_options(synchronize_session=False))
    return int(done.rowcount)  # type: ignore[attr-defined]  # CursorResult
