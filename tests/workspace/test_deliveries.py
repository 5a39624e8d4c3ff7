"""Driving the bot: slash commands, button clicks, response_url answers and events."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from ws_helpers import ANNOUNCE, STUDENT, SUPERVISOR, Clock, FakeBot, Received, button, section

from workspace import Message, Workspace


def respond(url: str, body: dict[str, Any]) -> dict[str, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_slash_command_form(ws: Workspace, bot: FakeBot) -> None:
    ws.slash_command(STUDENT, "/stage", "status")
    form = bot.last().form
    assert bot.last().headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form["command"] == "/stage" and form["text"] == "status"
    assert form["user_id"] == STUDENT and form["user_name"] == "an.peeters"
    assert form["channel_id"] == ws.dm_channel(STUDENT) and form["channel_name"] == "directmessage"
    assert form["response_url"].startswith(ws.url + "/response/")
    for key in ("token", "team_id", "team_domain", "api_app_id", "trigger_id"):
        assert form[key], key
    ws.slash_command(STUDENT, "/stage", "", channel_id=ANNOUNCE)
    assert bot.last().form["channel_name"] == "stage-aankondigingen"


def test_command_reply_becomes_an_ephemeral(ws: Workspace, bot: FakeBot) -> None:
    bot.handler = lambda r: (200, {"text": "Je hebt nog geen voorkeuren", "blocks": [section("*Status*")]})
    ws.slash_command(STUDENT, "/stage", "status")
    (shown,) = ws.ephemerals(STUDENT)
    assert shown.text == "Je hebt nog geen voorkeuren" and shown.blocks[0]["text"]["text"] == "*Status*"
    assert shown.channel == ws.dm_channel(STUDENT) and shown.user == "U0STAGEBOT"
    assert ws.messages(ws.dm_channel(STUDENT)) == [shown]

    bot.handler = lambda r: (200, "gewone tekst")
    plain = ws.slash_command(STUDENT, "/stage", "help")
    assert plain.json is None and plain.reply == {"text": "gewone tekst"}
    assert ws.ephemerals(STUDENT)[-1].text == "gewone tekst"

    bot.handler = lambda r: (200, "")
    ws.slash_command(STUDENT, "/stage", "stil")
    assert len(ws.ephemerals(STUDENT)) == 2


def test_in_channel_reply_is_public(ws: Workspace, bot: FakeBot) -> None:
    bot.handler = lambda r: (200, {"response_type": "in_channel", "text": "Iedereen ziet dit"})
    ws.slash_command(STUDENT, "/stage", "x", channel_id=ANNOUNCE)
    (message,) = ws.messages(ANNOUNCE)
    assert message.ephemeral_to is None and ws.ephemerals(STUDENT) == []


def test_bad_reply_is_reported(ws: Workspace, bot: FakeBot) -> None:
    bot.handler = lambda r: (200, {"blocks": [section("x")] * 51})
    assert "invalid_blocks" in (ws.slash_command(STUDENT, "/stage", "x").problem or "")
    bot.handler = lambda r: (500, "boom")
    failed = ws.slash_command(STUDENT, "/stage", "x")
    assert failed.status == 500 and not failed.ok
    assert ws.ephemerals(STUDENT) == []


def test_bot_calls_the_api_while_the_command_is_in_flight(
    ws: Workspace, bot: FakeBot, client: WebClient
) -> None:
    def handler(received: Received) -> tuple[int, Any]:
        user = client.users_info(user=received.form["user_id"], include_locale=True)["user"]
        client.chat_postMessage(channel=ANNOUNCE, text=f"{user['real_name']} vroeg zijn status")
        return 200, {"text": f"Dag {user['real_name']} ({user['locale']})"}

    bot.handler = handler
    delivery = ws.slash_command(STUDENT, "/stage", "status")
    assert delivery.ok and delivery.json == {"text": "Dag An Peeters (nl-BE)"}
    assert [c.method for c in ws.calls()] == ["users.info", "chat.postMessage"]
    assert ws.ephemerals(STUDENT)[0].text == "Dag An Peeters (nl-BE)"


def approval_message(client: WebClient, ws: Workspace) -> Message:
    blocks = [
        section("An Peeters vraagt goedkeuring"),
        {"type": "actions", "block_id": "decide", "elements": [button("approve", "Goedkeuren", "P42")]},
    ]
    client.chat_postMessage(channel=SUPERVISOR, text="Goedkeuring gevraagd", blocks=blocks)
    return ws.messages(ws.dm_channel(SUPERVISOR))[-1]


def test_click_sends_block_actions(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    message = approval_message(client, ws)
    ws.click(SUPERVISOR, "approve", message=message)
    payload = bot.last().payload
    assert bot.last().form.keys() == {"payload"}
    assert payload["type"] == "block_actions" and payload["user"]["id"] == SUPERVISOR
    (action,) = payload["actions"]
    assert action["action_id"] == "approve" and action["block_id"] == "decide"
    assert action["value"] == "P42" and action["type"] == "button" and action["action_ts"]
    assert payload["container"]["message_ts"] == message.ts
    assert payload["message"]["ts"] == message.ts and payload["channel"]["id"] == message.channel
    assert payload["response_url"].startswith(ws.url + "/response/") and payload["trigger_id"]


def test_click_without_a_message_finds_the_newest(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    approval_message(client, ws)
    newest = approval_message(client, ws)
    ws.click(SUPERVISOR, "approve")
    assert bot.last().payload["container"]["message_ts"] == newest.ts
    with pytest.raises(LookupError):
        ws.click(STUDENT, "approve")
    with pytest.raises(LookupError):
        ws.click(SUPERVISOR, "reject")


def test_response_url_replaces_the_original(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    message = approval_message(client, ws)
    ws.click(SUPERVISOR, "approve", message=message)
    url = bot.last().payload["response_url"]
    assert respond(url, {"replace_original": True, "text": "Goedgekeurd door Bram Claes"}) == {"ok": True}
    (replaced,) = ws.messages(message.channel)
    assert replaced.ts == message.ts and replaced.text == "Goedgekeurd door Bram Claes"
    assert replaced.blocks == [] and replaced.edited
    with pytest.raises(LookupError):
        ws.click(SUPERVISOR, "approve", message=message)
    (call,) = ws.calls("response_url")
    assert call.ok and call.params["replace_original"] is True


def test_response_url_deletes_the_original(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    message = approval_message(client, ws)
    ws.click(SUPERVISOR, "approve", message=message)
    respond(bot.last().payload["response_url"], {"delete_original": True})
    assert ws.messages(message.channel)[0].deleted


def test_response_url_new_message_is_ephemeral_by_default(ws: Workspace, bot: FakeBot) -> None:
    ws.slash_command(STUDENT, "/stage", "status")
    url = bot.last().form["response_url"]
    respond(url, {"text": "Later antwoord"})
    respond(url, {"text": "Voor iedereen", "response_type": "in_channel"})
    ephemeral, public = ws.messages(ws.dm_channel(STUDENT))
    assert ephemeral.ephemeral_to == STUDENT and public.ephemeral_to is None
    assert respond(url, {})["error"] == "no_text"


def test_response_url_expires(ws: Workspace, bot: FakeBot, clock: Clock) -> None:
    ws.slash_command(STUDENT, "/stage", "status")
    url = bot.last().form["response_url"]
    clock.advance(31 * 60)
    with pytest.raises(urllib.error.HTTPError) as failure:
        respond(url, {"text": "te laat"})
    failure.value.close()
    assert failure.value.code == 404


def test_click_on_a_select_sends_the_chosen_option(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    options = [
        {"text": {"type": "plain_text", "text": t}, "value": v} for t, v in [("Ja", "yes"), ("Nee", "no")]
    ]
    select = {"type": "static_select", "action_id": "answer", "options": options}
    client.chat_postMessage(channel=STUDENT, text="Kom je?", blocks=[section("Kom je?", accessory=select)])
    ws.click(STUDENT, "answer", "no")
    action = bot.last().payload["actions"][0]
    assert action["type"] == "static_select" and action["selected_option"]["value"] == "no"


def test_ephemeral_message_click_has_no_message(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    blocks = [{"type": "actions", "elements": [button("undo", "Ongedaan maken")]}]
    client.chat_postEphemeral(channel=STUDENT, user=STUDENT, text="Bewaard", blocks=blocks)
    ws.click(STUDENT, "undo")
    payload = bot.last().payload
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload
    assert payload["actions"][0]["block_id"]
    respond(payload["response_url"], {"delete_original": True})
    assert ws.ephemerals(STUDENT)[0].deleted


def test_home_and_dm_events(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    client.views_publish(user_id=STUDENT, view={"type": "home", "blocks": [section("Welkom")]})
    ws.open_home(STUDENT)
    home = bot.last().payload
    assert home["type"] == "event_callback" and home["event_id"].startswith("Ev")
    assert home["event"]["type"] == "app_home_opened" and home["event"]["tab"] == "home"
    assert home["event"]["user"] == STUDENT and home["event"]["view"]["type"] == "home"
    ws.send_dm(STUDENT, "wanneer is de deadline?")
    dm = bot.last().payload
    assert bot.last().headers["Content-Type"] == "application/json"
    assert dm["event"]["type"] == "message" and dm["event"]["channel_type"] == "im"
    assert (
        dm["event"]["channel"] == ws.dm_channel(STUDENT) and dm["event"]["text"] == "wanneer is de deadline?"
    )
    assert dm["event_id"] != home["event_id"]
    assert ws.messages(ws.dm_channel(STUDENT))[-1].user == STUDENT


def test_an_unknown_actor_joins_but_others_stay_unknown(ws: Workspace, client: WebClient) -> None:
    ws.slash_command("U0NEWCOMER", "/stage", "status")
    assert client.users_info(user="U0NEWCOMER")["user"]["id"] == "U0NEWCOMER"
    with pytest.raises(SlackApiError):
        client.conversations_open(users="U0NOBODY")
    with pytest.raises(LookupError):
        ws.slash_command("U0STAGEBOT", "/stage", "status")


def test_deliveries_without_a_bot_url_fail_clearly(ws: Workspace) -> None:
    ws.bot_url = None
    with pytest.raises(RuntimeError):
        ws.send_dm(STUDENT, "hallo?")


def test_unreachable_bot_is_a_status_zero_delivery(ws: Workspace, bot: FakeBot) -> None:
    ws.bot_url = bot.url.replace("/slack/events", "/elders")
    assert ws.send_dm(STUDENT, "x").status == 404
    bot.stop()
    delivery = ws.send_dm(STUDENT, "x")
    assert delivery.status == 0 and delivery.error


@pytest.mark.parametrize(
    ("error", "status", "retry_after"), [("ratelimited", 429, "4"), ("internal_error", 500, None)]
)
def test_a_refused_response_url_answers_an_http_error_and_changes_nothing(
    ws: Workspace, bot: FakeBot, client: WebClient, error: str, status: int, retry_after: str | None
) -> None:
    message = approval_message(client, ws)
    ws.click(SUPERVISOR, "approve", message=message)
    url = bot.last().payload["response_url"]
    ws.fail_next("response_url", error, retry_after=4)
    with pytest.raises(urllib.error.HTTPError) as failure:
        respond(url, {"replace_original": True, "text": "Goedgekeurd"})
    failure.value.close()
    assert failure.value.code == status and failure.value.headers.get("Retry-After") == retry_after
    assert ws.messages(message.channel)[0].text == message.text
    assert respond(url, {"replace_original": True, "text": "Goedgekeurd"}) == {"ok": True}
    assert [c.error for c in ws.calls("response_url")] == [error, None]
