"""The bot's HTTP app and the workspace it talks to over real HTTP, built one way for the test suite (the
`stack` fixture of tests/conftest.py) and for the benchmarks that time it (bench/ack_latency.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import waitress
from sqlmodel import Session, select

from bot.app import create_app, create_http_app
from bot.delivery.slack_limits import Pacer
from bot.services import Services
from bot.settings import load_settings
from models.catalogue import load_catalogue
from models.db import Database
from models.people import Person
from workspace import Channel, User, Workspace
from workspace.server import serve

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@dataclass
class Stack:
    """The bot's HTTP app and the workspace it talks to: signed requests in, Web API calls out."""

    ws: Workspace
    services: Services
    bot_url: str
    stop: Callable[[], None] = field(default=lambda: None, repr=False)

    def session(self) -> Session:
        return self.services.db.session()

    def sync_users(self) -> None:
        """Everyone in the database becomes a member of the workspace, as they would be in Slack."""
        with self.session() as session:
            people = session.exec(select(Person)).all()
        known = {u.id for u in self.ws.users}
        for p in people:
            if p.slack_user_id not in known:
                locale = p.slack_locale or "nl-BE"
                self.ws.add_user(
                    User(id=p.slack_user_id, name=p.slack_user_id.lower(), real_name=p.name, locale=locale)
                )


def start_stack(database: Database, **settings: Any) -> Stack:
    """The workspace and the bot on free ports, wired to each other; `settings` are added to the bot's
    (e.g. documents_dir). What the bot sends after its answer is delivered before the answer returns
    (to assert on) and the workspace has no rate limits (see test_realism): a caller may undo either."""
    ws = Workspace(
        users=[],
        channels=[Channel(id="C0ANNOUNCE", name="stage-aankondigingen")],
        bot_token=TOKEN,
        signing_secret=SECRET,
        bot_url="",
        bot_user_id="U0STAGEBOT",
    )
    page = serve(ws, host="127.0.0.1", port=0)
    loaded = load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=ws.api_url,
        database_url=database.url,
    )
    services = Services(loaded, database, load_catalogue())
    server = waitress.create_server(
        create_http_app(create_app(services), services), host="127.0.0.1", port=0, threads=4
    )
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    ws.bot_url = base + "/slack/events"
    services.settings = loaded.model_copy(update={"public_url": base, **settings})
    ws.after_delivery = services.outbox.settle
    services.outbox.pacer = Pacer(enabled=False)

    def stop() -> None:
        services.outbox.stop()
        server.close()
        page.stop()

    return Stack(ws, services, ws.bot_url, stop)
