"""Modals and the Home tab: triggers, hashes, limits, submissions and what the bot answers to them."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from ws_helpers import STUDENT, SUPERVISOR, Clock, FakeBot, Received, button, modal, section, text_input

from workspace import View, Workspace


def trigger_from_command(ws: Workspace, bot: FakeBot) -> str:
    ws.slash_command(STUDENT, "/stage", "voorkeuren")
    return bot.last().form["trigger_id"]


def open_modal(ws: Workspace, bot: FakeBot, client: WebClient, view: dict[str, Any]) -> View:
    client.views_open(trigger_id=trigger_from_command(ws, bot), view=view)
    return ws.open_views(STUDENT)[-1]


def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as failure:
        call()
    return str(failure.value.response["error"])


def test_views_open_with_a_fresh_trigger(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    answer = client.views_open(trigger_id=trigger_from_command(ws, bot), view=modal(section("Kies")))
    (view,) = ws.open_views(STUDENT)
    assert answer["view"]["id"] == view.id and view.callback_id == "preferences"
    assert view.title == {"type": "plain_text", "text": "Voorkeuren"}
    assert ws.open_views(SUPERVISOR) == []


def test_trigger_expires_after_three_seconds(
    ws: Workspace, bot: FakeBot, client: WebClient, clock: Clock
) -> None:
    trigger = trigger_from_command(ws, bot)
    clock.advance(3.5)
    assert api_error(lambda: client.views_open(trigger_id=trigger, view=modal(section("x")))) == (
        "expired_trigger_id"
    )
    assert ws.open_views(STUDENT) == []


def test_unknown_and_reused_triggers(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = modal(section("x"))
    assert api_error(lambda: client.views_open(trigger_id="1.2.abc", view=view)) == "invalid_trigger_id"
    trigger = trigger_from_command(ws, bot)
    client.views_open(trigger_id=trigger, view=view)
    assert api_error(lambda: client.views_open(trigger_id=trigger, view=view)) == "exchanged_trigger_id"


def test_views_open_inside_the_delivery(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    """The bot opens the modal before it acks, while the slash command request is still open."""

    def handler(received: Received) -> tuple[int, Any]:
        client.views_open(trigger_id=received.form["trigger_id"], view=modal(section("Kies")))
        return 200, ""

    bot.handler = handler
    delivery = ws.slash_command(STUDENT, "/stage", "voorkeuren")
    assert delivery.status == 200 and delivery.error is None
    assert len(ws.open_views(STUDENT)) == 1


def test_hash_conflict(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = open_modal(ws, bot, client, modal(section("v1"), external_id="pref-1"))
    updated = client.views_update(view_id=view.id, hash=view.hash, view=modal(section("v2")))
    assert updated["view"]["hash"] != view.hash
    stale = api_error(lambda: client.views_update(view_id=view.id, hash=view.hash, view=modal(section("v3"))))
    assert stale == "hash_conflict"
    client.views_update(external_id="pref-1", view=modal(section("v4")))
    assert ws.open_views(STUDENT)[-1].blocks[0]["text"]["text"] == "v4"
    assert api_error(lambda: client.views_update(view_id="V0NOPE", view=modal(section("x")))) == "not_found"


def test_view_limits(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    too_many = modal(*[section("x")] * 101)
    assert api_error(lambda: client.views_open(trigger_id=trigger_from_command(ws, bot), view=too_many)) == (
        "invalid_blocks"
    )
    metadata = modal(section("x"), private_metadata="m" * 3001)
    assert api_error(lambda: client.views_open(trigger_id=trigger_from_command(ws, bot), view=metadata)) == (
        "invalid_arguments"
    )
    long_title = modal(section("x")) | {"title": {"type": "plain_text", "text": "Een titel die te lang is!"}}
    assert api_error(
        lambda: client.views_open(trigger_id=trigger_from_command(ws, bot), view=long_title)
    ) == ("invalid_arguments")
    home = {"type": "home", "blocks": [section("x")] * 101}
    assert api_error(lambda: client.views_publish(user_id=STUDENT, view=home)) == "invalid_blocks"
    home["blocks"] = [section("x")] * 100
    assert client.views_publish(user_id=STUDENT, view=home, private_metadata="m" * 3000)["ok"]


def test_publish_home(ws: Workspace, client: WebClient) -> None:
    first = client.views_publish(user_id=STUDENT, view={"type": "home", "blocks": [section("Welkom")]})
    second = client.views_publish(user_id=STUDENT, view={"type": "home", "blocks": [section("Taken")]})
    home = ws.home_view(STUDENT)
    assert home is not None and home.id == first["view"]["id"] == second["view"]["id"]
    assert home.blocks[0]["text"]["text"] == "Taken"
    assert ws.home_view(SUPERVISOR) is None
    old_hash = first["view"]["hash"]
    view = {"type": "home", "blocks": [section("x")]}
    assert (
        api_error(lambda: client.views_publish(user_id=STUDENT, view=view, hash=old_hash)) == "hash_conflict"
    )


def test_push_and_push_limit(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    root = open_modal(ws, bot, client, modal(section("1")))
    for depth in (2, 3):
        pushed = client.views_push(trigger_id=trigger_from_command(ws, bot), view=modal(section(str(depth))))
        assert pushed["view"]["root_view_id"] == root.id
    assert len(ws.open_views(STUDENT)) == 3
    assert api_error(
        lambda: client.views_push(trigger_id=trigger_from_command(ws, bot), view=modal(section("4")))
    ) == ("push_limit_reached")


def preferences(ws: Workspace, bot: FakeBot, client: WebClient) -> View:
    select = {
        "type": "input",
        "block_id": "school",
        "label": {"type": "plain_text", "text": "School"},
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "options": [
                {"text": {"type": "plain_text", "text": "Sint-Jan"}, "value": "S1"},
                {"text": {"type": "plain_text", "text": "Atheneum"}, "value": "S2"},
            ],
        },
    }
    return open_modal(
        ws, bot, client, modal(text_input("motivation", "text"), select, text_input("remark", "text"))
    )


def test_submission_payload_holds_typed_values(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = preferences(ws, bot, client)
    delivery = ws.submit_view(
        STUDENT, view, {"motivation": {"text": "Graag dicht bij huis"}, "school": {"pick": "S2"}}
    )
    assert delivery.status == 200
    payload = bot.last().payload
    assert payload["type"] == "view_submission" and payload["user"]["id"] == STUDENT
    values = payload["view"]["state"]["values"]
    assert values["motivation"]["text"] == {"type": "plain_text_input", "value": "Graag dicht bij huis"}
    assert values["school"]["pick"]["selected_option"]["value"] == "S2"
    assert values["remark"]["text"] == {"type": "plain_text_input", "value": None}
    assert payload["view"]["callback_id"] == "preferences" and payload["view"]["hash"] == view.hash
    assert ws.open_views(STUDENT) == []
    with pytest.raises(LookupError):
        ws.submit_view(STUDENT, view, {})


def test_submission_with_a_typo_fails_loudly(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = preferences(ws, bot, client)
    with pytest.raises(LookupError):
        ws.submit_view(STUDENT, view, {"motivatoin": {"text": "x"}})
    with pytest.raises(LookupError):
        ws.submit_view(STUDENT, view, {"school": {"pick": "S9"}})


def test_response_action_errors_keep_the_modal(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = preferences(ws, bot, client)
    bot.handler = lambda r: (200, {"response_action": "errors", "errors": {"motivation": "Te kort"}})
    delivery = ws.submit_view(STUDENT, view, {"motivation": {"text": "x"}})
    assert delivery.problem is None
    (still_open,) = ws.open_views(STUDENT)
    assert still_open.errors == {"motivation": "Te kort"}
    assert still_open.state["motivation"]["text"]["value"] == "x"


def test_response_action_update_push_clear(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = preferences(ws, bot, client)
    bot.handler = lambda r: (200, {"response_action": "update", "view": modal(section("Bevestig"))})
    ws.submit_view(STUDENT, view, {"motivation": {"text": "ok"}})
    (updated,) = ws.open_views(STUDENT)
    assert updated.id == view.id and updated.blocks[0]["text"]["text"] == "Bevestig"

    bot.handler = lambda r: (200, {"response_action": "push", "view": modal(section("Stap 2"))})
    ws.submit_view(STUDENT, updated, {})
    assert [v.blocks[0]["text"]["text"] for v in ws.open_views(STUDENT)] == ["Bevestig", "Stap 2"]

    bot.handler = lambda r: (200, {"response_action": "clear"})
    ws.submit_view(STUDENT, ws.open_views(STUDENT)[-1], {})
    assert ws.open_views(STUDENT) == []


def test_empty_answer_closes_only_the_top_view(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    open_modal(ws, bot, client, modal(section("1")))
    client.views_push(trigger_id=trigger_from_command(ws, bot), view=modal(section("2")))
    ws.submit_view(STUDENT, ws.open_views(STUDENT)[-1], {})
    assert [v.blocks[0]["text"]["text"] for v in ws.open_views(STUDENT)] == ["1"]


def test_invalid_response_view_is_reported_not_applied(
    ws: Workspace, bot: FakeBot, client: WebClient
) -> None:
    view = open_modal(ws, bot, client, modal(section("1")))
    bot.handler = lambda r: (200, {"response_action": "update", "view": modal(*[section("x")] * 101)})
    delivery = ws.submit_view(STUDENT, view, {})
    assert delivery.problem and "invalid_blocks" in delivery.problem
    assert ws.open_views(STUDENT)[0].blocks[0]["text"]["text"] == "1"


def test_close_view_notifies_only_when_asked(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    quiet = open_modal(ws, bot, client, modal(section("x")))
    assert ws.close_view(STUDENT, quiet) is None and ws.open_views(STUDENT) == []
    loud = open_modal(ws, bot, client, modal(section("x"), notify_on_close=True))
    delivery = ws.close_view(STUDENT, loud)
    assert delivery is not None and delivery.status == 200
    assert bot.last().payload["type"] == "view_closed" and bot.last().payload["view"]["id"] == loud.id


def test_click_inside_a_modal(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    view = open_modal(ws, bot, client, modal(section("School?", accessory=button("more", "Meer", "S1"))))
    ws.click(STUDENT, "more", view=view)
    payload = bot.last().payload
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert payload["view"]["id"] == view.id and "response_url" not in payload
    assert (
        payload["actions"][0]["value"] == "S1"
        and payload["actions"][0]["block_id"] == view.blocks[0]["block_id"]
    )
