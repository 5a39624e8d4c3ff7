"""The workspace page: its JSON endpoints, and the page itself in headless Chromium."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from ws_helpers import STUDENT, SUPERVISOR, FakeBot, Received, button, modal, section, text_input

from workspace import Workspace


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_page_is_served_with_test_ids(ws: Workspace) -> None:
    status, html = get(ws.url + "/")
    assert status == 200 and "Local workspace: a stand-in for Slack, not Slack" in html
    for test_id in ("person-select", "composer", "send", "conversation", "sidebar", "home", "file-input"):
        assert f'data-testid="{test_id}"' in html
    assert get(ws.url + "/static/page.js")[0] == 200
    assert get(ws.url + "/static/render.js")[0] == 200


def test_state_shows_only_what_this_person_sees(ws: Workspace, client: WebClient) -> None:
    client.chat_postMessage(channel=STUDENT, text="Voor An")
    client.chat_postEphemeral(channel=STUDENT, user=STUDENT, text="Alleen An")
    client.chat_postMessage(channel=SUPERVISOR, text="Voor Bram")
    everyone = json.loads(get(ws.url + "/ui/state")[1])
    assert everyone["user"] is None and {u["id"] for u in everyone["users"]} == {STUDENT, SUPERVISOR}
    state = json.loads(get(ws.url + f"/ui/state?user={STUDENT}")[1])
    assert [(m["text"], m["ephemeral"]) for m in state["conversation"]] == [
        ("Voor An", False),
        ("Alleen An", True),
    ]
    assert state["names"][STUDENT] == "An Peeters" and state["home"] is None


def test_ui_endpoints_drive_the_bot(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    assert post(ws.url + "/ui/command", {"user": STUDENT, "text": "/stage status nu"})[1]["ok"]
    assert bot.last().form["command"] == "/stage" and bot.last().form["text"] == "status nu"
    assert post(ws.url + "/ui/message", {"user": STUDENT, "text": "hallo"})[1]["ok"]
    assert bot.last().payload["event"]["text"] == "hallo"
    assert post(ws.url + "/ui/home", {"user": STUDENT})[1]["ok"]
    assert bot.last().payload["event"]["type"] == "app_home_opened"
    posted = client.chat_postMessage(
        channel=STUDENT, text="x", blocks=[{"type": "actions", "elements": [button("go", "Ga")]}]
    )
    click = {"user": STUDENT, "action_id": "go", "channel": posted["channel"], "ts": posted["ts"]}
    assert post(ws.url + "/ui/click", click)[1]["ok"]
    assert bot.last().payload["actions"][0]["action_id"] == "go"
    status, outcome = post(ws.url + "/ui/click", click | {"action_id": "gone"})
    assert status == 409 and not outcome["ok"]


# The page in a real browser -----------------------------------------------------------------------------


def friendly_bot(client: WebClient) -> Any:
    """A bot that answers /stage with a button, handles the click via response_url, and has a Home tab."""

    def handler(received: Received) -> tuple[int, Any]:
        if received.kind == "slash_command":
            blocks = [
                section(f"Dag <@{received.form['user_id']}>, je status is *onvolledig*"),
                {"type": "actions", "elements": [button("fix", "Aanvullen", "1")]},
            ]
            return 200, {"text": "status", "blocks": blocks}
        if received.kind == "block_actions":
            url = received.payload["response_url"]
            body = json.dumps({"replace_original": True, "text": "Aangevuld _bedankt_"}).encode()
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=5).close()
        if received.payload.get("event", {}).get("type") == "app_home_opened":
            user = received.payload["event"]["user"]
            client.views_publish(user_id=user, view={"type": "home", "blocks": [section("*Jouw taken*")]})
        return 200, ""

    return handler


@pytest.mark.browser
def test_page_in_chromium(ws: Workspace, bot: FakeBot, client: WebClient, browser_page: Any) -> None:
    from playwright.sync_api import expect

    bot.handler = friendly_bot(client)
    page = browser_page
    page.goto(ws.url + "/")
    expect(page.get_by_test_id("banner")).to_contain_text("not Slack")
    page.get_by_test_id("person-select").select_option(STUDENT)
    page.get_by_test_id("composer").fill("/stage status")
    page.get_by_test_id("send").click()
    message = page.get_by_test_id("message").last
    expect(message).to_contain_text("Dag @An Peeters, je status is onvolledig")
    expect(message.locator("b")).to_have_text("onvolledig")
    expect(message).to_contain_text("Only visible to you")
    message.get_by_role("button", name="Aanvullen").click()
    expect(page.get_by_test_id("message").last).to_contain_text("Aangevuld bedankt")
    expect(page.get_by_test_id("message").last.locator("i")).to_have_text("bedankt")
    page.get_by_test_id("home-tab").click()
    expect(page.get_by_test_id("home")).to_contain_text("Jouw taken")


@pytest.mark.browser
def test_modal_in_chromium_keeps_input_and_shows_errors(
    ws: Workspace, bot: FakeBot, client: WebClient, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    def handler(received: Received) -> tuple[int, Any]:
        if received.kind == "slash_command":
            view = modal(text_input("motivation", "text", "Motivatie"))
            client.views_open(trigger_id=received.form["trigger_id"], view=view)
        if received.kind == "view_submission":
            typed = received.payload["view"]["state"]["values"]["motivation"]["text"]["value"] or ""
            if len(typed) < 10:
                return 200, {"response_action": "errors", "errors": {"motivation": "Minstens 10 tekens"}}
        return 200, ""

    bot.handler = handler
    page = browser_page
    page.goto(ws.url + "/")
    page.get_by_test_id("person-select").select_option(STUDENT)
    page.get_by_test_id("composer").fill("/stage voorkeuren")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Voorkeuren")
    field = page.get_by_test_id("modal").locator("input")
    field.fill("kort")
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("field-error")).to_have_text("Minstens 10 tekens")
    expect(field).to_have_value("kort")
    field.fill("dicht bij huis graag")
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-backdrop")).to_be_hidden()
    assert ws.open_views(STUDENT) == []
