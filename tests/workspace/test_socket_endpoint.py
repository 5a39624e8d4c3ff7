"""Socket Mode: the workspace's WebSocket endpoint, driven by slack_sdk's own SocketModeClient."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from ws_helpers import STUDENT, TOKEN, FakeBot, button, modal, section, text_input

from workspace import Channel, User, Workspace
from workspace.server import serve

APP_TOKEN = "xapp-local"
Answer = Callable[[SocketModeRequest], dict[str, Any] | None]


class SocketApp:
    """An app on the other end of the socket: records each envelope and acks it with `answer`'s payload."""

    def __init__(self, ws: Workspace) -> None:
        self.web = WebClient(token=TOKEN, base_url=ws.api_url)
        self.client = SocketModeClient(
            app_token=APP_TOKEN, web_client=WebClient(base_url=ws.api_url), auto_reconnect_enabled=True
        )
        self.client.socket_mode_request_listeners.append(self._on_request)
        self.received: list[SocketModeRequest] = []
        self.answer: Answer = lambda _: None
        self.acking = True
        self._arrived = threading.Condition()

    def _on_request(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        with self._arrived:
            self.received.append(request)
            self._arrived.notify_all()
        if self.acking:
            payload = self.answer(request)
            client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    def last(self) -> SocketModeRequest:
        return self.received[-1]


@pytest.fixture
def socket_ws() -> Iterator[Workspace]:
    ws = Workspace(
        users=[User(id=STUDENT, name="an.peeters", real_name="An Peeters", locale="nl-BE")],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        app_token=APP_TOKEN,
        bot_url="",
    )
    server = serve(ws)
    yield ws
    server.stop()


@pytest.fixture
def app(socket_ws: Workspace) -> Iterator[SocketApp]:
    socket_app = SocketApp(socket_ws)
    socket_app.client.connect()
    socket_ws.wait_for_socket(timeout=10)
    yield socket_app
    # The workspace hangs up first: slack_sdk's close() otherwise waits out its 3 s receive timeout.
    socket_app.client.auto_reconnect_enabled = False
    socket_ws.socket.stop()  # type: ignore[union-attr]
    socket_app.client.close()


def test_connections_open_wants_the_app_level_token(socket_ws: Workspace) -> None:
    answer = WebClient(base_url=socket_ws.api_url).apps_connections_open(app_token=APP_TOKEN)
    assert answer["url"].startswith(f"ws://127.0.0.1:{socket_ws.socket.port}/link/?ticket=")  # type: ignore[union-attr]
    for token, error in (("xapp-wrong", "invalid_auth"), (TOKEN, "not_allowed_token_type")):
        with pytest.raises(SlackApiError) as refused:
            WebClient(base_url=socket_ws.api_url).apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=APP_TOKEN, base_url=socket_ws.api_url).chat_postMessage(channel=STUDENT, text="x")
    assert refused.value.response["error"] == "not_allowed_token_type"
    assert socket_ws.messages(STUDENT) == []


def test_a_link_says_hello_once_and_cannot_be_reused(socket_ws: Workspace) -> None:
    url = WebClient(base_url=socket_ws.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url, proxy=None) as socket:
        hello = socket.recv(timeout=5)
        assert '"type": "hello"' in hello and '"app_id": "A0STAGEBOT"' in hello
        socket_ws.wait_for_socket(timeout=5)
        with pytest.raises(InvalidStatus) as reused:
            connect(url, proxy=None)
        assert reused.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        connect(url.replace("ticket=", "ticket=forged"), proxy=None)


def test_a_slash_command_arrives_in_an_envelope_and_its_ack_is_the_reply(
    socket_ws: Workspace, app: SocketApp
) -> None:
    app.answer = lambda _: {"text": "Je stand", "blocks": [section("*Jouw stage*")]}
    delivery = socket_ws.slash_command(STUDENT, "/stage", "status")
    assert delivery.ok and delivery.problem is None
    request = app.last()
    assert request.type == "slash_commands" and request.accepts_response_payload is True
    assert request.payload["command"] == "/stage" and request.payload["text"] == "status"
    assert request.payload["user_id"] == STUDENT and request.payload["response_url"]
    (reply,) = socket_ws.ephemerals(STUDENT)
    assert reply.text == "Je stand" and reply.blocks[0]["text"]["text"] == "*Jouw stage*"


def test_an_empty_ack_shows_nothing(socket_ws: Workspace, app: SocketApp) -> None:
    delivery = socket_ws.slash_command(STUDENT, "/stage", "status")
    assert delivery.ok and delivery.body == ""
    assert socket_ws.messages(STUDENT) == []


def test_a_button_click_is_an_interactive_envelope(socket_ws: Workspace, app: SocketApp) -> None:
    app.web.chat_postMessage(
        channel=STUDENT, text="Kies", blocks=[section("Kies", accessory=button("ok", "OK", "1"))]
    )
    app.answer = lambda _: {"text": "ignored: a click's ack carries no message"}
    delivery = socket_ws.click(STUDENT, "ok")
    assert delivery.ok and delivery.body == ""
    request = app.last()
    assert request.type == "interactive" and request.accepts_response_payload is False
    assert request.payload["type"] == "block_actions"
    assert (
        request.payload["actions"][0]["action_id"] == "ok" and request.payload["actions"][0]["value"] == "1"
    )
    assert [m.text for m in socket_ws.messages(STUDENT)] == ["Kies"]


def test_a_view_submission_ack_applies_its_response_action(socket_ws: Workspace, app: SocketApp) -> None:
    def open_form(request: SocketModeRequest) -> None:
        app.web.views_open(
            trigger_id=request.payload["trigger_id"], view=modal(text_input("motivation", "text"))
        )

    app.answer = open_form  # type: ignore[assignment]
    socket_ws.slash_command(STUDENT, "/stage", "voorkeuren")
    (view,) = socket_ws.open_views(STUDENT)
    app.answer = lambda _: {"response_action": "errors", "errors": {"motivation": "Te kort"}}
    delivery = socket_ws.submit_view(STUDENT, view, {"motivation": {"text": "x"}})
    assert delivery.ok and delivery.problem is None
    assert app.last().payload["type"] == "view_submission" and app.last().accepts_response_payload is True
    (still_open,) = socket_ws.open_views(STUDENT)
    assert still_open.errors == {"motivation": "Te kort"}
    app.answer = lambda _: {"response_action": "clear"}
    socket_ws.submit_view(STUDENT, still_open, {"motivation": {"text": "Dicht bij huis"}})
    assert socket_ws.open_views(STUDENT) == []


def test_an_event_and_its_retry(socket_ws: Workspace, app: SocketApp) -> None:
    delivery = socket_ws.send_dm(STUDENT, "voorkeuren")
    assert delivery.ok and delivery.kind == "event:message"
    first = app.last()
    assert first.type == "events_api" and first.retry_attempt == 0
    assert first.payload["type"] == "event_callback" and first.payload["event"]["text"] == "voorkeuren"
    again = socket_ws.redeliver(delivery, retry_num=1, reason="timeout")
    assert again.ok
    retried = app.last()
    assert retried.retry_attempt == 1 and retried.retry_reason == "timeout"
    assert retried.envelope_id != first.envelope_id
    assert retried.payload["event_id"] == first.payload["event_id"]


def test_no_ack_is_a_failed_delivery(socket_ws: Workspace, app: SocketApp) -> None:
    app.acking = False
    socket_ws.delivery_timeout = 0.5
    delivery = socket_ws.slash_command(STUDENT, "/stage", "status")
    assert delivery.status == 0 and not delivery.ok
    assert delivery.error and "not acknowledged" in delivery.error
    assert socket_ws.messages(STUDENT) == []


def test_without_a_connection_nothing_is_delivered(socket_ws: Workspace) -> None:
    delivery = socket_ws.slash_command(STUDENT, "/stage", "status")
    assert delivery.status == 0 and delivery.error and "no Socket Mode connection" in delivery.error
    assert socket_ws.deliveries() == [delivery]


def test_a_refresh_request_makes_the_app_connect_again(socket_ws: Workspace, app: SocketApp) -> None:
    assert len(socket_ws.calls("apps.connections.open")) == 1
    socket_ws.socket.disconnect("refresh_requested")  # type: ignore[union-attr]
    socket_ws.wait_for_socket(timeout=10, opened=2)
    assert len(socket_ws.calls("apps.connections.open")) == 2
    app.answer = lambda _: {"text": "Nog steeds hier"}
    assert socket_ws.slash_command(STUDENT, "/stage", "status").ok
    assert socket_ws.ephemerals(STUDENT)[-1].text == "Nog steeds hier"


def test_a_bot_url_still_means_http(bot: FakeBot) -> None:
    ws = Workspace(users=[User(id=STUDENT, name="an", real_name="An")], app_token=APP_TOKEN, bot_url=bot.url)
    server = serve(ws)
    try:
        bot.handler = lambda r: (200, {"text": "over HTTP"})
        assert ws.slash_command(STUDENT, "/stage", "status").ok
        assert bot.last().form["command"] == "/stage"
        assert ws.ephemerals(STUDENT)[-1].text == "over HTTP"
    finally:
        server.stop()
