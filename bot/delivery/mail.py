"""E-mail to the school side: a mail is an outbox row, written with the change, sent by the outbox worker.

The row holds the finished mail (subject, text and HTML in the recipient's language), so what is sent is
what was decided at the moment of the change. Its Message-ID is derived from the row's key: a retried send
carries the same id, so a receiving server (or a person) can tell a second copy from a new mail.
"""

from __future__ import annotations

import hashlib
import html
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlmodel import Session

from bot.i18n import Translator
from models import outbox

METHOD = "mail.send"
TIMEOUT = 20.0  # seconds for one SMTP conversation
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError(
            f"not an SMTP address: {url!r} (write smtp://host:port, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465)"
        )
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as error:
        raise ValueError(f"the port in {url!r} is not a number") from error
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpTarget(parts.scheme, parts.hostname, port, user, password)


def where(url: str) -> str:
    """The server without its password, for logs and the doctor."""
    target = parse_smtp_url(url)
    return f"{target.scheme}://{target.host}:{target.port}"


def missing_settings(smtp_url: str | None, mail_from: str | None, public_url: str | None) -> list[str]:
    """What the school side still needs (empty: it is on)."""
    wanted = (
        ("STAGEBOT_SMTP_URL", smtp_url),
        ("STAGEBOT_MAIL_FROM", mail_from),
        ("STAGEBOT_PUBLIC_URL", public_url),
    )
    return [name for name, value in wanted if not value]


def probe(url: str, timeout: float) -> str:
    """Say hello to the server (and log in when the address names a user); what it is, or an error."""
    with _connect(url, timeout) as smtp:
        smtp.noop()
    user = parse_smtp_url(url).user
    return where(url) + (f" as {user}" if user else "")


def _connect(url: str, timeout: float) -> smtplib.SMTP:
    """A connection that is encrypted as the address says and logged in when it names a user."""
    target = parse_smtp_url(url)
    smtp: smtplib.SMTP
    if target.scheme == "smtps":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=timeout)
    try:
        if target.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if target.user:
            smtp.login(target.user, target.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def message_id(key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "stagebot.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


# --- writing a mail -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def compose(t: Translator, key: str, *, link: Link | None = None, **params: Any) -> dict[str, str]:
    """Subject, text and HTML from the catalogue entries `key.subject` and `key.body` (paragraphs separated
    by a blank line), with the link as a button in HTML and as a plain address in the text."""
    subject = t(f"{key}.subject", **params)
    paragraphs = [p.strip() for p in t(f"{key}.body", **params).split("\n\n") if p.strip()]
    closing = t("mail.closing")
    text = "\n\n".join(paragraphs)
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    if link is not None:
        text += f"\n\n{link.label}:\n{link.url}"
        body += (
            f'<p><a href="{html.escape(link.url)}" style="display:inline-block;padding:.6em 1.2em;'
            f'background:#1d4f91;color:#fff;text-decoration:none;border-radius:4px">'
            f"{html.escape(link.label)}</a></p>"
            f'<p style="font-size:small;color:#555">{html.escape(link.url)}</p>'
        )
    text += f"\n\n-- \n{closing}\n"
    page = (
        f'<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        f'<body style="font-family:sans-serif;max-width:40em">{body}'
        f'<p style="color:#555">{html.escape(closing)}</p></body></html>'
    )
    return {"subject": subject, "text": text, "html": page, "language": t.language}


def queue(session: Session, key: str, to: str, mail: dict[str, str]) -> bool:
    """The mail as an outbox row in the caller's transaction; False when this key was queued before. The
    lane is the address, so one person's mails arrive in order. Due at once in real time (the outbox's
    time, not the bot's clock that a demo moves)."""
    return outbox.enqueue(session, key, to.lower(), METHOD, {"to": to, **mail}, datetime.now(UTC))


# --- sending --------------------------------------------------------------------------------------------


def build(payload: dict[str, Any], sender: str, key: str, now: datetime) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = str(payload["to"])
    mail["Subject"] = str(payload["subject"])
    mail["Date"] = formatdate(now.timestamp(), localtime=False)
    mail["Message-ID"] = message_id(key, sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(str(payload["text"]))
    mail.add_alternative(str(payload["html"]), subtype="html")
    mail["Content-Language"] = str(payload.get("language") or "nl")  # after the body: set_content drops it
    return mail


def send(url: str, sender: str, payload: dict[str, Any], key: str, now: datetime) -> dict[str, Any]:
    """One SMTP conversation. smtplib's errors are left to the caller, which knows what a retry is."""
    target = parse_smtp_url(url)
    mail = build(payload, sender, key, now)
    smtp: smtplib.SMTP
    if target.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            target.host, target.port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT)
    with smtp:
        if target.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if target.user:
            smtp.login(target.user, target.password or "")
        smtp.send_message(mail)
    return {"message_id": mail["Message-ID"]}


def smtp_code(error: Exception) -> int | None:
    """The SMTP reply code behind an smtplib error (the first refused recipient's), or None."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return int(next(iter(error.recipients.values()))[0])
    if isinstance(error, smtplib.SMTPResponseException):
        return int(error.smtp_code)
    return None
