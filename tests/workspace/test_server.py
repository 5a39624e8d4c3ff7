"""The server itself: it serves several requests at once, keeps state consistent, and stops cleanly."""

from __future__ import annotations

import socket
import threading
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from ws_helpers import ANNOUNCE, STUDENT, TOKEN, FakeBot, Received

from workspace import Workspace
from workspace.server import serve


def test_concurrent_calls_all_land_with_distinct_ts(ws: Workspace) -> None:
    errors: list[Exception] = []

    def post(n: int) -> None:
        try:
            WebClient(token=TOKEN, base_url=ws.api_url).chat_postMessage(
                channel=ANNOUNCE, text=f"bericht {n}"
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    messages = ws.messages(ANNOUNCE)
    assert len(messages) == 20 and len({m.ts for m in messages}) == 20
    assert len(ws.calls("chat.postMessage")) == 20


def test_stop_closes_the_port_and_open_connections() -> None:
    ws = Workspace(bot_token=TOKEN)
    server = serve(ws, port=0)
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    with urllib.request.urlopen(ws.url + "/ui/state", timeout=5) as response:
        assert response.status == 200
    server.stop()
    server.stop()
    assert not server.running
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused
    assert idle.recv(1) == b""
    idle.close()


def test_wait_for_calls_sees_work_done_after_the_ack(ws: Workspace, bot: FakeBot, client: WebClient) -> None:
    def handler(received: Received) -> tuple[int, Any]:
        later = threading.Thread(
            target=client.chat_postMessage, kwargs={"channel": ANNOUNCE, "text": "later"}
        )
        later.start()
        return 200, ""

    bot.handler = handler
    ws.send_dm(STUDENT, "start")
    (call,) = ws.wait_for_calls("chat.postMessage", timeout=5)
    assert call.params["text"] == "later"
    with pytest.raises(TimeoutError):
        ws.wait_for_calls("chat.postMessage", count=2, timeout=0.05)
