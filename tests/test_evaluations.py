"""The mentor evaluates through the link in their mail, over HTTP with a real SMTP server on loopback: the
planning's approval mails the form, a draft is kept, one submission reaches the supervisor's review DM,
a question goes back to the mentor by mail, and acknowledging shows the evaluation to the student. Links
that must open nothing say why and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from models import school_contacts
from models.audit import AuditEntry
from models.catalogue import CatalogueError
from models.evaluations import Evaluation, parse_form
from models.school_contacts import Contact
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from tests.test_planning import COMPLETE, save, setup, submit, type_lessons
from tests.test_school_links import _hidden, _http, _link
from workspace.mailbox import Mail, Mailbox

MENTOR = "jan.janssens@atheneum.example"
OTHER = "an.smet@atheneum.example"

FULL = {
    "preparation.goals": "good",
    "preparation.materials": "excellent",
    "teaching.subject": "good",
    "teaching.classroom": "growing",
    "teaching.differentiation": "good",
    "overall.strengths": "Bereidt elke les grondig voor.",
    "overall.growth": "Meer variatie in werkvormen.",
}


@pytest.fixture
def mailbox(wire: Stack) -> Iterator[Mailbox]:
    box = Mailbox()
    before = wire.services.settings
    wire.services.settings = before.model_copy(
        update={"smtp_url": box.start(), "mail_from": "Stagebot <stage@uni.example>"}
    )
    yield box
    wire.services.settings = before
    box.stop()


def _approved(wire: Stack, mailbox: Mailbox) -> tuple[dict[str, int], Mail]:
    """Anna's planning for Subject didactics X 2 approved, with Jan Janssens as her subject mentor: the
    mail with the form (guided teaching has a form; co-teaching has none)."""
    ids = setup(wire)
    with wire.session() as s:
        school_contacts.save(
            s, ids["anna"], ids["school"], contact=Contact("Mevr. Peeters", "peeters@atheneum.example"),
            subject_mentors=[Contact("Jan Janssens", MENTOR)], school_mentor=Contact("An Smet", OTHER),
            rules_read=True, introduction_on=None, now=NOW,
        )  # fmt: skip
        s.commit()
    save(wire, type_lessons(wire, ids["placement"], COMPLETE))
    submit(wire, ids["placement"])
    wire.ws.click("U0SUP", "planning_approve", message=wire.ws.messages("U0SUP")[-1])
    wire.services.outbox.settle()
    [got] = mailbox.mails(MENTOR)
    return ids, got


def _evaluation(wire: Stack) -> Evaluation:
    with wire.session() as s:
        return s.exec(select(Evaluation)).one()


def _actions(wire: Stack) -> list[str]:
    with wire.session() as s:
        return [
            e.action
            for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))
            if e.subject.startswith("evaluation:")
        ]


def _form(page: str, answers: dict[str, str], action: str) -> dict[str, str]:
    return {**_hidden(page), **answers, "action": action}


def test_the_mentor_saves_a_draft_submits_once_and_the_supervisor_acknowledges(
    wire: Stack, mailbox: Mailbox
) -> None:
    _, got = _approved(wire, mailbox)
    assert got.subject == "Evaluatie van de stage van Anna De Smet"
    assert "Beste Jan Janssens" in got.text and "Evaluatie van de begeleide stage" in got.text
    with wire.session() as s:  # one evaluation: guided teaching; co-teaching has no form
        assert [e.activity for e in s.exec(select(Evaluation))] == ["guided"]
    url = _link(got)
    status, page = _http(url)
    assert status == 200 and "<h1>Evaluatie van de begeleide stage: Anna De Smet</h1>" in page
    assert "<legend>Formuleert heldere lesdoelen</legend>" in page
    assert '<label for="overall.strengths">' in page
    assert "Wat de opleiding van u verwacht" in page and "lesvoorbereidingen" in page
    assert page.count("<tr><td>") == 9 and "/planning.ics" in page and "<script" not in page
    status, calendar = _http(url + "/planning.ics")
    assert status == 200 and calendar.count("BEGIN:VEVENT") == 9
    # A draft: kept on the server, the link stays open.
    draft = {"preparation.goals": "good", "overall.strengths": "Stipt"}
    status, saved = _http(url, _form(page, draft, "draft"))
    assert status == 200 and "kladversie is bewaard" in saved
    status, again = _http(url)
    assert 'value="good" checked' in again and ">Stipt</textarea>" in again
    assert _evaluation(wire).status == "pending"
    # Submitting with required answers missing: refused, what was typed kept.
    status, refused = _http(url, _form(again, {"preparation.goals": "good"}, "submit"))
    assert status == 422 and 'role="alert"' in refused and "vul dit in" in refused
    assert _evaluation(wire).status == "pending"
    status, done = _http(url, _form(again, FULL, "submit"))
    assert status == 200 and "is ingediend" in done and "Uw ingediende evaluatie" in done
    assert "<textarea" not in done  # read-only
    # The same form again (a double click, the back button): nothing changes.
    status, replay = _http(url, _form(again, {**FULL, "overall.growth": "anders"}, "submit"))
    assert status == 410 and "al ingediend" in replay
    assert _evaluation(wire).answers["overall.growth"] == "Meer variatie in werkvormen."
    wire.services.outbox.settle()
    review = wire.ws.messages("U0SUP")[-1]
    shown = text_of(review.blocks)
    assert "Jan Janssens" in shown and "Formuleert heldere lesdoelen: *Goed*" in shown
    assert "Meer variatie in werkvormen." in shown
    buttons = [e["text"]["text"] for b in review.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Gelezen, toon aan student", "Vraag aan de mentor"]
    # Another supervisor cannot decide.
    wire.ws.click("U0OTHER", "evaluation_approve", message=review)
    assert "stagebegeleider van deze student" in wire.ws.ephemerals("U0OTHER")[-1].text
    before = len(wire.ws.messages("U0ANNA"))
    wire.ws.click("U0SUP", "evaluation_approve", message=review)
    wire.services.outbox.settle()
    decided = next(m for m in wire.ws.messages("U0SUP") if m.ts == review.ts)
    assert "Gelezen door <@U0SUP>" in text_of(decided.blocks)
    assert not any(b["type"] == "actions" for b in decided.blocks)
    [released] = wire.ws.messages("U0ANNA")[before:]
    assert "Je mentor Jan Janssens evalueerde je stage" in text_of(released.blocks)
    assert "Bereidt elke les grondig voor." in text_of(released.blocks)
    assert _evaluation(wire).status == "acknowledged"
    assert _actions(wire) == [
        "school_link.sent", "school_link.viewed", "evaluation.calendar_downloaded", "evaluation.draft_saved",
        "school_link.viewed", "evaluation.submitted", "school_link.answered", "school_link.refused",
        "evaluation.decision_refused", "evaluation.acknowledged",
    ]  # fmt: skip


def test_a_question_goes_to_the_mentor_by_mail_who_amends_and_submits_again(
    wire: Stack, mailbox: Mailbox
) -> None:
    _, got = _approved(wire, mailbox)
    status, page = _http(_link(got) + "?lang=en")
    assert status == 200 and "<h1>Evaluation of the guided teaching internship: Anna De Smet</h1>" in page
    _http(_link(got), _form(page, FULL, "submit"))
    wire.services.outbox.settle()
    review = wire.ws.messages("U0SUP")[-1]
    wire.ws.click("U0SUP", "evaluation_question", message=review)
    modal = wire.ws.open_views("U0SUP")[-1]
    empty = wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": ""}})
    assert "Schrijf je vraag" in empty.json["errors"]["reason"]
    wire.ws.submit_view("U0SUP", modal, {"reason": {"reason": "Hoe liep de differentiatie in 5B?"}})
    wire.services.outbox.settle()
    question = mailbox.mails(MENTOR)[-1]
    assert question.subject == "Een vraag over uw evaluatie van Anna De Smet"
    assert "Hoe liep de differentiatie in 5B?" in question.text and "Els Wouters" in question.text
    assert _evaluation(wire).status == "question"
    status, old = _http(_link(got))
    assert status == 200 and "<textarea" not in old  # the used link shows what was submitted
    status, page = _http(_link(question))
    assert status == 200 and "Vraag van de stagebegeleider" in page and "differentiatie in 5B" in page
    assert ">Meer variatie in werkvormen.</textarea>" in page  # the answers are there to amend
    amended = {**FULL, "overall.remarks": "Differentiatie: goed"}
    assert _http(_link(question), _form(page, amended, "submit"))[0] == 200
    wire.services.outbox.settle()
    again = wire.ws.messages("U0SUP")[-1]
    assert again.ts != review.ts and "Differentiatie: goed" in text_of(again.blocks)
    assert any(b["type"] == "actions" for b in again.blocks)


def test_links_that_must_open_nothing_say_why_and_change_nothing(wire: Stack, mailbox: Mailbox) -> None:
    ids, got = _approved(wire, mailbox)
    url = _link(got)
    status, page = _http(url)
    form = _form(page, FULL, "submit")
    tampered = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert _http(tampered)[0] == 404 and _http(tampered, form)[0] == 404
    assert _http(tampered + "/planning.ics")[0] == 404
    evaluation = _evaluation(wire)
    other = f"evaluation:{ids['anna']}:{ids['school']}:{(evaluation.id or 0) + 1}"
    status, refused = _http(url, {**form, "record": other})
    assert status == 400 and "hoort niet bij deze link" in refused  # another record's id
    status, refused = _http(url, {**form, "csrf": "0" * 64})
    assert status == 400  # a form not built from this link's page (CSRF)
    # Expired while the form was open: what was typed is kept as the draft, a fresh link is offered.
    wire.services.clock.freeze(NOW + timedelta(days=31))
    status, expired = _http(url, _form(page, {"overall.strengths": "Half ingevuld"}, "submit"))
    assert status == 410 and "Deze link is verlopen" in expired and "bewaard als kladversie" in expired
    assert _evaluation(wire).status == "pending"
    status, renewed = _http(url, {**_hidden(expired), "renew": "1"})
    assert status == 200 and MENTOR in renewed
    wire.services.outbox.settle()
    fresh = mailbox.mails(MENTOR)[-1]
    status, page = _http(_link(fresh))
    assert status == 200 and ">Half ingevuld</textarea>" in page
    # The older link was revoked by the fresh one; a form of one link posted to another: refused.
    status, revoked = _http(url)
    assert status == 410 and "Deze link geldt niet meer" in revoked
    status, refused = _http(_link(fresh), _form(expired, FULL, "submit"))
    assert status == 400 and "hoort niet bij deze link" in refused
    wire.services.clock.freeze(NOW)
    assert _evaluation(wire).status == "pending" and _evaluation(wire).submitted_at is None


def test_a_form_file_with_mistakes_is_refused_with_the_line_of_each() -> None:
    text = (
        "activity: guided\n"
        "title: {nl: Evaluatie}\n"
        "expectations: {nl: x, en: y}\n"
        "scale:\n  - {value: ok, name: {nl: Ok, en: Ok}}\n"
        "sections:\n"
        "  - code: a\n    name: {nl: A, en: A}\n    criteria:\n"
        "      - {code: x, kind: stars, name: {nl: X, en: X}}\n"
        "      - {code: x, name: {nl: X, en: X}}\n"
    )
    with pytest.raises(CatalogueError) as caught:
        parse_form(text, "guided.yaml")
    problems = str(caught.value)
    assert "guided.yaml:1: the scale needs at least two answers" in problems
    assert "guided.yaml:1: 'title' needs both 'nl' and 'en'" in problems
    assert "guided.yaml:7: criterion code 'x' is used twice" in problems
    assert "guided.yaml:10: a criterion's kind is 'scale' or 'text', not 'stars'" in problems
    with pytest.raises(CatalogueError, match=r"is named tutoring\.yaml"):
        parse_form(text.replace("guided", "tutoring", 1), "guided.yaml")


def test_the_supervisor_sees_what_is_open_and_sends_the_link_again(wire: Stack, mailbox: Mailbox) -> None:
    _, got = _approved(wire, mailbox)
    shown = wire.ws.slash_command("U0SUP", "/stage", "evaluaties")
    overview = text_of(shown.json["blocks"])
    assert "<@U0ANNA> · begeleide stage bij Atheneum (Gent) · mentor: Jan Janssens" in overview
    assert "Gemaild; de mentor vulde nog niet in." in overview
    other = wire.ws.slash_command("U0OTHER", "/stage", "evaluaties")
    assert "geen evaluatie" in text_of(other.json["blocks"])
    listed = wire.ws.ephemerals("U0SUP")[-1]
    wire.ws.click("U0SUP", "evaluation_resend", message=listed)
    assert f"Een nieuwe link is gemaild naar {MENTOR}" in wire.ws.ephemerals("U0SUP")[-1].text
    wire.services.outbox.settle()
    fresh = mailbox.mails(MENTOR)[-1]
    assert _link(fresh) != _link(got) and len(mailbox.mails(MENTOR)) == 2
    assert _http(_link(got))[0] == 410 and _http(_link(fresh))[0] == 200


def test_the_sweep_mails_the_school_side_once_and_tells_the_supervisor_who_is_missing(
    wire: Stack, mailbox: Mailbox
) -> None:
    from datetime import UTC, datetime

    from bot.app import web_client
    from scheduler.sweep import run_sweep

    _approved(wire, mailbox)
    client = web_client(wire.services)
    # The period ends on 2 April 2027; the evaluation is due 14 days later (the catalogue).
    before = datetime(2027, 4, 15, 7, 30, tzinfo=UTC)
    wire.services.clock.freeze(before)
    run_sweep(wire.services, client, before)
    wire.services.outbox.settle()
    assert len(mailbox.mails(MENTOR)) == 1  # not due yet
    due = datetime(2027, 4, 16, 7, 30, tzinfo=UTC)
    wire.services.clock.freeze(due)
    run_sweep(wire.services, client, due)
    wire.services.outbox.settle()
    reminder = mailbox.mails(MENTOR)[-1]
    assert reminder.subject == "Herinnering: evaluatie van de stage van Anna De Smet"
    status, page = _http(_link(reminder))  # a fresh link: the first one ran out long ago
    assert status == 200 and "<form" in page
    told = [text_of(m.blocks) for m in wire.ws.messages("U0SUP") if "ontbreekt nog" in text_of(m.blocks)]
    assert len(told) == 1 and "<@U0ANNA>: de evaluatie van Jan Janssens" in told[0]
    # A second sweep, the same day or later: nothing is mailed or told twice.
    for later in (due + timedelta(minutes=5), due + timedelta(days=3)):
        wire.services.clock.freeze(later)
        run_sweep(wire.services, client, later)
    wire.services.outbox.settle()
    assert len(mailbox.mails(MENTOR)) == 2
    assert len([m for m in wire.ws.messages("U0SUP") if "ontbreekt nog" in text_of(m.blocks)]) == 1


def test_an_unanswered_request_is_mailed_again_after_five_working_days(wire: Stack) -> None:
    from datetime import UTC, datetime

    from bot.app import web_client
    from scheduler.sweep import run_sweep
    from tests.test_school_links import CONTACT, _placed

    box = Mailbox()
    settings = wire.services.settings
    wire.services.settings = settings.model_copy(
        update={"smtp_url": box.start(), "mail_from": "Stagebot <stage@uni.example>"}
    )
    try:
        _placed(wire, box)  # requested by mail on Saturday 28 November 2026
        client = web_client(wire.services)
        thursday = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
        wire.services.clock.freeze(thursday)
        run_sweep(wire.services, client, thursday)
        wire.services.outbox.settle()
        assert len(box.mails(CONTACT)) == 1
        friday = datetime(2026, 12, 4, 8, 30, tzinfo=UTC)  # the fifth working day after the request
        wire.services.clock.freeze(friday)
        run_sweep(wire.services, client, friday)
        run_sweep(wire.services, client, friday + timedelta(minutes=5))
        wire.services.outbox.settle()
        mails = box.mails(CONTACT)
        assert len(mails) == 2 and mails[-1].subject == mails[0].subject
        assert _http(_link(mails[0]))[0] == 410 and _http(_link(mails[-1]))[0] == 200
        told = [text_of(m.blocks) for m in wire.ws.messages("U0SUP") if "ontbreekt nog" in text_of(m.blocks)]
        assert len(told) == 1 and "het antwoord van Atheneum op de stageaanvraag" in told[0]
    finally:
        wire.services.settings = settings
        box.stop()


def test_a_replaced_mentor_loses_the_link_and_the_new_one_is_mailed_by_the_next_tick(
    wire: Stack, mailbox: Mailbox
) -> None:
    from bot.app import web_client
    from scheduler import jobs

    ids, got = _approved(wire, mailbox)
    new = "lies.peeters@atheneum.example"
    with wire.session() as s:
        school_contacts.save(
            s, ids["anna"], ids["school"], contact=Contact("Mevr. Peeters", "peeters@atheneum.example"),
            subject_mentors=[Contact("Lies Peeters", new)], school_mentor=None, rules_read=True,
            introduction_on=None, now=NOW,
        )  # fmt: skip
        s.commit()
    status, page = _http(_link(got))
    assert status == 410 and "Deze link geldt niet meer" in page
    assert jobs.evaluations(wire.services, web_client(wire.services), NOW) == 1
    wire.services.outbox.settle()
    [mailed] = mailbox.mails(new)
    assert "Beste Lies Peeters" in mailed.text and _http(_link(mailed))[0] == 200
    assert jobs.evaluations(wire.services, web_client(wire.services), NOW) == 0  # once


def test_the_shipped_forms_load_with_both_languages() -> None:
    from models.evaluations import load_forms

    forms = load_forms()
    assert sorted(forms) == ["guided", "tutoring"]
    for form in forms.values():
        assert all(set(c.name) == {"nl", "en"} for _, c, _ in form.fields())
