"""The mentor's evaluation page behind a link of purpose "evaluation": the form (from the activity's YAML),
what the programme expects of the mentor, and the student's approved planning with its `.ics`.

"Save draft" keeps what was typed on the server (a plain form post: no JavaScript needed) and the link
stays open; "Submit" marks the link used first, so a second submission or a replayed form finds it used
and changes nothing; then the evaluation is read-only and reaches the supervisor's DM. A link that ran out
while the form was open keeps what was typed as the draft and offers a fresh link by mail. Every view,
draft, submission and refusal is in the audit log.
"""

from __future__ import annotations

import hmac
import html
from typing import Any
from urllib.parse import quote

from sqlmodel import Session

from bot.flows import evaluations as evaluation_flow
from bot.flows.school_links import PATH, school_label
from bot.i18n import Translator
from bot.services import Services
from bot.views.evaluations import answer_text
from bot.views.placements import activity_name, course_name
from bot.web.calendar_feed import lessons_calendar
from bot.web.school_page_parts import Page, csrf_token, layout, message
from models import audit, evaluations, placements, planning, school_links
from models.evaluations import EDITABLE, Evaluation, Form, Status
from models.people import Person
from models.school_links import SchoolLink, Unusable
from models.schools import Institution

ICS_SUFFIX = "/planning.ics"


class EvaluationPage:
    """The page of one evaluation link; SchoolPages hands it the links of this purpose."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def secret(self) -> str:
        return self.services.settings.slack_signing_secret or ""

    def handle(
        self, session: Session, t: Translator, token: str, link: SchoolLink, form: dict[str, str] | None
    ) -> Page:
        now = self.services.clock.now()
        evaluation = session.get(Evaluation, link.record_id or 0)
        why = school_links.unusable(link, now)
        if evaluation is None or why == Unusable.REVOKED:
            self._audit(session, link, "school_link.refused", reason="revoked")
            session.commit()
            return message(t, token, 410, "school.link.revoked")
        if form is not None and not self._form_is_this_links(token, link, form):
            self._audit(session, link, "school_link.refused", reason="form")
            session.commit()
            return message(t, token, 400, "school.link.stale_form")
        if why == Unusable.EXPIRED:
            return self._expired(session, t, token, link, evaluation, form)
        if form is None:
            self._audit(session, link, "school_link.viewed")
            session.commit()
            return self._page(session, t, token, link, evaluation, evaluation.answers, [])
        if why == Unusable.USED or evaluation.status not in EDITABLE:
            self._audit(session, link, "school_link.refused", reason="used")
            session.commit()
            return message(
                t, token, 410, "evaluation.page.already", when=t.datetime(evaluation.submitted_at or now)
            )
        answers = evaluations.read_answers(evaluations.forms()[evaluation.activity], form)
        if form.get("action") == "submit":
            return self._submit(session, t, token, link, evaluation, answers)
        evaluations.save_draft(session, evaluation, answers, now)
        self._audit(session, link, "evaluation.draft_saved")
        session.commit()
        saved = t("evaluation.page.saved", when=t.datetime(now))
        return self._page(session, t, token, link, evaluation, answers, [], note=saved)

    def calendar(self, session: Session, link: SchoolLink) -> bytes | None:
        """The approved planning of the evaluation's placement as iCalendar, while the link opens."""
        now = self.services.clock.now()
        evaluation = session.get(Evaluation, link.record_id or 0)
        if evaluation is None or school_links.unusable(link, now) in (Unusable.REVOKED, Unusable.EXPIRED):
            return None
        self._audit(session, link, "evaluation.calendar_downloaded")
        session.commit()
        return lessons_calendar(
            session, self.services, link.student_id, now, placement_ids={evaluation.placement_id},
            approved_only=True,
        )  # fmt: skip

    # --- what a post does ---

    def _submit(
        self, session: Session, t: Translator, token: str, link: SchoolLink, evaluation: Evaluation,
        answers: dict[str, str],
    ) -> Page:  # fmt: skip
        now = self.services.clock.now()
        form = evaluations.forms()[evaluation.activity]
        errors = evaluations.problems(form, answers)
        if errors:  # what was typed is kept as the draft, and shown with what is missing
            evaluations.save_draft(session, evaluation, answers, now)
            session.commit()
            return self._page(session, t, token, link, evaluation, answers, errors, status=422)
        if not school_links.use(session, link, now) or not evaluations.submit(
            session, evaluation, answers, now
        ):
            session.rollback()
            return message(t, token, 410, "evaluation.page.already", when=t.datetime(now))
        self._audit(session, link, "school_link.answered", outcome="submitted")
        client = self.services.outbox.client(f"link:{link.id}")
        with client.bind(session):  # the supervisor's DM is an outbox row of this transaction
            evaluation_flow.submitted(session, self.services, client, evaluation)
        session.commit()
        self.services.outbox.kick()
        done = t("evaluation.page.submitted", student=session.get_one(Person, evaluation.student_id).name)
        return self._page(session, t, token, link, evaluation, evaluation.answers, [], note=done)

    def _expired(
        self, session: Session, t: Translator, token: str, link: SchoolLink, evaluation: Evaluation,
        form: dict[str, str] | None,
    ) -> Page:  # fmt: skip
        """Ran out, perhaps while the form was open: what was typed becomes the draft, and one click mails
        a fresh link to the same mentor."""
        e = html.escape
        kept = ""
        if form is not None and form.get("renew"):
            sent = evaluation_flow.renew(session, self.services, link)
            self._audit(session, link, "school_link.renewed", sent=sent)
            session.commit()
            self.services.outbox.kick()
            return message(t, token, 200, "school.link.renewed", email=link.email)
        if form is not None and evaluation.status in EDITABLE:
            answers = evaluations.read_answers(evaluations.forms()[evaluation.activity], form)
            if answers:
                evaluations.save_draft(session, evaluation, answers, self.services.clock.now())
                kept = f'<p class="note" role="status">{e(t("evaluation.page.kept"))}</p>'
        self._audit(session, link, "school_link.refused", reason="expired")
        session.commit()
        heading = t("school.link.expired.heading")
        body = (
            f"<h1>{e(heading)}</h1><p>{e(t('school.link.expired', until=t.datetime(link.expires_at)))}</p>"
            f'{kept}<form method="post" action="{PATH}{quote(token)}">{self._hidden(t, token, link)}'
            '<input type="hidden" name="renew" value="1">'
            f'<button type="submit">{e(t("school.link.renew"))}</button></form>'
        )
        return Page(410, layout(t, token, heading, body))

    # --- drawing ---

    def _page(
        self, session: Session, t: Translator, token: str, link: SchoolLink, evaluation: Evaluation,
        answers: dict[str, str], errors: list[tuple[str, str]], *, status: int = 200, note: str | None = None,
    ) -> Page:  # fmt: skip
        e = html.escape
        form = evaluations.forms()[evaluation.activity]
        student = session.get_one(Person, evaluation.student_id)
        school = session.get_one(Institution, evaluation.institution_id)
        placement = session.get_one(placements.Placement, evaluation.placement_id)
        heading = f"{form.title[t.language]}: {student.name}"
        intro = t(
            "evaluation.page.intro", student=student.name, school=school_label(school),
            course=course_name(t, self.services.catalogue, placement.course_code),
            activity=activity_name(t, evaluation.activity),
        )  # fmt: skip
        editable = evaluation.status in EDITABLE and link.used_at is None
        parts = [f"<h1>{e(heading)}</h1>"]
        if note:
            parts.append(f'<p class="note" role="status">{e(note)}</p>')
        if errors:
            items = "".join(
                f'<li><a href="#{e(name)}">{e(self._label(t, form, name))}</a>: {e(t(key))}</li>'
                for name, key in errors
            )
            parts.append(
                f'<div class="errors" role="alert" id="errors"><p>{e(t("evaluation.page.errors"))}</p>'
                f"<ul>{items}</ul></div>"
            )
        parts.append(f"<p>{e(intro)}</p>")
        if evaluation.status == Status.QUESTION and evaluation.question:
            parts.append(
                f'<div class="note"><h2>{e(t("evaluation.page.question"))}</h2>'
                f"<p>{e(evaluation.question)}</p></div>"
            )
        if editable:
            parts.append(f"<p>{e(t('school.request.valid_until', until=t.datetime(link.expires_at)))}</p>")
            parts.append(self._form(t, token, link, form, answers, {name for name, _ in errors}))
        else:
            parts.append(f"<h2>{e(t('evaluation.page.read_only'))}</h2>{self._answers(t, form, answers)}")
        parts.append(f"<h2>{e(t('evaluation.page.expected'))}</h2><p>{e(form.expectations[t.language])}</p>")
        parts.append(self._planning(session, t, token, evaluation))
        return Page(status, layout(t, token, heading, "".join(parts)))

    def _form(
        self, t: Translator, token: str, link: SchoolLink, form: Form, answers: dict[str, str],
        wrong: set[str],
    ) -> str:  # fmt: skip
        e = html.escape
        parts = [f'<form method="post" action="{PATH}{quote(token)}">{self._hidden(t, token, link)}']
        for section in form.sections:
            parts.append(f"<h2>{e(section.name[t.language])}</h2>")
            for criterion in section.criteria:
                name = form.field(section, criterion)
                label = e(criterion.name[t.language])
                need = f" ({e(t('evaluation.page.optional'))})" if not criterion.required else ""
                invalid = ' aria-invalid="true"' if name in wrong else ""
                if criterion.kind == "text":
                    parts.append(
                        f'<label for="{e(name)}">{label}{need}</label>'
                        f'<textarea id="{e(name)}" name="{e(name)}" rows="4" '
                        f'maxlength="{evaluations.MAX_TEXT}"{invalid}>{e(answers.get(name, ""))}</textarea>'
                    )
                    continue
                radios = "".join(
                    f'<label><input type="radio" name="{e(name)}" value="{e(choice.value)}"'
                    f"{' checked' if answers.get(name) == choice.value else ''}> "
                    f"{e(choice.name[t.language])}</label>"
                    for choice in form.scale
                )
                parts.append(
                    f'<fieldset id="{e(name)}"{invalid}><legend>{label}{need}</legend>{radios}</fieldset>'
                )
        parts.append(
            f'<button type="submit" name="action" value="draft">{e(t("evaluation.page.draft"))}</button> '
            f'<button type="submit" name="action" value="submit">{e(t("evaluation.page.submit"))}</button>'
            f"<p>{e(t('evaluation.page.submit_once'))}</p></form>"
        )
        return "".join(parts)

    def _answers(self, t: Translator, form: Form, answers: dict[str, str]) -> str:
        e = html.escape
        parts = []
        for section in form.sections:
            rows = "".join(
                f"<dt>{e(c.name[t.language])}</dt>"
                f"<dd>{e(answer_text(t, form, c.kind, answers.get(form.field(section, c), '')))}</dd>"
                for c in section.criteria
            )
            parts.append(f"<h3>{e(section.name[t.language])}</h3><dl>{rows}</dl>")
        return "".join(parts)

    def _planning(self, session: Session, t: Translator, token: str, evaluation: Evaluation) -> str:
        """The approved planning of this placement only (nothing of the student's other schools)."""
        e = html.escape
        picture = planning.load(session, evaluation.student_id)
        version = picture.approved(evaluation.placement_id)
        heading = f"<h2>{e(t('evaluation.page.planning'))}</h2>"
        if version is None or version.id is None:
            return heading + f"<p>{e(t('evaluation.page.no_planning'))}</p>"
        rows = "".join(
            f"<tr><td>{e(t.date(x.day, 'medium'))}</td><td>{x.start:%H:%M}–{x.end:%H:%M}</td>"
            f"<td>{e(activity_name(t, x.activity))}</td><td>{e(x.class_name)}</td><td>{e(x.room)}</td>"
            f"<td>{e(x.topic or '')}</td></tr>"
            for x in picture.lessons.get(version.id, [])
        )
        head = "".join(
            f'<th scope="col">{e(t(k))}</th>'
            for k in (
                "evaluation.page.day", "evaluation.page.time", "evaluation.page.activity",
                "evaluation.page.class", "evaluation.page.room", "evaluation.page.topic",
            )
        )  # fmt: skip
        ics = f'<p><a href="{PATH}{quote(token)}{ICS_SUFFIX}" download>{e(t("evaluation.page.ics"))}</a></p>'
        return f"{heading}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{ics}"

    def _label(self, t: Translator, form: Form, name: str) -> str:
        for _, criterion, field in form.fields():
            if field == name:
                return criterion.name[t.language]
        return name

    def _hidden(self, t: Translator, token: str, link: SchoolLink) -> str:
        return (
            f'<input type="hidden" name="csrf" value="{csrf_token(self.secret, token, link)}">'
            f'<input type="hidden" name="record" value="{html.escape(link.record)}">'
            f'<input type="hidden" name="lang" value="{t.language}">'
        )

    def _form_is_this_links(self, token: str, link: SchoolLink, form: dict[str, str]) -> bool:
        fresh = hmac.compare_digest(form.get("csrf", ""), csrf_token(self.secret, token, link))
        return fresh and form.get("record") == link.record

    def _audit(self, session: Session, link: SchoolLink, action: str, **detail: Any) -> None:
        audit.log(
            session, self.services.clock.now(), action, actor_id=None, student_id=link.student_id,
            subject=f"evaluation:{link.record_id}", purpose=link.purpose, link=link.id, **detail,
        )  # fmt: skip
