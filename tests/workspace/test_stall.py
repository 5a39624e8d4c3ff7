"""A stalled Slack: the next call of a method hangs, a client that stops waiting times out, the call
still takes effect when the stall ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from ws_helpers import ANNOUNCE, STUDENT, TOKEN

from workspace import Workspace


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_stalled_call_answers_late_and_only_that_call(ws: Workspace, client: WebClient) -> None:
    ws.stall_next("chat.postMessage", 0.3)
    started = time.monotonic()
    client.chat_postMessage(channel=ANNOUNCE, text="traag")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.chat_postMessage(channel=ANNOUNCE, text="vlot")
    assert time.monotonic() - started < 0.25
    assert [m.text for m in ws.messages(ANNOUNCE)] == ["traag", "vlot"]


def test_a_client_that_gives_up_times_out_yet_the_call_goes_through(ws: Workspace) -> None:
    impatient = WebClient(token=TOKEN, base_url=ws.api_url, timeout=0.2)
    ws.stall_next("chat.update", 0.6)
    posted = impatient.chat_postMessage(channel=ANNOUNCE, text="eerst")
    with pytest.raises(TimeoutError):
        impatient.chat_update(channel=posted["channel"], ts=posted["ts"], text="daarna")
    assert _until(lambda: [m.text for m in ws.messages(ANNOUNCE)] == ["daarna"])
    [update] = ws.calls("chat.update")
    assert update.ok


def test_other_calls_go_on_while_one_stalls(ws: Workspace, client: WebClient) -> None:
    ws.stall_next("views.publish", 0.5)
    stalled = threading.Thread(
        target=client.views_publish,
        kwargs={"user_id": STUDENT, "view": {"type": "home", "blocks": []}},
    )
    stalled.start()
    time.sleep(0.05)
    started = time.monotonic()
    client.chat_postMessage(channel=ANNOUNCE, text="tussendoor")
    assert time.monotonic() - started < 0.3
    stalled.join(timeout=5)
    assert [c.method for c in ws.calls()] == ["chat.postMessage", "views.publish"]


def test_reset_forgets_queued_stalls_and_a_stall_must_last(ws: Workspace, client: WebClient) -> None:
    ws.stall_next("auth.test", 5)
    ws.reset()
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 1
    with pytest.raises(ValueError):
        ws.stall_next("auth.test", 0)


def test_a_stall_for_one_conversation_holds_up_only_that_one(ws: Workspace, client: WebClient) -> None:
    ws.stall_next("chat.postMessage", 0.5, channel=STUDENT)
    started = time.monotonic()
    client.chat_postMessage(channel=ANNOUNCE, text="vlot")
    assert time.monotonic() - started < 0.4
    client.chat_postMessage(channel=ws.dm_channel(STUDENT), text="traag")
    assert time.monotonic() - started >= 0.5


def test_a_failure_queued_during_a_stall_is_for_the_next_call(ws: Workspace, client: WebClient) -> None:
    ws.stall_next("chat.postMessage", 0.4)
    stalled = threading.Thread(target=client.chat_postMessage, kwargs={"channel": ANNOUNCE, "text": "traag"})
    stalled.start()
    time.sleep(0.1)
    ws.fail_next("chat.postMessage", "internal_error", status=500)
    stalled.join(timeout=5)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=ANNOUNCE, text="geweigerd")
    assert [c.error for c in ws.calls("chat.postMessage")] == [None, "internal_error"]
