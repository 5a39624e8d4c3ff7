"""Fixtures for the local workspace tests: a served Workspace wired to a fake bot, and a test clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from ws_helpers import ANNOUNCE, SECRET, STUDENT, SUPERVISOR, TOKEN, Clock, FakeBot

from workspace import Channel, User, Workspace
from workspace.server import serve


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bot() -> Iterator[FakeBot]:
    fake = FakeBot()
    yield fake
    fake.stop()


@pytest.fixture
def ws(bot: FakeBot, clock: Clock) -> Iterator[Workspace]:
    workspace = Workspace(
        users=[
            User(id=STUDENT, name="an.peeters", real_name="An Peeters", locale="nl-BE"),
            User(id=SUPERVISOR, name="bram.claes", real_name="Bram Claes", locale="en-GB"),
        ],
        channels=[Channel(id=ANNOUNCE, name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url=bot.url,
        bot_user_id="U0STAGEBOT",
        clock=clock,
    )
    server = serve(workspace, host="127.0.0.1", port=0)
    yield workspace
    server.stop()


@pytest.fixture
def client(ws: Workspace) -> WebClient:
    """What the bot uses: slack_sdk pointed at the workspace."""
    return WebClient(token=TOKEN, base_url=ws.api_url)
