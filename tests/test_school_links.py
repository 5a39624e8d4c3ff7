"""The school's contact person answers the placement request through the link in their mail, over HTTP:
step 4 moves as when the student records the answer; a link that must open nothing says why and changes
nothing."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.placements import Placement
from models.progress import Step, StepProgress, StepState
from models.school_contacts import SchoolContacts
from models.school_links import SchoolLink
from models.schools import Institution
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from tests.test_placements import open_assign, setup, submit
from workspace.mailbox import Mail, Mailbox

CONTACT = "peeters@atheneum.example"


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


def _place(wire: Stack) -> dict[str, int]:
    """Anna placed at the Atheneum, whose contact person has an address (the mail is on its way)."""
    ids = setup(wire)
    with wire.session() as s:
        school = s.get_one(Institution, ids["atheneum"])
        school.contact_email = CONTACT
        s.add(school)
        s.commit()
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    wire.services.outbox.settle()
    return ids


def _placed(wire: Stack, mailbox: Mailbox) -> tuple[dict[str, int], Mail]:
    """As `_place`: the mail that went out."""
    ids = _place(wire)
    [got] = mailbox.mails(CONTACT)
    return ids, got


def _link(got: Mail) -> str:
    found = re.search(r"https?://\S+/school/\S+", got.text)
    assert found, got.text
    return found.group(0)


def _http(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))


def _answer(wire: Stack, ids: dict[str, int]) -> str:
    with wire.session() as s:
        placement = s.exec(select(Placement).where(Placement.student_id == ids["anna"])).one()
        return placement.answer


def _actions(wire: Stack) -> list[str]:
    with wire.session() as s:
        entries = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [e.action for e in entries if e.action.startswith("school_link.")]


def test_the_contact_person_accepts_through_the_link_and_step_4_moves(wire: Stack, mailbox: Mailbox) -> None:
    ids, got = _placed(wire, mailbox)
    assert got.subject == "Stageaanvraag van Anna De Smet voor Atheneum (Gent)"
    assert "Beste Mevr. Peeters" in got.text and "geldig tot 28 december 2026" in got.text
    assert got.html.count(_link(got)) >= 1
    with wire.session() as s:
        placement = s.exec(select(Placement)).one()
        assert placement.request_channel == "email" and str(placement.requested_on) == "2026-11-28"
    status, page = _http(_link(got))
    assert status == 200
    assert "<h1>Stageaanvraag van Anna De Smet</h1>" in page and 'lang="nl"' in page
    assert '<label for="reason">' in page and "<legend>Antwoord van de school</legend>" in page
    assert "Deze link is geldig tot 28 dec 2026" in page and "<script" not in page
    status, done = _http(_link(got), {**_hidden(page), "outcome": "accepted", "reason": ""})
    assert status == 200 and "U hebt de stage van Anna De Smet aanvaard" in done
    assert _answer(wire, ids) == "accepted"
    with wire.session() as s:  # one activity of many is placed: step 4 goes on, step 5 begins
        assert s.get_one(StepProgress, (ids["anna"], int(Step.REQUEST))).state == StepState.IN_PROGRESS
        assert s.get_one(StepProgress, (ids["anna"], int(Step.AGREEMENT))).state == StepState.IN_PROGRESS
    told = wire.ws.messages("U0ANNA")[-1]
    assert told.text == "Nog geen geldige stageovereenkomst"  # as when they record the answer themselves
    # The same form again (a double click, the back button): nothing changes.
    status, again = _http(_link(got), {**_hidden(page), "outcome": "refused", "reason": "toch niet"})
    assert status == 410 and "al beantwoord" in again
    assert _answer(wire, ids) == "accepted"
    assert _actions(wire) == [
        "school_link.sent", "school_link.viewed", "school_link.answered", "school_link.refused",
    ]  # fmt: skip


def test_a_refusal_needs_a_reason_and_reaches_the_supervisor_who_places_again(
    wire: Stack, mailbox: Mailbox
) -> None:
    ids, got = _placed(wire, mailbox)
    status, page = _http(_link(got) + "?lang=en")
    assert status == 200 and "<h1>Internship request from Anna De Smet</h1>" in page and 'lang="en"' in page
    status, again = _http(_link(got), {**_hidden(page), "outcome": "refused", "reason": "  "})
    assert status == 422 and 'role="alert"' in again and "Give a reason for refusing." in again
    assert 'value="refused" required checked' in again  # what was chosen stays
    assert _answer(wire, ids) == "pending"
    status, done = _http(_link(got), {**_hidden(again), "outcome": "refused", "reason": "Geen mentor vrij"})
    assert status == 200 and "You refused the internship of Anna De Smet" in done
    note = text_of(wire.ws.messages("U0SUP")[-1].blocks)
    assert "kreeg een weigering van Atheneum" in note and "Geen mentor vrij" in note
    with wire.session() as s:
        assert s.exec(select(Placement)).one().status == "refused"


def test_links_that_must_open_nothing_say_why_and_change_nothing(wire: Stack, mailbox: Mailbox) -> None:
    ids, got = _placed(wire, mailbox)
    url = _link(got)
    status, page = _http(url)
    form = {**_hidden(page), "outcome": "accepted"}
    tampered = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert _http(tampered)[0] == 404 and "Deze link werkt niet" in _http(tampered)[1]
    assert _http(tampered, form)[0] == 404
    status, page = _http(url, {**form, "record": f"request.answer:{ids['anna']}:{ids['museum']}"})
    assert status == 400 and "hoort niet bij deze link" in page  # another record's id
    status, page = _http(url, {**form, "csrf": "0" * 64})
    assert status == 400  # a form not built from this link's page
    wire.services.clock.freeze(NOW + timedelta(days=31))
    status, page = _http(url, form)
    assert status == 410 and "Deze link is verlopen" in page and "28 dec 2026" in page
    wire.services.clock.freeze(NOW)
    assert _answer(wire, ids) == "pending"
    assert _actions(wire).count("school_link.refused") == 6


def test_a_link_is_revoked_when_another_contact_person_is_named(wire: Stack, mailbox: Mailbox) -> None:
    ids, got = _placed(wire, mailbox)
    from models import school_contacts
    from models.school_contacts import Contact

    with wire.session() as s:
        school_contacts.save(
            s, ids["anna"], ids["atheneum"], contact=Contact("Dhr. Janssens", "janssens@atheneum.example"),
            subject_mentors=[], school_mentor=None, rules_read=False, introduction_on=None, now=NOW,
        )  # fmt: skip
        s.commit()
    status, page = _http(_link(got))
    assert status == 410 and "Deze link geldt niet meer" in page
    assert _answer(wire, ids) == "pending"
    with wire.session() as s:
        assert s.exec(select(SchoolLink)).one().revoked_at is not None


def test_without_smtp_settings_no_mail_and_no_link(wire: Stack) -> None:
    assert not wire.services.settings.mail_enabled
    ids = setup(wire)
    submit(wire, "U0SUP", open_assign(wire, "U0SUP"), ids["atheneum"], ["VDX1:observation"], "aso", "2")
    with wire.session() as s:
        assert s.exec(select(SchoolLink)).all() == []
        assert [r for r in s.exec(select(OutboxMessage)) if r.method == "mail.send"] == []


def _record_mentors(
    wire: Stack, ids: dict[str, int], mentor_email: str = "jan.janssens@atheneum.example"
) -> None:
    """The student records the school's people in Slack, the subject mentor with an address."""
    wire.ws.slash_command("U0ANNA", "/stage", "contacten")
    wire.ws.click(
        "U0ANNA", "placement_contacts_open", str(ids["atheneum"]), message=wire.ws.ephemerals("U0ANNA")[-1]
    )
    values = {
        "contact_name": {"contact_name": "Mevr. Peeters"},
        "contact_email": {"contact_email": CONTACT},
        "mentor1_name": {"mentor1_name": "Jan Janssens"},
        "mentor1_email": {"mentor1_email": mentor_email},
        "school_mentor_name": {"school_mentor_name": "An Smet"},
    }
    assert wire.ws.submit_view("U0ANNA", wire.ws.open_views("U0ANNA")[-1], values).body == ""
    wire.services.outbox.settle()


def _accepted_with_mentors(wire: Stack, mailbox: Mailbox) -> dict[str, int]:
    """The school accepted Anna through its link, and she named her mentors (Jan Janssens gets a mail)."""
    ids, answer_mail = _placed(wire, mailbox)
    _, page = _http(_link(answer_mail))
    _http(_link(answer_mail), {**_hidden(page), "outcome": "accepted"})
    _record_mentors(wire, ids)
    return ids


def test_a_mentor_confirms_and_corrects_their_details_through_their_link(
    wire: Stack, mailbox: Mailbox
) -> None:
    ids = _accepted_with_mentors(wire, mailbox)
    [got] = mailbox.mails("jan.janssens@atheneum.example")
    assert got.subject == "Uw contactgegevens als mentor van Anna De Smet"
    assert len(mailbox.mails()) == 2  # the request and this one: An Smet has no address
    _record_mentors(wire, ids)  # saved again with the same mentor: no second mail while the link is open
    assert len(mailbox.mails()) == 2
    status, page = _http(_link(got))
    assert status == 200 and 'value="Jan Janssens"' in page and '<label for="phone">' in page
    form = {**_hidden(page), "name": "Jan Janssens", "email": "geen-adres", "phone": ""}
    status, again = _http(_link(got), form)
    assert status == 422 and 'value="geen-adres"' in again
    with wire.session() as s:
        assert s.exec(select(SchoolContacts)).one().subject_mentors[0]["phone"] == ""
    form |= {"email": "j.janssens@atheneum.example", "phone": "09 123 45 67"}
    status, done = _http(_link(got), form)
    assert status == 200 and "Uw gegevens zijn bewaard" in done
    with wire.session() as s:
        assert s.exec(select(SchoolContacts)).one().subject_mentors == [
            {"name": "Jan Janssens", "email": "j.janssens@atheneum.example", "phone": "09 123 45 67"}
        ]
    told = wire.ws.messages("U0ANNA")[-1].text
    assert told.startswith("Jan Janssens, je mentor bij Atheneum (Gent), bevestigde de contactgegevens")
    assert _http(_link(got), form)[0] == 410  # once


def test_a_mentors_link_is_revoked_when_the_student_names_another_mentor(
    wire: Stack, mailbox: Mailbox
) -> None:
    ids = _accepted_with_mentors(wire, mailbox)
    [first] = mailbox.mails("jan.janssens@atheneum.example")
    _record_mentors(wire, ids, mentor_email="els.claes@atheneum.example")
    assert len(mailbox.mails("els.claes@atheneum.example")) == 1
    status, page = _http(_link(first))
    assert status == 410 and "Deze link geldt niet meer" in page


def test_a_link_that_expired_while_the_form_was_open_keeps_the_text_and_mails_a_fresh_one(
    wire: Stack, mailbox: Mailbox
) -> None:
    ids, got = _placed(wire, mailbox)
    status, page = _http(_link(got))
    wire.services.clock.freeze(NOW + timedelta(days=31))
    form = {**_hidden(page), "outcome": "refused", "reason": "Geen mentor vrij dit semester"}
    status, expired = _http(_link(got), form)
    assert status == 410 and "Deze link is verlopen" in expired
    assert "Geen mentor vrij dit semester</textarea>" in expired  # what was typed is not lost
    assert _answer(wire, ids) == "pending"
    status, renewed = _http(_link(got), _hidden(expired) | {"renew": "1"})
    assert status == 200 and f"nieuwe link naar {CONTACT}" in renewed
    wire.services.outbox.settle()
    first, fresh = mailbox.mails(CONTACT)
    assert _link(fresh) != _link(first)
    assert _http(_link(got), _hidden(expired) | {"renew": "1"})[0] == 200
    wire.services.outbox.settle()
    assert len(mailbox.mails(CONTACT)) == 2  # while the fresh link is open, asking again mails nothing
    assert _http(_link(got), {"renew": "1"})[0] == 400  # a renewal not from the expired page
    status, page = _http(_link(fresh))
    assert status == 200 and "geldig tot 28 jan 2027" in page
    wire.services.clock.freeze(NOW)


def test_a_link_opened_too_often_in_a_minute_is_slowed_down(wire: Stack, mailbox: Mailbox) -> None:
    ids, got = _placed(wire, mailbox)
    statuses = [_http(_link(got))[0] for _ in range(30)]
    assert statuses == [200] * 30
    status, page = _http(_link(got))
    assert status == 429 and "te vaak geopend" in page
    with wire.session() as s:  # refused before the database: no audit entry for it
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "school_link.viewed")).all()
        assert len(entries) == 30
    assert _answer(wire, ids) == "pending"


def test_the_student_sends_the_links_again_from_stage_contacts(wire: Stack, mailbox: Mailbox) -> None:
    ids, answer_mail = _placed(wire, mailbox)
    _, page = _http(_link(answer_mail))
    _http(_link(answer_mail), {**_hidden(page), "outcome": "accepted"})
    _record_mentors(wire, ids)
    [first] = mailbox.mails("jan.janssens@atheneum.example")
    shown = wire.ws.slash_command("U0ANNA", "/stage", "contacten")
    assert "Link opnieuw sturen" in str(shown.json["blocks"])
    listing = wire.ws.ephemerals("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "school_links_resend", str(ids["atheneum"]), message=listing)
    wire.services.outbox.settle()
    assert "1 nieuwe link is gemaild voor Atheneum" in wire.ws.ephemerals("U0ANNA")[-1].text
    _, again = mailbox.mails("jan.janssens@atheneum.example")
    assert _http(_link(first))[0] == 410  # only the newest link works
    assert _http(_link(again))[0] == 200
    assert len(mailbox.mails(CONTACT)) == 1  # the request is answered: the contact person gets nothing
    wire.ws.click("U0ANNA", "school_links_resend", str(ids["museum"]), message=listing)
    wire.services.outbox.settle()
    assert wire.ws.ephemerals("U0ANNA")[-1].text.startswith("Dat is geen stageplaats van jou")
    assert len(mailbox.mails()) == 3  # not her school: nothing mailed


def test_a_mail_refused_for_good_shows_beside_the_schools_people(wire: Stack, mailbox: Mailbox) -> None:
    mailbox.refuse_next(550, "5.1.1 no such mailbox here")
    ids = _place(wire)
    assert mailbox.mails() == []
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "contacten").json["blocks"])
    assert f"De mail aan {CONTACT} kon niet bezorgd worden (smtp 550: 5.1.1 no such mailbox here)" in shown
    listing = wire.ws.ephemerals("U0ANNA")[-1]
    wire.ws.click("U0ANNA", "school_links_resend", str(ids["atheneum"]), message=listing)
    wire.services.outbox.settle()
    assert len(mailbox.mails(CONTACT)) == 1  # sent again (the address was fine after all)
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "contacten").json["blocks"])
    assert "kon niet bezorgd worden" not in shown  # the refused link was revoked by the new one


def test_a_withdrawn_placement_leaves_nothing_to_answer(wire: Stack, mailbox: Mailbox) -> None:
    from models import placements

    _, got = _placed(wire, mailbox)
    _, page = _http(_link(got))
    with wire.session() as s:
        placement = s.exec(select(Placement)).one()
        assert placements.withdraw(s, placement, actor_id=placement.placed_by_id or 0, now=NOW)
        s.commit()
    status, gone = _http(_link(got), {**_hidden(page), "outcome": "accepted"})
    assert status == 410 and "Er is niets meer te beantwoorden" in gone
    with wire.session() as s:
        assert s.exec(select(Placement)).one().answer == "pending"
