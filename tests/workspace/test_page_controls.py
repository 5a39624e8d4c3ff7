"""The page's controls without a browser: the clock and reset hooks, channels, uploads and cheap polling."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient
from test_page import get, post
from ws_helpers import ANNOUNCE, STUDENT, Clock, FakeBot

from workspace import Workspace


def state(ws: Workspace, **query: str) -> dict[str, Any]:
    return json.loads(get(ws.url + "/ui/state?" + urllib.parse.urlencode(query))[1])


def multipart(url: str, fields: dict[str, str], filename: str, content: bytes) -> tuple[int, dict[str, Any]]:
    boundary = "----workspace-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_clock_moves_only_through_the_hook(ws: Workspace, clock: Clock) -> None:
    assert state(ws)["clock"]["can_move"] is False
    status, answer = post(ws.url + "/ui/clock", {"user": STUDENT, "seconds": 3600})
    assert status == 409 and "does not take its time" in answer["error"]
    assert ws.now() == clock()

    moved: list[float] = []
    ws.on_clock_moved = moved.append
    assert post(ws.url + "/ui/clock", {"user": STUDENT, "seconds": 86400})[1]["ok"]
    assert moved == [86400] and ws.now() == clock() + 86400
    status, answer = post(ws.url + "/ui/clock", {"user": STUDENT, "to": "2026-12-01T09:00"})
    assert status == 200 and answer["ok"]
    assert ws.now() == 1796112000  # 09:00 in Brussels is 08:00 UTC in December
    assert sum(moved) == 1796112000 - clock()
    assert state(ws, user=STUDENT)["clock"]["now"] == 1796112000


def test_a_bad_time_changes_nothing(ws: Workspace) -> None:
    moved: list[float] = []
    ws.on_clock_moved = moved.append
    status, answer = post(ws.url + "/ui/clock", {"user": STUDENT, "to": "volgende maandag"})
    assert status == 400 and answer["error"].startswith("not a time")
    assert moved == [] and ws.clock_offset == 0


def test_a_failing_hook_leaves_the_workspace_clock(ws: Workspace) -> None:
    def refuse(seconds: float) -> None:
        raise ValueError("database locked")

    ws.on_clock_moved = refuse
    status, answer = post(ws.url + "/ui/clock", {"user": STUDENT, "seconds": 60})
    assert status == 500 and "database locked" in answer["error"]
    assert ws.clock_offset == 0


def test_reset_empties_the_workspace_after_the_hook(ws: Workspace, client: WebClient) -> None:
    assert post(ws.url + "/ui/reset", {})[0] == 409
    client.chat_postMessage(channel=STUDENT, text="oud")
    resets: list[bool] = []
    ws.on_reset = lambda: resets.append(True)
    ws.on_clock_moved = lambda seconds: None
    ws.move_clock(7200)
    assert post(ws.url + "/ui/reset", {})[1]["ok"]
    assert resets == [True] and ws.messages(STUDENT) == [] and ws.clock_offset == 0
    assert state(ws)["clock"]["can_reset"] is True


def test_a_reset_clicked_while_the_clock_still_moves_waits_for_it(ws: Workspace) -> None:
    """The bot follows a clock move with a tick that takes a while; a reset in the meantime must not be
    undone by the move finishing after it (both clocks would end a day ahead of the fresh demo)."""
    bot_offset = [0.0]
    following = threading.Event()
    release = threading.Event()

    def follow(seconds: float) -> None:
        following.set()
        release.wait(5)
        bot_offset[0] += seconds

    def back_to_start() -> None:
        bot_offset[0] = 0.0

    ws.on_clock_moved = follow
    ws.on_reset = back_to_start
    mover = threading.Thread(target=post, args=(ws.url + "/ui/clock", {"user": STUDENT, "seconds": 86400}))
    mover.start()
    assert following.wait(5)
    resetter = threading.Thread(target=post, args=(ws.url + "/ui/reset", {}))
    resetter.start()
    resetter.join(0.3)
    release.set()
    mover.join(5)
    resetter.join(5)
    assert ws.clock_offset == 0 and bot_offset[0] == 0.0


def test_polling_is_cheap_when_nothing_changed(ws: Workspace, client: WebClient) -> None:
    first = state(ws, user=STUDENT)
    assert state(ws, user=STUDENT, since=str(first["version"])) == {
        "version": first["version"],
        "unchanged": True,
    }
    client.chat_postMessage(channel=STUDENT, text="nieuw")
    again = state(ws, user=STUDENT, since=str(first["version"]))
    assert again["version"] > first["version"] and [m["text"] for m in again["conversation"]] == ["nieuw"]


def test_sidebar_counts_unread_per_conversation(ws: Workspace, client: WebClient) -> None:
    client.chat_postMessage(channel=ANNOUNCE, text="deadline nadert")
    posted = client.chat_postMessage(channel=STUDENT, text="een")
    client.chat_postMessage(channel=STUDENT, text="twee")
    unread = {c["id"]: c["unread"] for c in state(ws, user=STUDENT)["sidebar"]}
    assert unread == {"home": 0, "D0STUDENT1": 2, ANNOUNCE: 1}
    seen = {
        c["id"]: c["unread"] for c in state(ws, user=STUDENT, seen=f"D0STUDENT1:{posted['ts']}")["sidebar"]
    }
    assert seen["D0STUDENT1"] == 1
    channel = state(ws, user=STUDENT, conversation=ANNOUNCE)
    assert [m["text"] for m in channel["conversation"]] == ["deadline nadert"]


def test_writing_in_the_channel_is_not_delivered(ws: Workspace, bot: FakeBot) -> None:
    assert post(ws.url + "/ui/message", {"user": STUDENT, "text": "hallo allemaal", "channel": ANNOUNCE})[1][
        "ok"
    ]
    assert [m.text for m in ws.messages(ANNOUNCE)] == ["hallo allemaal"] and bot.received == []
    assert post(ws.url + "/ui/command", {"user": STUDENT, "text": "/stage help", "channel": ANNOUNCE})[1][
        "ok"
    ]
    assert bot.last().form["channel_id"] == ANNOUNCE


def test_upload_shares_the_file_and_reports_the_bots_answer(ws: Workspace, bot: FakeBot) -> None:
    status, answer = multipart(ws.url + "/ui/upload", {"user": STUDENT}, "rooster.pdf", b"%PDF rooster")
    assert status == 200 and answer["ok"]
    kinds = [r.payload["event"]["type"] for r in bot.received]
    assert kinds == ["file_shared", "message"] and all(r.signed for r in bot.received)
    assert ws.state.files[answer["file"]].content == b"%PDF rooster"

    bot.handler = lambda received: (500, "boom")
    status, answer = multipart(ws.url + "/ui/upload", {"user": STUDENT}, "b.pdf", b"x")
    assert status == 200 and answer["error"] == "the bot answered HTTP 500"
    status, answer = post(ws.url + "/ui/upload", {"user": STUDENT})
    assert status == 400 and answer["error"] == "no file was sent"


def test_what_the_bot_posts_while_following_a_clock_move_is_dated_after_the_move(
    ws: Workspace, client: WebClient, clock: Clock
) -> None:
    """Moving the clock runs the bot's scheduler, whose reminders must read as sent at the new time."""
    ws.on_clock_moved = lambda seconds: client.chat_postMessage(channel=STUDENT, text="herinnering")
    ws.move_clock(86400)
    (reminder,) = ws.messages(STUDENT)
    assert abs(float(reminder.ts) - (clock() + 86400)) < 5


def test_an_unknown_slash_command_is_not_a_valid_command_as_in_slack(ws: Workspace, bot: FakeBot) -> None:
    bot.handler = lambda received: (404, "")  # what an app answers for a command it does not have
    status, answer = post(ws.url + "/ui/command", {"user": STUDENT, "text": "/stag status"})
    assert status == 200 and not answer["ok"]
    assert answer["error"].startswith("/stag is not a valid command") and "HTTP" not in answer["error"]


def test_a_command_keeps_its_second_line(ws: Workspace, bot: FakeBot) -> None:
    assert post(
        ws.url + "/ui/command", {"user": STUDENT, "text": "/stage planning lesuren ATH\n1 8u25-9u15"}
    )[1]["ok"]
    assert bot.last().form["command"] == "/stage"
    assert bot.last().form["text"] == "planning lesuren ATH\n1 8u25-9u15"


def test_the_page_knows_each_persons_locale(ws: Workspace) -> None:
    assert state(ws, user=STUDENT)["locale"] == "nl-BE"
