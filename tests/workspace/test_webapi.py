"""The Web API subset, driven through slack_sdk as the bot drives it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from ws_helpers import ANNOUNCE, STUDENT, SUPERVISOR, TOKEN, section

from workspace import Channel, Workspace


def raw_call(ws: Workspace, method: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(ws.api_url + method, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_tokens_are_checked(ws: Workspace) -> None:
    assert raw_call(ws, "auth.test", b"", {})[1] == {"ok": False, "error": "not_authed"}
    wrong = raw_call(ws, "auth.test", b"", {"Authorization": "Bearer xoxb-wrong"})
    assert wrong[1]["error"] == "invalid_auth"
    status, as_param = raw_call(ws, "auth.test", f"token={TOKEN}".encode(), {})
    assert status == 200 and as_param["ok"]
    unknown = raw_call(ws, "chat.scheduleMessage", b"", {"Authorization": f"Bearer {TOKEN}"})
    assert unknown[1]["error"] == "unknown_method"
    assert [c.ok for c in ws.calls()] == [False, False, True, False]


def test_auth_test_names_the_bot(client: WebClient, ws: Workspace) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "U0STAGEBOT"
    assert answer["bot_id"] and answer["team_id"]
    assert answer["url"] == ws.url + "/"


def test_post_update_delete(client: WebClient, ws: Workspace) -> None:
    posted = client.chat_postMessage(
        channel=ANNOUNCE, text="Deadline vrijdag", blocks=[section("*Deadline*")]
    )
    ts = posted["ts"]
    assert posted["channel"] == ANNOUNCE and posted["message"]["blocks"][0]["block_id"]
    client.chat_update(channel=ANNOUNCE, ts=ts, text="Deadline maandag", blocks=[section("*Uitgesteld*")])
    (message,) = ws.messages(ANNOUNCE)
    assert message.text == "Deadline maandag" and message.edited
    assert message.blocks[0]["text"]["text"] == "*Uitgesteld*"
    client.chat_delete(channel=ANNOUNCE, ts=ts)
    assert ws.messages(ANNOUNCE)[0].deleted
    with pytest.raises(SlackApiError) as failure:
        client.chat_update(channel=ANNOUNCE, ts=ts, text="te laat")
    assert failure.value.response["error"] == "message_not_found"


def test_post_message_to_a_user_lands_in_their_dm(client: WebClient, ws: Workspace) -> None:
    answer = client.chat_postMessage(channel=STUDENT, text="Je planning is goedgekeurd")
    assert answer["channel"] == ws.dm_channel(STUDENT)
    assert [m.text for m in ws.messages(ws.dm_channel(STUDENT))] == ["Je planning is goedgekeurd"]
    by_name = client.chat_postMessage(channel="#stage-aankondigingen", text="Hallo")
    assert by_name["channel"] == ANNOUNCE


def test_post_message_refusals(client: WebClient, ws: Workspace) -> None:
    for kwargs, error in [
        ({"channel": "C0NOWHERE", "text": "x"}, "channel_not_found"),
        ({"channel": ANNOUNCE}, "no_text"),
        ({"channel": ANNOUNCE, "text": "x", "blocks": [section("x")] * 51}, "invalid_blocks"),
        ({"channel": ANNOUNCE, "text": "x", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
        ({"channel": ANNOUNCE, "text": "x", "blocks": [section("")]}, "invalid_blocks"),
        (
            {
                "channel": ANNOUNCE,
                "text": "x",
                "blocks": [section("a", block_id="b"), section("c", block_id="b")],
            },
            "invalid_blocks",
        ),
    ]:
        with pytest.raises(SlackApiError) as failure:
            client.chat_postMessage(**kwargs)
        assert failure.value.response["error"] == error, kwargs
    assert ws.messages(ANNOUNCE) == []
    detail = ws.calls("chat.postMessage")[3]
    assert detail.error == "invalid_blocks" and not detail.ok


def test_limits_at_the_edge_pass(client: WebClient, ws: Workspace) -> None:
    client.chat_postMessage(channel=ANNOUNCE, text="x", blocks=[section("x" * 3000)] * 50)
    assert len(ws.messages(ANNOUNCE)[0].blocks) == 50


def test_form_encoded_blocks_are_parsed(ws: Workspace) -> None:
    blocks = json.dumps([section("uit een formulier")])
    data = f"channel={ANNOUNCE}&text=x&blocks={urllib.request.quote(blocks)}".encode()
    status, body = raw_call(ws, "chat.postMessage", data, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body["ok"], body
    assert ws.messages(ANNOUNCE)[0].blocks[0]["text"]["text"] == "uit een formulier"
    assert ws.calls("chat.postMessage")[0].params["channel"] == ANNOUNCE


def test_post_ephemeral(client: WebClient, ws: Workspace) -> None:
    dm = ws.dm_channel(STUDENT)
    answer = client.chat_postEphemeral(channel=dm, user=STUDENT, text="Alleen voor jou")
    assert answer["message_ts"]
    (shown,) = ws.ephemerals(STUDENT)
    assert shown.text == "Alleen voor jou" and shown.channel == dm and shown.ephemeral_to == STUDENT
    assert ws.ephemerals(SUPERVISOR) == []
    with pytest.raises(SlackApiError) as failure:
        client.chat_postEphemeral(channel=dm, user=SUPERVISOR, text="x")
    assert failure.value.response["error"] == "user_not_in_channel"


def test_users_and_conversations(client: WebClient, ws: Workspace) -> None:
    user = client.users_info(user=STUDENT, include_locale=True)["user"]
    assert user["real_name"] == "An Peeters" and user["locale"] == "nl-BE"
    assert user["tz"] == "Europe/Brussels" and user["profile"]["real_name"] == "An Peeters"
    assert "locale" not in client.users_info(user=STUDENT)["user"]
    with pytest.raises(SlackApiError) as failure:
        client.users_info(user="U0NOBODY")
    assert failure.value.response["error"] == "user_not_found"
    members = client.users_list()["members"]
    assert {m["id"] for m in members} == {STUDENT, SUPERVISOR, "U0STAGEBOT"}
    first_page = client.users_list(limit=2)
    assert len(first_page["members"]) == 2 and first_page["response_metadata"]["next_cursor"]
    opened = client.conversations_open(users=STUDENT)
    assert opened["channel"]["id"] == ws.dm_channel(STUDENT)


def test_rate_limit_is_retried_by_slack_sdk(ws: Workspace) -> None:
    client = WebClient(token=TOKEN, base_url=ws.api_url, retry_handlers=[RateLimitErrorRetryHandler(1)])
    ws.fail_next("chat.postMessage")
    client.chat_postMessage(channel=ANNOUNCE, text="herinnering")
    first, second = ws.calls("chat.postMessage")
    assert (first.ok, first.error, second.ok) == (False, "ratelimited", True)
    assert len(ws.messages(ANNOUNCE)) == 1


def test_rate_limit_answer_is_http_429(ws: Workspace) -> None:
    ws.fail_next("auth.test", retry_after=7)
    request = urllib.request.Request(ws.api_url + "auth.test", data=b"", method="POST")
    request.add_header("Authorization", f"Bearer {TOKEN}")
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=5)
    failure.value.close()
    assert failure.value.code == 429 and failure.value.headers["Retry-After"] == "7"


def test_fail_next_with_another_error_has_no_effect(client: WebClient, ws: Workspace) -> None:
    ws.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=ANNOUNCE, text="kwijt")
    assert failure.value.response.status_code == 200
    assert failure.value.response["error"] == "channel_not_found"
    assert ws.messages(ANNOUNCE) == []
    client.chat_postMessage(channel=ANNOUNCE, text="wel aangekomen")
    assert [m.text for m in ws.messages(ANNOUNCE)] == ["wel aangekomen"]


def test_reset_forgets_traffic_not_people(client: WebClient, ws: Workspace) -> None:
    client.chat_postMessage(channel=STUDENT, text="x")
    ws.reset()
    assert ws.calls() == [] and ws.messages(ws.dm_channel(STUDENT)) == []
    assert client.users_info(user=STUDENT)["ok"]


def test_every_answer_names_the_scopes_granted_and_a_workspace_can_withhold_one(
    client: WebClient, ws: Workspace
) -> None:
    answer = client.auth_test()
    headers = {k.lower(): v for k, v in answer.headers.items()}
    assert set(headers["x-oauth-scopes"].split(",")) == set(ws.scopes)
    assert "files:write" in ws.scopes
    ws.scopes = [s for s in ws.scopes if s != "files:write"]
    again = {k.lower(): v for k, v in client.users_list().headers.items()}
    assert "files:write" not in again["x-oauth-scopes"].split(",")
    _, refused = raw_call(ws, "auth.test", b"", {"Authorization": "Bearer xoxb-wrong"})
    assert refused["error"] == "invalid_auth"


def test_conversations_info_and_list_say_whether_the_bot_is_in_a_channel(
    client: WebClient, ws: Workspace
) -> None:
    ws.add_channel(Channel(id="C0OUTSIDE", name="buiten", bot_is_member=False))
    ws.add_channel(Channel(id="G0SECRET", name="geheim", is_private=True, bot_is_member=False))
    info = client.conversations_info(channel=ANNOUNCE)["channel"]
    assert (info["name"], info["is_member"], info["is_archived"]) == ("stage-aankondigingen", True, False)
    assert client.conversations_info(channel="C0OUTSIDE")["channel"]["is_member"] is False
    for hidden in ("G0SECRET", "stage-aankondigingen", "C0NOWHERE"):  # a private channel, a name, nothing
        with pytest.raises(SlackApiError) as failure:
            client.conversations_info(channel=hidden)
        assert failure.value.response["error"] == "channel_not_found"
    listed = client.conversations_list(types="public_channel,private_channel", limit=1)
    names = [c["name"] for c in listed["channels"]]
    cursor = listed["response_metadata"]["next_cursor"]
    names += [c["name"] for c in client.conversations_list(cursor=cursor)["channels"]]
    assert names == ["stage-aankondigingen", "buiten"]
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C0OUTSIDE", text="Deadline vrijdag")
    assert failure.value.response["error"] == "not_in_channel"
    assert ws.messages("C0OUTSIDE") == []


def test_fail_next_for_one_conversation_leaves_the_others_alone(client: WebClient, ws: Workspace) -> None:
    ws.fail_next("chat.postMessage", "internal_error", status=500, channel=SUPERVISOR)
    client.chat_postMessage(channel=ANNOUNCE, text="iedereen")
    client.chat_postMessage(channel=STUDENT, text="student")
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=ws.dm_channel(SUPERVISOR), text="begeleider")
    assert failure.value.response.status_code == 500
    client.chat_postMessage(channel=SUPERVISOR, text="begeleider, opnieuw")
    assert [c.error for c in ws.calls("chat.postMessage")] == [None, None, "internal_error", None]
    assert [m.text for m in ws.messages(SUPERVISOR)] == ["begeleider, opnieuw"]
