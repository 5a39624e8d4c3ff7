"""Opening a stored document: a link for one person, and the download behind it.

The link lives ten minutes, names its person and opens once: when it is opened, access is checked again,
the link is used up and the opening is written to the audit log. A second opening (a double click, a
viewer asking again, someone the link was passed to) gets a page saying a new link is needed. Contents are
never cached by the browser; the file's name is sent in RFC 6266 form, so any script survives.
"""

from __future__ import annotations

import html
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session

from bot.flows.documents import store_of
from bot.i18n import translator
from bot.services import Services
from bot.web import signed_links
from models import audit, free_text, used_links
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


PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}


def _refusal(
    services: Services, person: Person | None, status: int, key: str, language: str | None = None
) -> Download:
    """A small page in the reader's language (the person's own, else the browser's): what happened, and
    what to do."""
    chosen = person.language if person else language
    locale = person.slack_locale if person else None
    t = translator(chosen, locale, services.settings.timezone)
    page = (
        f'<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t('documents.page.title'))}</title></head>"
        '<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em">'
        f"<h1>{html.escape(t(key + '.heading'))}</h1><p>{html.escape(t(key))}</p></body></html>"
    )
    return Download(status, page.encode(), dict(PAGE_HEADERS))


def content_disposition(name: str, kind: str) -> str:
    """`attachment` with the name twice (RFC 6266): an ASCII stand-in, and the UTF-8 name
    percent-encoded; control and direction characters removed from both."""
    default = f"document.{kind}"
    utf8 = free_text.filename(name).replace('"', "") or default
    fallback = free_text.ascii_filename(utf8, default)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(utf8, safe='')}"


def open_document(services: Services, token: str, language: str | None = None) -> Download:
    """The download behind a link; `language` is the browser's, for a page to someone the link does not
    name."""
    now = services.clock.now()
    secret = services.settings.slack_signing_secret or ""
    grant = signed_links.verify(secret, token, now)
    if grant is None or grant.kind != LINK_KIND:
        return _refusal(services, None, 403, "documents.open.expired", language)
    with services.db.session() as session:
        return _serve(services, session, grant)


def _audit_refusal(session: Session, now: datetime, action: str, actor_id: int, document: Document) -> None:
    """Who tried to open what, without the content: the audit of every refused download."""
    audit.log(
        session, now, action, actor_id=actor_id, student_id=document.student_id, subject=document.subject
    )


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
            _audit_refusal(session, now, "document.open_refused", grant.person_id, document)
        return _refusal(services, person, 403, "documents.open.not_allowed")
    expires = datetime.fromtimestamp(grant.expires, UTC)
    if not used_links.claim(session, grant.nonce, now, expires):
        _audit_refusal(session, now, "document.link_reused", actor.person_id, document)
        return _refusal(services, person, 410, "documents.open.used")
    content = None if document.purged_at else store_of(services).read(document.sha256)
    if content is None:
        return _refusal(services, person, 410, "documents.open.gone")
    headers = {
        "Content-Type": MIMETYPES.get(document.kind, "application/octet-stream"),
        "Content-Disposition": content_disposition(document.filename, document.kind),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    audit.log(
        session,
        now,
        "document.opened",
        actor_id=actor.person_id,
        student_id=document.student_id,
        subject=document.subject,
    )
    return Download(200, content, headers)
