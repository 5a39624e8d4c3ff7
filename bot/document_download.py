"""Opening a stored document: a link for one person, and the download behind it.

The link lives ten minutes and names its person; when it is opened, access is checked again and the
opening is written to the audit log. Contents are never cached by the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot import signed_links
from bot.document_flow import store_of
from bot.i18n import translator
from bot.services import Services
from models import audit
from models.access import may_get_document
from models.documents import Document
from models.people import Actor, Person, resolve_actor

LINK_KIND = "document"
PATH = "/documents/"
MIMETYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Download:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def link_for(services: Services, actor: Actor, document: Document) -> str | None:
    """None when the bot has no public address to serve downloads from (STAGEBOT_PUBLIC_URL)."""
    settings = services.settings
    if not settings.public_url or not settings.slack_signing_secret or document.id is None:
        return None
    token = signed_links.sign(
        settings.slack_signing_secret, LINK_KIND, document.id, actor.person_id, services.clock.now()
    )
    return settings.public_url.rstrip("/") + PATH + token


def _refusal(services: Services, person: Person | None, status: int, key: str) -> Download:
    language = person.language if person else None
    locale = person.slack_locale if person else None
    text = translator(language, locale, services.settings.timezone)(key)
    return Download(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def open_document(services: Services, token: str) -> Download:
    now = services.clock.now()
    secret = services.settings.slack_signing_secret or ""
    grant = signed_links.verify(secret, token, now)
    if grant is None or grant.kind != LINK_KIND:
        return _refusal(services, None, 403, "documents.open.expired")
    with services.db.session() as session:
        return _serve(services, session, grant)


def _serve(services: Services, session: Session, grant: signed_links.Grant) -> Download:
    now = services.clock.now()
    document = session.get(Document, grant.ident)
    person = session.get(Person, grant.person_id)
    actor = resolve_actor(session, person.slack_user_id) if person else None
    if (
        document is None
        or actor is None
        or not may_get_document(session, actor, document.student_id, document.type_code)
    ):
        if document is not None:
            audit.log(
                session,
                now,
                "document.open_refused",
                actor_id=grant.person_id,
                student_id=document.student_id,
                subject=document.subject,
            )
        return _refusal(services, person, 403, "documents.open.not_allowed")
    content = None if document.purged_at else store_of(services).read(document.sha256)
    if content is None:
        return _refusal(services, person, 410, "documents.open.gone")
    audit.log(
        session,
        now,
        "document.opened",
        actor_id=actor.person_id,
        student_id=document.student_id,
        subject=document.subject,
    )
    filename = document.filename.replace('"', "").replace("\\", "") or f"document.{document.kind}"
    return Download(
        200,
        content,
        {
            "Content-Type": MIMETYPES.get(document.kind, "application/octet-stream"),
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
