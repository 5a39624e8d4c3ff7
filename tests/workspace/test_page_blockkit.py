"""The page renders the Block Kit a bot sends and turns a person's clicks into Slack's payloads.

A small test bot stands in for Stagebot, so every element and modal input is covered whether or not
the real bot uses it yet.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from ws_helpers import STUDENT, TOKEN, FakeBot, Received, button, modal, section, text_input

from workspace import Workspace

pytestmark = pytest.mark.browser

DEC_1_1530_BRUSSELS = 1796135400


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


LEVELS = [option("aso", "ASO"), option("tso", "TSO"), option("bso", "BSO")]

SHOWCASE = [
    {"type": "header", "text": {"type": "plain_text", "text": "Alles in één bericht"}},
    section(
        "*vet* _schuin_ ~weg~ `code` <https://example.org/gids|de gids> voor <@U0STUDENT1>\n"
        f"Intake op <!date^{DEC_1_1530_BRUSSELS}^{{date_short}} om {{time}}|1 december>\n"
        "• eerste punt\n• tweede punt\n&gt; een citaat",
        block_id="text",
    ),
    {
        "type": "section",
        "block_id": "fields",
        "fields": [
            {"type": "mrkdwn", "text": "*School*\nKanaalcollege"},
            {"type": "plain_text", "text": "Uren: 20"},
        ],
        "accessory": {"type": "overflow", "action_id": "more", "options": [option("edit", "Wijzigen")]},
    },
    {"type": "divider"},
    {"type": "image", "image_url": "http://127.0.0.1:9/kaart.png", "alt_text": "kaart van de school"},
    {
        "type": "context",
        "elements": [
            {"type": "image", "image_url": "http://127.0.0.1:9/logo.png", "alt_text": "logo"},
            {"type": "mrkdwn", "text": "Laatst bijgewerkt door _de bot_"},
        ],
    },
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            button("approve", "Goedkeuren", "7") | {"style": "primary"},
            button("send_back", "Terugsturen", "7")
            | {
                "style": "danger",
                "confirm": {
                    "title": {"type": "plain_text", "text": "Zeker terugsturen?"},
                    "text": {"type": "mrkdwn", "text": "De student krijgt een *bericht*."},
                    "confirm": {"type": "plain_text", "text": "Ja, terugsturen"},
                    "deny": {"type": "plain_text", "text": "Nee"},
                    "style": "danger",
                },
            },
        ],
    },
    {
        "type": "actions",
        "block_id": "choices",
        "elements": [
            {"type": "static_select", "action_id": "level", "options": LEVELS},
            {"type": "multi_static_select", "action_id": "levels", "options": LEVELS},
            {"type": "datepicker", "action_id": "day", "initial_date": "2026-12-01"},
            {"type": "timepicker", "action_id": "hour", "initial_time": "09:30"},
            {
                "type": "checkboxes",
                "action_id": "grades",
                "options": [option("2", "2de graad"), option("3", "3de graad")],
            },
            {
                "type": "radio_buttons",
                "action_id": "lio",
                "options": [option("yes", "LIO"), option("no", "Geen LIO")],
            },
        ],
    },
]


def test_every_block_and_element_is_drawn(ws: Workspace, client: WebClient, browser_page: Any) -> None:
    from playwright.sync_api import expect

    client.chat_postMessage(channel=STUDENT, text="alles", blocks=SHOWCASE)
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    message = page.get_by_test_id("message").last
    expect(message.locator("h3")).to_have_text("Alles in één bericht")
    text = message.locator('[data-block="text"]')
    expect(text.locator("b")).to_have_text("vet")
    expect(text.locator("i")).to_have_text("schuin")
    expect(text.locator("s")).to_have_text("weg")
    expect(text.locator("code")).to_have_text("code")
    expect(text.locator("a")).to_have_attribute("href", "https://example.org/gids")
    expect(text.get_by_test_id("mention")).to_have_text("@An Peeters")
    expect(text.get_by_test_id("slack-date")).to_have_text("Dec 1, 2026 om 3:30 PM")
    expect(text.locator(".li")).to_have_count(2)
    expect(text.locator("blockquote")).to_have_text("een citaat")
    expect(message.locator('[data-block="fields"] .fields > div')).to_have_count(2)
    expect(message.locator("hr")).to_have_count(1)
    expect(message.locator("img.block-image")).to_have_attribute("alt", "kaart van de school")
    expect(message.locator(".context")).to_contain_text("Laatst bijgewerkt door de bot")
    expect(message.get_by_role("button", name="Goedkeuren")).to_have_class("bk primary")
    expect(message.get_by_role("button", name="Terugsturen")).to_have_class("bk danger")
    expect(message.locator('select[data-kind="select"] option')).to_have_count(4)
    expect(message.locator('select[data-kind="multi"]')).to_have_count(1)
    # Slack draws its date and time pickers in the person's language (An: nl-BE), not the browser's
    expect(message.get_by_test_id("date-field")).to_have_value("01/12/2026")
    expect(message.get_by_test_id("date-field")).to_have_attribute("placeholder", "dd/mm/jjjj")
    expect(message.get_by_test_id("time-field")).to_have_value("09:30")
    expect(message.locator('input[type="checkbox"]')).to_have_count(2)
    expect(message.locator('input[type="radio"]')).to_have_count(2)


def test_clicks_become_slack_payloads(
    ws: Workspace, bot: FakeBot, client: WebClient, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    posted = client.chat_postMessage(channel=STUDENT, text="alles", blocks=SHOWCASE)
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    message = page.get_by_test_id("message").last

    def last_action() -> dict[str, Any]:
        return bot.received[-1].payload["actions"][0]

    message.get_by_role("button", name="Terugsturen").click()
    expect(page.get_by_test_id("confirm-title")).to_have_text("Zeker terugsturen?")
    page.get_by_test_id("confirm-no").click()
    expect(page.get_by_test_id("confirm")).to_be_hidden()
    assert bot.received == []
    message.get_by_role("button", name="Terugsturen").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("confirm")).to_be_hidden()
    _wait(lambda: len(bot.received) == 1)
    assert last_action()["action_id"] == "send_back" and last_action()["value"] == "7"
    assert bot.received[-1].payload["container"]["message_ts"] == posted["ts"]

    message.locator(".overflow summary").click()
    message.get_by_role("button", name="Wijzigen").click()
    _wait(lambda: len(bot.received) == 2)
    assert last_action()["selected_option"]["value"] == "edit"

    message.locator('select[data-kind="select"]').select_option("tso")
    _wait(lambda: len(bot.received) == 3)
    assert last_action()["action_id"] == "level" and last_action()["selected_option"]["value"] == "tso"

    message.get_by_label("3de graad").check()
    _wait(lambda: len(bot.received) == 4)
    assert [o["value"] for o in last_action()["selected_options"]] == ["3"]

    message.get_by_test_id("date-field").fill("8/12/2026")
    message.get_by_test_id("date-field").press("Tab")
    _wait(lambda: len(bot.received) == 5)
    assert last_action()["selected_date"] == "2026-12-08"

    done = [section("✅ Goedgekeurd door Bram")]
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Goedgekeurd", blocks=done)
    expect(page.get_by_test_id("message").last).to_contain_text("Goedgekeurd door Bram")
    expect(page.get_by_test_id("edited")).to_be_visible()
    expect(page.get_by_test_id("message")).to_have_count(1)
    client.chat_delete(channel=posted["channel"], ts=posted["ts"])
    expect(page.get_by_test_id("message")).to_have_count(0)


def _wait(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not receive the expected delivery")
        time.sleep(0.02)


def every_input() -> list[dict[str, Any]]:
    def block(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "element": {"action_id": "v"} | element,
            **extra,
        }

    return [
        text_input("motivation", "v", "Motivatie"),
        block("notes", "Opmerkingen", {"type": "plain_text_input", "multiline": True}, optional=True),
        block("level", "Niveau", {"type": "static_select", "options": LEVELS}),
        block("levels", "Ook goed", {"type": "multi_static_select", "options": LEVELS}),
        block("start", "Startdatum", {"type": "datepicker"}),
        block("hour", "Uur", {"type": "timepicker"}),
        block(
            "grades", "Graden", {"type": "checkboxes", "options": [option("2", "2de"), option("3", "3de")]}
        ),
        block("lio", "LIO", {"type": "radio_buttons", "options": [option("yes", "Ja"), option("no", "Nee")]}),
        block("proof", "Bewijs", {"type": "file_input", "max_files": 1}, optional=True),
        {
            "type": "actions",
            "block_id": "more",
            "elements": [button("push_more", "Meer details…")],
        },
    ]


def test_a_modal_with_every_input(
    ws: Workspace, bot: FakeBot, client: WebClient, browser_page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    submissions: list[dict[str, Any]] = []

    def handler(received: Received) -> tuple[int, Any]:
        if received.kind == "slash_command":
            view = modal(*every_input(), private_metadata='{"student": 7}')
            client.views_open(trigger_id=received.form["trigger_id"], view=view)
        elif received.kind == "block_actions" and received.payload["actions"][0]["action_id"] == "push_more":
            pushed = modal(section("Meer uitleg"), text_input("extra", "v", "Extra"))
            client.views_push(trigger_id=received.payload["trigger_id"], view=pushed)
        elif received.kind == "view_submission":
            view = received.payload["view"]
            submissions.append(view)
            values = view["state"]["values"]
            if (
                view["blocks"][0]["block_id"] == "motivation"
                and values["start"]["v"]["selected_date"] < "2026-12-01"
            ):
                return 200, {
                    "response_action": "errors",
                    "errors": {"start": "Kies een datum vanaf 1 december"},
                }
            if view["blocks"][0]["block_id"] == "motivation":
                return 200, {
                    "response_action": "update",
                    "view": modal(section("Bedankt!"), title={"type": "plain_text", "text": "Klaar"}),
                }
        return 200, ""

    bot.handler = handler
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    page.get_by_test_id("composer").fill("/stage voorkeuren")
    page.get_by_test_id("send").click()
    form = page.get_by_test_id("modal")
    expect(page.get_by_test_id("modal-title")).to_have_text("Voorkeuren")
    form.locator('[data-block="motivation"] input').fill("Dicht bij huis")
    form.locator('[data-block="notes"] textarea').fill("Liefst\nin Brussel")
    form.locator('[data-block="level"] select').select_option("aso")
    form.locator('[data-block="levels"] select').select_option(["tso", "bso"])
    form.locator('[data-block="start"] input').fill("2026-11-20")
    form.locator('[data-block="hour"] input').fill("13:45")
    form.locator('[data-block="grades"]').get_by_label("3de").check()
    form.locator('[data-block="lio"]').get_by_label("Nee").check()
    proof = tmp_path / "bewijs.pdf"
    proof.write_bytes(b"%PDF-1.4 bewijs")
    form.get_by_test_id("modal-file").set_input_files(str(proof))
    expect(form.locator('[data-block="proof"] .picked')).to_contain_text("bewijs.pdf")

    form.get_by_role("button", name="Meer details…").click()
    expect(page.get_by_test_id("modal-depth")).to_have_text("2 of 2")
    page.get_by_test_id("modal-close").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Voorkeuren")
    expect(form.locator('[data-block="motivation"] input')).to_have_value("Dicht bij huis")

    page.get_by_test_id("modal-submit").click()
    error = form.locator('[data-block="start"]').get_by_test_id("field-error")
    expect(error).to_have_text("Kies een datum vanaf 1 december")
    expect(form.locator('[data-block="notes"] textarea')).to_have_value("Liefst\nin Brussel")
    first = submissions[0]
    assert first["private_metadata"] == '{"student": 7}'
    values = first["state"]["values"]
    assert values["motivation"]["v"]["value"] == "Dicht bij huis"
    assert values["notes"]["v"]["value"] == "Liefst\nin Brussel"
    assert values["level"]["v"]["selected_option"]["value"] == "aso"
    assert [o["value"] for o in values["levels"]["v"]["selected_options"]] == ["tso", "bso"]
    assert values["hour"]["v"]["selected_time"] == "13:45"
    assert [o["value"] for o in values["grades"]["v"]["selected_options"]] == ["3"]
    assert values["lio"]["v"]["selected_option"]["value"] == "no"
    (sent_file,) = values["proof"]["v"]["files"]
    assert ws.state.files[sent_file["id"]].content == proof.read_bytes()

    form.locator('[data-block="start"] input').fill("2026-12-03")
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Klaar")
    expect(form).to_contain_text("Bedankt!")
    assert submissions[-1]["state"]["values"]["start"]["v"]["selected_date"] == "2026-12-03"
    page.get_by_test_id("modal-close").click()
    expect(page.get_by_test_id("modal-backdrop")).to_be_hidden()
    assert ws.open_views(STUDENT) == []


def test_a_file_picked_in_the_dm_is_downloadable_by_the_bot_only(
    ws: Workspace, bot: FakeBot, browser_page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    downloads: list[bytes] = []

    def handler(received: Received) -> tuple[int, Any]:
        event = received.payload.get("event", {})
        if event.get("type") == "file_shared":
            info = WebClient(token=TOKEN, base_url=ws.api_url).files_info(file=event["file_id"])
            request = urllib.request.Request(
                info["file"]["url_private"], headers={"Authorization": f"Bearer {TOKEN}"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                downloads.append(response.read())
        return 200, ""

    bot.handler = handler
    extract = tmp_path / "uittreksel.pdf"
    extract.write_bytes(b"%PDF-1.4 uittreksel strafregister")
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    page.get_by_test_id("file-input").set_input_files(str(extract))
    expect(page.get_by_test_id("file")).to_contain_text("uittreksel.pdf")
    # The page shows the file as soon as it is stored; the bot's download may still be under way.
    deadline = time.monotonic() + 5
    while not downloads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert downloads == [extract.read_bytes()]
    (stored,) = ws.state.files.values()
    anonymous = urllib.request.Request(f"{ws.url}/files/{stored.id}/{stored.name}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=5)
    assert refused.value.code == 403
    expect(page.get_by_test_id("status")).to_be_empty()


def test_the_page_draws_and_speaks_as_slack_does_in_the_persons_language(
    ws: Workspace, bot: FakeBot, client: WebClient, browser_page: Any
) -> None:
    """A list with inline code stays one line per item; a field error reads as mrkdwn; the file and date
    controls speak the person's language (An: nl-BE); Shift+Enter makes a second line; an unknown slash
    command is refused as Slack refuses it; a file the bot sent is a download."""
    from playwright.sync_api import expect

    def handler(received: Received) -> tuple[int, Any]:
        if received.kind == "slash_command" and received.form["command"] == "/stage":
            inputs = [
                {
                    "type": "input",
                    "block_id": "proof",
                    "optional": True,
                    "label": {"type": "plain_text", "text": "Bewijs"},
                    "element": {"type": "file_input", "action_id": "v", "max_files": 1},
                },
                {
                    "type": "input",
                    "block_id": "start",
                    "label": {"type": "plain_text", "text": "Begin"},
                    "element": {"type": "datepicker", "action_id": "v"},
                },
            ]
            client.views_open(trigger_id=received.form["trigger_id"], view=modal(*inputs))
        elif received.kind == "slash_command":
            return 404, ""  # an app answers so for a command it does not have
        elif received.kind == "view_submission":
            return 200, {"response_action": "errors", "errors": {"start": "Typ `/stage lio` *eerst*"}}
        return 200, ""

    bot.handler = handler
    client.chat_postMessage(
        channel=STUDENT, text="lijst", blocks=[section("• `Kanaalcollege` (Molenbeek)\n• Lyceum")]
    )
    invite = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    client.files_upload_v2(channel=ws.dm_channel(STUDENT), content=invite, filename="intakegesprek.ics")
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    item = page.locator(".li").first
    expect(item.locator(":scope > *")).to_have_count(2)  # the marker and one text: no columns
    expect(item.locator(".item")).to_have_text("Kanaalcollege (Molenbeek)")
    expect(page.locator(".li").nth(1).locator(".item")).to_be_visible()  # laid out before it is measured
    # Both heights in one script: the page may redraw the conversation between two separate measurements.
    measure = "() => [...document.querySelectorAll('.li .item')].slice(0, 2).map(e => e.offsetHeight)"
    page.wait_for_function(f"({measure})().length === 2 && ({measure})().every(h => h > 0)")
    first, second = page.evaluate(measure)
    assert first <= second + 1

    with page.expect_download() as download:
        page.get_by_test_id("file-download").click()
    assert download.value.suggested_filename == "intakegesprek.ics"
    assert Path(download.value.path()).read_bytes() == invite

    composer = page.get_by_test_id("composer")
    composer.fill("regel 1")
    composer.press("Shift+Enter")
    composer.type("regel 2")
    composer.press("Enter")
    deadline = time.monotonic() + 5
    while not any(r.payload.get("event", {}).get("text") == "regel 1\nregel 2" for r in bot.received):
        assert time.monotonic() < deadline, "the two lines did not reach the bot as one message"
        time.sleep(0.02)

    composer.fill("/stag status")
    composer.press("Enter")
    expect(page.get_by_test_id("status")).to_contain_text("/stag is not a valid command")

    composer.fill("/stage formulier")
    composer.press("Enter")
    form = page.get_by_test_id("modal")
    expect(form.locator('[data-block="proof"]')).to_contain_text("Bestand kiezen")
    expect(form.locator('[data-block="proof"]')).to_contain_text("Geen bestand gekozen")
    expect(form.locator('[data-block="proof"] > label')).to_contain_text("(optioneel)")
    expect(form.get_by_test_id("date-field")).to_have_attribute("placeholder", "dd/mm/jjjj")
    form.get_by_test_id("date-field").fill("15/02/2027")
    page.get_by_test_id("modal-submit").click()
    error = form.locator('[data-block="start"]').get_by_test_id("field-error")
    expect(error.locator("code")).to_have_text("/stage lio")
    expect(error.locator("b")).to_have_text("eerst")
    submitted = next(r for r in bot.received if r.kind == "view_submission")
    assert submitted.payload["view"]["state"]["values"]["start"]["v"]["selected_date"] == "2027-02-15"
