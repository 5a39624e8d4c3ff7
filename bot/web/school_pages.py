"""The pages the school side opens from its mail: server-rendered HTML, no JavaScript, usable on a phone.

`GET /school/<token>` shows what the link is for (the contact person answers the placement request; a
mentor confirms their contact details); `POST` submits its form, or asks for a fresh link once it has
expired. The form carries a token derived from the link (CSRF: another site cannot build it) and the
record it is about; a form for another record, a second submission, an expired or revoked link, or an
unknown token each get a page that says so, and nothing changes. Every view, refusal and submission is in
the audit log; each link is rate-limited.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, request
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.flows import placements as placement_answer
from bot.flows import school_links as school_request
from bot.flows import start as start_notice
from bot.flows.school_links import PATH, asked_lines, school_label
from bot.i18n import LANGUAGES, Translator, person_translator
from bot.services import Services
from bot.views.blocks import escape, section
from bot.web.evaluation_page import ICS_SUFFIX, EvaluationPage
from bot.web.school_page_parts import HEADERS, Page, csrf_token
from bot.web.school_page_parts import layout as _layout
from bot.web.school_page_parts import message as _message
from bot.web.school_page_parts import problems as _problems
from models import audit, placements, school_contacts, school_links
from models.people import Person
from models.placements import MAX_REASON_LENGTH
from models.school_contacts import Contact
from models.school_links import Purpose, SchoolLink
from models.schools import Institution


class PerLink:
    """At most `limit` requests a minute per link, in this process: a link posted somewhere public, or a
    script trying tokens, is slowed down without a database write per try. Monotonic time, not the bot's."""

    def __init__(self, limit: int = 30, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, token: str) -> bool:
        key = hashlib.sha256(token.encode()).hexdigest()[:16]  # unknown tokens share nothing with real ones
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget idle links rather than grow without end
                self._seen = {k: q for k, q in self._seen.items() if q and now - q[-1] < self.window}
            recent = self._seen.setdefault(key, deque())
            while recent and now - recent[0] >= self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True


def _language(link: SchoolLink | None, chosen: str | None, browser: str | None) -> str:
    if chosen in LANGUAGES:
        return str(chosen)
    return link.language if link is not None else (browser or "nl")


class SchoolPages:
    """The pages behind every link: the contact person's answer to the request, a mentor's details;
    one instance serves them all."""

    def __init__(self, services: Services, limiter: PerLink | None = None) -> None:
        self.services = services
        self.limiter = limiter or PerLink()
        self.evaluations = EvaluationPage(services)

    @property
    def secret(self) -> str:
        return self.services.settings.slack_signing_secret or ""

    def handle(
        self, token: str, form: dict[str, str] | None, chosen: str | None, browser: str | None
    ) -> Page:
        now = self.services.clock.now()
        tz = self.services.settings.timezone
        if not self.limiter.allow(token):
            t = Translator(_language(None, chosen, browser), tz)
            return _message(t, None, 429, "school.link.too_many")
        with self.services.db.session() as session:
            link = school_links.find(session, token)
            t = Translator(_language(link, (form or {}).get("lang") or chosen, browser), tz)
            if link is None:
                audit.log(session, now, "school_link.refused", actor_id=None, reason="unknown")
                session.commit()
                return _message(t, None, 404, "school.link.unknown")
            if link.purpose == Purpose.EVALUATION:
                return self.evaluations.handle(session, t, token, link, form)
            why = school_links.unusable(link, now)
            school = session.get_one(Institution, link.institution_id)
            student = session.get_one(Person, link.student_id)
            awaiting = placements.awaiting_answer(session, link.student_id, link.institution_id)
            mentor = school_contacts.mentor(
                school_contacts.of_student(session, link.student_id).get(link.institution_id), link.email
            )
            for_mentor = link.purpose == Purpose.MENTOR_DETAILS
            still = mentor is not None if for_mentor else bool(awaiting)
            why_key = why.value if why is not None else (None if still else "nothing")
            if why_key == "expired" and form is not None and form.get("renew"):
                return self._renew(session, t, token, link, form)
            if why_key is not None:
                self._audit(session, link, "school_link.refused", reason=why_key)
                session.commit()
                if why_key == "expired":
                    return self._expired(t, token, link, form or {})
                when = link.used_at if why_key == "used" else link.expires_at
                return _message(t, token, 410, f"school.link.{why_key}", until=t.datetime(link.expires_at),
                                when=t.datetime(when) if when else "")  # fmt: skip
            if form is None:
                self._audit(session, link, "school_link.viewed")
                session.commit()
                if mentor is not None and for_mentor:
                    return self._mentor_form(t, token, link, school, student, mentor.as_dict(), [])
                return self._form(t, token, link, school, student, awaiting, {}, [])
            if not self._form_is_this_links(token, link, form):
                self._audit(session, link, "school_link.refused", reason="form")
                session.commit()
                return _message(t, token, 400, "school.link.stale_form")
            if for_mentor:
                return self._mentor_submit(session, t, token, link, school, student, form)
            return self._submit(session, t, token, link, school, student, awaiting, form)

    def calendar(self, token: str) -> bytes | None:
        """The `.ics` behind an evaluation link (rate-limited as its page), or None."""
        if not self.limiter.allow(token):
            return None
        with self.services.db.session() as session:
            link = school_links.find(session, token)
            if link is None or link.purpose != Purpose.EVALUATION:
                return None
            return self.evaluations.calendar(session, link)

    def _expired(self, t: Translator, token: str, link: SchoolLink, form: dict[str, str]) -> Page:
        """The link ran out (perhaps while the form was open): what was typed is shown to keep, and one
        click mails a fresh link to the same person."""
        e = html.escape
        heading = t("school.link.expired.heading")
        typed = [form[k] for k in ("reason", "name", "email", "phone") if form.get(k, "").strip()]
        kept = ""
        if typed:
            kept = (
                f'<label for="typed">{e(t("school.link.expired.typed"))}</label>'
                f'<textarea id="typed" rows="4" readonly>{e(chr(10).join(typed))}</textarea>'
            )
        body = (
            f"<h1>{e(heading)}</h1><p>{e(t('school.link.expired', until=t.datetime(link.expires_at)))}</p>"
            f'{kept}<form method="post" action="{PATH}{quote(token)}">{self._hidden(t, token, link)}'
            f'<input type="hidden" name="renew" value="1">'
            f'<button type="submit">{e(t("school.link.renew"))}</button></form>'
        )
        return Page(410, _layout(t, token, heading, body))

    def _renew(
        self, session: Session, t: Translator, token: str, link: SchoolLink, form: dict[str, str]
    ) -> Page:
        """A fresh link to the person the expired one named (never to another address); while that one is
        open, asking again sends nothing more."""
        if not self._form_is_this_links(token, link, form):
            self._audit(session, link, "school_link.refused", reason="form")
            session.commit()
            return _message(t, token, 400, "school.link.stale_form")
        sent = school_request.renew(session, self.services, link)
        self._audit(session, link, "school_link.renewed", sent=sent)
        session.commit()
        self.services.outbox.kick()
        return _message(t, token, 200, "school.link.renewed", email=link.email)

    def _form_is_this_links(self, token: str, link: SchoolLink, form: dict[str, str]) -> bool:
        """Built from this link's page (CSRF) and about this link's record (not another's)."""
        fresh = hmac.compare_digest(form.get("csrf", ""), csrf_token(self.secret, token, link))
        return fresh and form.get("record") == link.record

    def _mentor_submit(
        self, session: Session, t: Translator, token: str, link: SchoolLink, school: Institution,
        student: Person, form: dict[str, str],
    ) -> Page:  # fmt: skip
        typed = {part: " ".join(form.get(part, "").split()) for part in ("name", "email", "phone")}
        details = Contact(typed["name"], typed["email"], typed["phone"])
        errors = school_contacts.contact_problems(details)
        if not details.name:
            errors.append("placements.contacts.error.name")
        if not details.email and "placements.contacts.error.email" not in errors:
            errors.append("placements.contacts.error.email")
        if any(len(v) > school_contacts.MAX_FIELD_LENGTH for v in typed.values()):
            errors.append("school.mentor.error.long")
        if errors:
            return self._mentor_form(t, token, link, school, student, typed, sorted(set(errors)), status=422)
        now = self.services.clock.now()
        if not school_links.use(session, link, now):
            session.rollback()
            return _message(t, token, 410, "school.link.used", when=t.datetime(link.used_at or now))
        if not school_contacts.correct_mentor(
            session, link.student_id, link.institution_id, link.email, details, now=now
        ):
            session.rollback()
            return _message(t, token, 410, "school.link.nothing")
        self._audit(session, link, "school_link.answered", outcome="confirmed")
        st = person_translator(student, self.services.settings.timezone)
        shown = " · ".join(v for v in (details.name, details.email, details.phone) if v)
        text = st("school.mentor.told_student", name=details.name, school=school_label(school), details=shown)
        client = self.services.outbox.client(f"link:{link.id}")
        with client.bind(session):
            send_dm(client, student.slack_user_id, text, [section(escape(text))])
        session.commit()
        self.services.outbox.kick()
        heading = t("school.mentor.done.heading")
        done = t("school.mentor.done", student=student.name)
        body = f"<h1>{html.escape(heading)}</h1><p>{html.escape(done)}</p>"
        return Page(200, _layout(t, token, heading, body))

    def _mentor_form(
        self, t: Translator, token: str, link: SchoolLink, school: Institution, student: Person,
        typed: dict[str, str], errors: list[str], *, status: int = 200,
    ) -> Page:  # fmt: skip
        e = html.escape
        heading = t("school.mentor.heading", student=student.name)
        intro = t("school.mentor.intro", student=student.name, school=school_label(school))
        fields = "".join(
            f'<label for="{part}">{e(t(label))}</label>'
            f'<input id="{part}" name="{part}" type="{kind}" value="{e(typed.get(part, ""))}"'
            f' maxlength="{school_contacts.MAX_FIELD_LENGTH}" autocomplete="{auto}"{required}>'
            for part, label, kind, auto, required in (
                ("name", "school.mentor.name", "text", "name", " required"),
                ("email", "school.mentor.email", "email", "email", " required"),
                ("phone", "school.mentor.phone", "tel", "tel", ""),
            )
        )
        body = (
            f"<h1>{e(heading)}</h1>{_problems(t, errors)}<p>{e(intro)}</p>"
            f"<p>{e(t('school.request.valid_until', until=t.datetime(link.expires_at)))}</p>"
            f'<form method="post" action="{PATH}{quote(token)}">{self._hidden(t, token, link)}{fields}'
            f'<button type="submit">{e(t("school.mentor.submit"))}</button></form>'
        )
        return Page(status, _layout(t, token, heading, body))

    def _hidden(self, t: Translator, token: str, link: SchoolLink) -> str:
        return (
            f'<input type="hidden" name="csrf" value="{csrf_token(self.secret, token, link)}">'
            f'<input type="hidden" name="record" value="{html.escape(link.record)}">'
            f'<input type="hidden" name="lang" value="{t.language}">'
        )

    def _audit(self, session: Session, link: SchoolLink, action: str, **detail: Any) -> None:
        audit.log(
            session, self.services.clock.now(), action, actor_id=None, student_id=link.student_id,
            subject=f"institution:{link.institution_id}", purpose=link.purpose, link=link.id, **detail,
        )  # fmt: skip

    def _submit(
        self, session: Session, t: Translator, token: str, link: SchoolLink, school: Institution,
        student: Person, awaiting: list[placements.Placement], form: dict[str, str],
    ) -> Page:  # fmt: skip
        outcome = form.get("outcome", "")
        reason = " ".join(form.get("reason", "").split())
        errors = []
        if outcome not in ("accepted", "refused"):
            errors.append("school.request.error.outcome")
        elif outcome == "refused" and not reason:
            errors.append("school.request.error.reason")
        if len(reason) > MAX_REASON_LENGTH:
            errors.append("school.request.error.reason_long")
        if errors:
            return self._form(t, token, link, school, student, awaiting, form, errors, status=422)
        now = self.services.clock.now()
        if not school_links.use(session, link, now):  # another submission of this form came first
            session.rollback()
            return _message(t, token, 410, "school.link.used", when=t.datetime(link.used_at or now))
        accepted = outcome == "accepted"
        recorded = placement_answer.record(
            session, self.services, student, school, accepted, now.astimezone(t.tz).date(),
            reason=None if accepted else reason, now=now,
        )  # fmt: skip
        if recorded is None:
            session.rollback()
            return _message(t, token, 410, "school.link.nothing")
        messages, starts = recorded
        self._audit(session, link, "school_link.answered", outcome=outcome)
        client = self.services.outbox.client(f"link:{link.id}")
        with client.bind(session):  # the messages are outbox rows of this transaction
            for person, text, blocks in messages:
                send_dm(client, person.slack_user_id, text, blocks)
            start_notice.send(client, starts)
        session.commit()
        self.services.outbox.kick()
        key = "school.request.done." + outcome
        heading = t("school.request.done.heading")
        body = f"<h1>{html.escape(heading)}</h1><p>{html.escape(t(key, student=student.name))}</p>"
        return Page(200, _layout(t, token, heading, body))

    def _form(
        self, t: Translator, token: str, link: SchoolLink, school: Institution, student: Person,
        awaiting: list[placements.Placement], typed: dict[str, str], errors: list[str], *, status: int = 200,
    ) -> Page:  # fmt: skip
        e = html.escape
        heading = t("school.request.heading", student=student.name)
        asked = "".join(f"<li>{e(line)}</li>" for line in asked_lines(t, self.services, awaiting))
        problems = _problems(t, errors)
        chosen = typed.get("outcome")

        def radio(value: str, key: str) -> str:
            checked = " checked" if chosen == value else ""
            return (
                f'<label><input type="radio" name="outcome" value="{value}" required{checked}> '
                f"{e(t(key))}</label>"
            )

        intro = t("school.request.intro", student=student.name, school=school_label(school), name=link.name)
        body = (
            f"<h1>{e(heading)}</h1>{problems}<p>{e(intro)}</p>"
            f"<h2>{e(t('school.request.asked'))}</h2><ul>{asked}</ul>"
            f"<p>{e(t('school.request.valid_until', until=t.datetime(link.expires_at)))}</p>"
            f'<form method="post" action="{PATH}{quote(token)}">{self._hidden(t, token, link)}'
            f"<fieldset><legend>{e(t('school.request.outcome'))}</legend>"
            f"{radio('accepted', 'school.request.accept')}{radio('refused', 'school.request.refuse')}"
            "</fieldset>"
            f'<label for="reason">{e(t("school.request.reason"))}</label>'
            f'<textarea id="reason" name="reason" rows="4" maxlength="{MAX_REASON_LENGTH}">'
            f"{e(typed.get('reason', ''))}</textarea>"
            f'<button type="submit">{e(t("school.request.submit"))}</button></form>'
        )
        return Page(status, _layout(t, token, heading, body))


def add_routes(web: Flask, services: Services) -> None:
    """GET and POST /school/<token>."""
    pages = SchoolPages(services)

    @web.route(PATH + "<token>", methods=["GET", "POST"])
    def school_page(token: str) -> Response:
        form = {k: str(v) for k, v in request.form.items()} if request.method == "POST" else None
        browser = request.accept_languages.best_match(LANGUAGES)
        page = pages.handle(token, form, request.args.get("lang"), browser)
        return Response(page.body, status=page.status, headers=HEADERS)

    @web.route(PATH + "<token>" + ICS_SUFFIX, methods=["GET"])
    def school_calendar(token: str) -> Response:
        """The approved planning of an evaluation link's placement, for the mentor's calendar."""
        body = pages.calendar(token)
        if body is None:
            return Response("", status=404, headers=HEADERS)
        headers = {
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="stageplanning.ics"',
        }
        return Response(body, status=200, mimetype="text/calendar", headers=headers)
