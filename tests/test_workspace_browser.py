"""The whole bot in the local workspace, driven in headless Chromium as a person would drive it.

The bot, its scheduler and the workspace run in this process (`bot.local.start_local`, what
`stagebot run` starts), so the tests can also check what the bot stored and where its clock stands.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.local import LocalWorkspace, start_local
from bot.settings import load_settings
from models.people_csv import import_people

pytestmark = pytest.mark.browser

# The workspace runs frozen at this moment (until a test moves its clock), whatever day the suite runs:
# Tuesday 1 December 2026, 08:30 in Brussels, a working day before the sweep, so no reminder is due.
START = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
STUDENT = "U0DEMOST01"  # Yasmina El Amrani
SUPERVISOR = "U0DEMOSV01"  # Marleen De Smet
COORDINATOR = "U0DEMOCO01"  # Hilde Claes


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWorkspace]:
    database = tmp_path_factory.mktemp("local") / "demo.db"
    local = start_local(load_settings(), demo_database=f"sqlite:///{database}", port=0, start=START)
    yield local
    local.stop()


@pytest.fixture
def local(running: LocalWorkspace) -> LocalWorkspace:
    """Fresh demo data, empty conversations and the clock back at START for every test."""
    running.ws.reset_demo()
    return running


def open_as(page: Any, local: LocalWorkspace, person: str) -> None:
    page.goto(local.url + "/")
    page.get_by_test_id("person-select").select_option(person)


def type_in_composer(page: Any, text: str) -> None:
    page.get_by_test_id("composer").fill(text)
    page.get_by_test_id("send").click()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """A bounded wait for the bot's side of something the page already shows."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the bot did not follow within the time allowed"
        time.sleep(0.02)


def days_left(text: str) -> int:
    found = re.search(r"nog (-?\d+) dagen", text)
    assert found, f"no countdown in {text!r}"
    return int(found.group(1))


def test_switch_person_and_read_the_checklist(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, STUDENT)
    expect(page.get_by_test_id("banner")).to_contain_text("not Slack")
    picker = page.get_by_test_id("person-select")
    expect(picker.locator(f'option[value="{STUDENT}"]')).to_have_text(
        "Yasmina El Amrani — student (Wiskunde & Informatica)"
    )
    expect(picker.locator(f'option[value="{COORDINATOR}"]')).to_have_text("Hilde Claes — coordinator")
    type_in_composer(page, "/stage status")
    reply = page.get_by_test_id("message").last
    expect(reply).to_contain_text("Jouw stage: stand van zaken")
    expect(reply).to_contain_text("1. Intakegesprek")
    expect(reply).to_contain_text("8. Goedkeuring opstart stage")
    expect(reply.get_by_test_id("ephemeral-note")).to_be_visible()

    page.get_by_test_id("person-select").select_option(SUPERVISOR)
    expect(page.get_by_test_id("conversation")).to_contain_text("Document ter beoordeling")  # the demo's
    expect(page.get_by_test_id("conversation")).not_to_contain_text("Jouw stage: stand van zaken")
    type_in_composer(page, "/stage status")
    expect(page.get_by_test_id("message").last).not_to_contain_text("Jouw stage: stand van zaken")
    expect(page.get_by_test_id("message").last).to_contain_text("@Yasmina El Amrani")

    page.get_by_test_id("person-select").select_option(STUDENT)
    expect(page.get_by_test_id("message")).to_have_count(1)
    expect(page.get_by_test_id("message").last).to_contain_text("Jouw stage: stand van zaken")


def more_students(local: LocalWorkspace, count: int) -> None:
    header = "slack_id,name,roles,subject_x,subject_y,supervisor_x,supervisor_y,supervisor"
    rows = [
        f"U0EXTRA{n:03d},Extra Student {n:02d},student,Wiskunde,Informatica,{SUPERVISOR},{SUPERVISOR},"
        for n in range(count)
    ]
    with local.services.db.session() as session:
        import_people(session, "\n".join([header, *rows]) + "\n")


def test_paging_replaces_the_message_in_place(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    more_students(local, 14)  # 26 students: two pages of 20
    page = browser_page
    open_as(page, local, COORDINATOR)
    type_in_composer(page, "/stage status")
    overview = page.get_by_test_id("message").last
    expect(overview).to_contain_text("Studenten 1 tot 20 van 26")
    ts = overview.get_attribute("data-ts")
    overview.get_by_role("button", name="Volgende ▶").click()
    same = page.locator(f'[data-testid="message"][data-ts="{ts}"]')
    expect(same).to_contain_text("Studenten 21 tot 26 van 26")
    expect(same.get_by_role("button", name="◀ Vorige")).to_be_visible()
    expect(page.get_by_test_id("message")).to_have_count(1)


def test_details_button_answers_only_the_person_who_clicked(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, SUPERVISOR)
    type_in_composer(page, "/stage students")
    listing = page.get_by_test_id("message").last
    expect(listing).to_contain_text("Yasmina El Amrani")
    listing.locator(".section", has_text="Yasmina El Amrani").get_by_role("button", name="Details").click()
    detail = page.get_by_test_id("message").last
    expect(detail).to_contain_text("Wiskunde")
    expect(detail.get_by_test_id("ephemeral-note")).to_be_visible()
    ephemeral = [m.ephemeral_to for m in local.ws.messages(SUPERVISOR) if m.ephemeral_to]
    assert ephemeral == [SUPERVISOR, SUPERVISOR]  # the listing and the detail, for her alone


def test_a_file_dropped_in_the_dm_reaches_the_bot(
    local: LocalWorkspace, browser_page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    document = tmp_path / "verbintenisverklaring.pdf"
    document.write_bytes(b"%PDF-1.4 demo\n%%EOF\n")
    page = browser_page
    open_as(page, local, STUDENT)
    page.get_by_test_id("file-input").set_input_files(str(document))
    expect(page.get_by_test_id("file")).to_contain_text("verbintenisverklaring.pdf")
    # The page shows the file once the workspace has it; its two deliveries to the bot follow.
    wait_until(lambda: bool(local.ws.deliveries("event:message")))
    shared = local.ws.deliveries("event:file_shared")
    assert len(shared) == 1 and shared[0].payload["event"]["user_id"] == STUDENT
    assert shared[0].status not in (0, 401), "the bot did not take the signed delivery"
    (stored,) = local.ws.state.files.values()
    assert stored.content == document.read_bytes() and stored.user == STUDENT
    message = local.ws.deliveries("event:message")[-1].payload["event"]
    assert message["subtype"] == "file_share" and message["files"][0]["id"] == stored.id


def test_the_clock_control_moves_the_bots_time(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, STUDENT)
    expect(page.get_by_test_id("clock-day")).to_be_visible()
    page.get_by_test_id("clock-date").fill("2026-11-28T10:00")
    page.get_by_test_id("clock-jump").click()
    expect(page.get_by_test_id("clock-now")).to_contain_text("28 Nov 2026")
    brussels_ten = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    # Wait for the bot's clock itself, not only for the page.
    wait_until(lambda: abs(local.services.clock.now() - brussels_ten) < timedelta(minutes=1))

    type_in_composer(page, "/stage status")
    expect(page.get_by_test_id("message")).to_have_count(1)
    before = days_left(page.get_by_test_id("message").last.inner_text())
    page.get_by_test_id("clock-day").click()
    expect(page.get_by_test_id("clock-now")).to_contain_text("29 Nov 2026")
    wait_until(
        lambda: abs(local.services.clock.now() - (brussels_ten + timedelta(days=1))) < timedelta(minutes=1)
    )
    type_in_composer(page, "/stage status")
    expect(page.get_by_test_id("message")).to_have_count(2)
    assert days_left(page.get_by_test_id("message").last.inner_text()) == before - 1

    page.get_by_test_id("clock-hour").click()
    expect(page.get_by_test_id("clock-offset")).to_be_visible()
    assert local.services.clock.now() - brussels_ten > timedelta(hours=24, minutes=59)


def test_unread_marks_and_the_announcements_channel(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, STUDENT)
    expect(page.get_by_test_id("messages-tab")).to_be_visible()
    bot = WebClient(token=local.services.settings.slack_bot_token, base_url=local.ws.api_url)
    bot.chat_postMessage(channel="stage-aankondigingen", text="Nog *7 dagen* voor de verbintenisverklaring")
    channel = page.get_by_test_id("channel-tab")
    expect(channel.get_by_test_id("unread")).to_have_text("1")
    channel.click()
    expect(page.get_by_test_id("conversation-title")).to_have_text("#stage-aankondigingen")
    expect(page.get_by_test_id("message").last.locator("b")).to_have_text("7 dagen")
    expect(channel.get_by_test_id("unread")).to_have_count(0)
    bot.chat_postMessage(channel=STUDENT, text="Een herinnering")
    expect(page.get_by_test_id("messages-tab").get_by_test_id("unread")).to_have_text("1")
    page.get_by_test_id("messages-tab").click()
    expect(page.get_by_test_id("message").last).to_contain_text("Een herinnering")
    expect(page.get_by_test_id("messages-tab").get_by_test_id("unread")).to_have_count(0)


def test_the_home_tab_shows_the_checklist(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, STUDENT)
    page.get_by_test_id("home-tab").click()
    expect(page.get_by_test_id("home")).to_contain_text("1. Intakegesprek")


def test_reset_puts_the_demo_back(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    more_students(local, 2)
    page = browser_page
    open_as(page, local, STUDENT)
    type_in_composer(page, "/stage status")
    expect(page.get_by_test_id("message")).to_have_count(1)
    page.get_by_test_id("clock-day").click()
    expect(page.get_by_test_id("clock-offset")).not_to_be_empty()
    page.get_by_test_id("reset-demo").click()
    page.get_by_test_id("confirm-yes").click()
    # The workspace empties at once; the page says so once the bot has its fresh demo data too.
    # (seeding the demo through the real operations takes a while on a busy machine)
    expect(page.get_by_test_id("status")).to_have_text("The demo data is fresh again.", timeout=30_000)
    expect(page.get_by_test_id("conversation")).to_contain_text("No messages yet")
    expect(page.get_by_test_id("clock-offset")).to_be_empty()
    assert local.services.clock.now() == START and local.ws.now() == START.timestamp()
    with local.services.db.session() as session:
        from sqlmodel import select

        from models.people import Person

        ids = {p.slack_user_id for p in session.exec(select(Person)).all()}
    assert STUDENT in ids and not any(i.startswith("U0EXTRA") for i in ids)


def test_the_bots_own_modal_shows_an_error_under_the_field_then_succeeds(
    local: LocalWorkspace, browser_page: Any
) -> None:
    """The intake-slots form of the real bot: an end before the start, then a good range and its preview."""
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, SUPERVISOR)
    type_in_composer(page, "/stage intake slots")
    form = page.get_by_test_id("modal")
    expect(page.get_by_test_id("modal-title")).to_be_visible()
    # as Marleen writes a date (nl-BE), not the browser's own format
    day = (local.services.clock.now() + timedelta(days=10)).date().strftime("%d/%m/%Y")
    form.locator('[data-block="date"] input').fill(day)
    form.locator('[data-block="start"] input').fill("14:00")
    form.locator('[data-block="end"] input').fill("13:00")
    page.get_by_test_id("modal-submit").click()
    error = form.locator('[data-block="end"]').get_by_test_id("field-error")
    expect(error).to_be_visible()
    expect(form.locator('[data-block="date"] input')).to_have_value(day)
    form.locator('[data-block="end"] input').fill("15:00")
    page.get_by_test_id("modal-submit").click()
    expect(form.locator('[data-block="end"]')).to_have_count(0)  # the form became the preview
    expect(form).to_contain_text("14:40")  # three slots of 20 minutes: 14:00, 14:20, 14:40


def test_switching_person_hides_the_previous_persons_modal(local: LocalWorkspace, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    open_as(page, local, STUDENT)
    type_in_composer(page, "/stage voorkeuren")
    expect(page.get_by_test_id("modal-title")).to_be_visible()
    page.get_by_test_id("person-select").select_option(SUPERVISOR)
    expect(page.get_by_test_id("modal-title")).to_have_count(0)
    page.get_by_test_id("person-select").select_option(STUDENT)
    expect(page.get_by_test_id("modal-title")).to_be_visible()  # hers is still open, as in Slack


def test_the_preference_ranking_is_the_order_chosen_not_the_lists_order(
    local: LocalWorkspace, browser_page: Any
) -> None:
    """Yasmina picks Lyceum De Horizon first and Atheneum Zennevallei second (listed the other way round)."""
    from playwright.sync_api import expect
    from sqlmodel import col, select

    from models.people import Person
    from models.preferences import PreferenceSubmission
    from models.schools import Institution

    page = browser_page
    open_as(page, local, STUDENT)
    type_in_composer(page, "/stage voorkeuren")
    form = page.get_by_test_id("modal")
    expect(page.get_by_test_id("modal-title")).to_be_visible()
    form.locator('[data-block="institutions_1"] select').select_option(label="Lyceum De Horizon (Jette)")
    form.locator('[data-block="institutions_2"] select').select_option(
        label="Atheneum Zennevallei (Anderlecht)"
    )
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-backdrop")).to_be_hidden()
    expect(page.get_by_test_id("conversation")).to_contain_text(
        re.compile(r"1\.\s*Lyceum De Horizon \(Jette\)\s*2\.\s*Atheneum Zennevallei \(Anderlecht\)")
    )
    with local.services.db.session() as session:
        me = session.exec(select(Person).where(Person.slack_user_id == STUDENT)).one()
        row = session.exec(
            select(PreferenceSubmission)
            .where(PreferenceSubmission.student_id == me.id)
            .order_by(col(PreferenceSubmission.id).desc())
        ).first()
        codes = {s.id: s.code for s in session.exec(select(Institution))}
    assert row is not None and [codes[i] for i in row.institution_ids] == ["LYC-JETTE", "ATH-ZENNE"]


def test_the_contact_person_reads_the_mail_in_the_mailbox_and_answers_through_its_link(
    local: LocalWorkspace, browser_page: Any
) -> None:
    from playwright.sync_api import expect
    from sqlmodel import select

    from models.people import Person
    from models.placements import Placement
    from models.schools import by_code

    assert local.mailbox is not None and local.mailbox.mails() == []
    with local.services.db.session() as session:
        school = by_code(session, {"ATH-ZENNE"})["ATH-ZENNE"]  # its contact person has an address
    local.ws.slash_command(SUPERVISOR, "/stage", f"plaats <@{STUDENT}>")
    values = {
        "institution": {"institution": str(school.id)},
        "activities": {"activities": ["VDX1:observation"]},
        "level": {"level": "aso"},
        "grade": {"grade": "2"},
    }
    local.ws.submit_view(SUPERVISOR, local.ws.open_views(SUPERVISOR)[-1], values)
    wait_until(lambda: bool(local.mailbox and local.mailbox.mails()))

    page = browser_page
    open_as(page, local, SUPERVISOR)
    expect(page.get_by_test_id("mailbox-link")).to_be_visible()
    page.goto(local.url + page.get_by_test_id("mailbox-link").get_attribute("href"))
    expect(page.get_by_test_id("mail-row")).to_have_count(1)
    expect(page.get_by_test_id("mail-row")).to_contain_text("sofie.wouters@zennevallei.example")
    page.get_by_test_id("mail-subject").click()
    expect(page.get_by_text("Beste Sofie Wouters,")).to_be_visible()
    page.get_by_role("link", name="Aanvraag beantwoorden").click()
    expect(page.get_by_role("heading", name="Stageaanvraag van Yasmina El Amrani")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Internship request from Yasmina El Amrani")).to_be_visible()
    page.get_by_label("The school accepts the internship").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("You accepted the internship of Yasmina El Amrani")).to_be_visible()
    with local.services.db.session() as session:
        student = session.exec(select(Person).where(Person.slack_user_id == STUDENT)).one()
        [placement] = session.exec(select(Placement).where(Placement.student_id == student.id)).all()
        assert placement.answer == "accepted"
