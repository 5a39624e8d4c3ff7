"""`stagebot run` without Slack credentials: the bot talks to the local workspace, with demo data.

The workspace is a stand-in for Slack that only speaks Slack's wire protocol; the bot is wired to it
exactly as to Slack (signed requests in, Web API calls out), with a token and secret made up per run.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path

import waitress
from sqlmodel import select

from bot.app import create_app, create_http_app, web_client
from bot.services import Services
from bot.settings import Settings
from models.migrate import upgrade
from models.people import Person
from models.people_csv import import_people
from models.schools_csv import import_schools
from scheduler.runner import start_in_process
from workspace import Channel, User, Workspace

log = logging.getLogger(__name__)
DEMO = Path(__file__).parent / "demo"
LOCAL_DATABASE = "sqlite:///stagebot-local.db"
HOST = "127.0.0.1"
BOT_USER_ID = "U0STAGEBOT"


def load_demo_data(services: Services) -> None:
    """Import the demo schools and people (again: importing updates, so this is safe on every start)."""
    with services.db.session() as session:
        import_schools(session, (DEMO / "schools.csv").read_text(encoding="utf-8"))
        import_people(session, (DEMO / "people.csv").read_text(encoding="utf-8"))


def workspace_users(services: Services) -> list[User]:
    with services.db.session() as session:
        people = session.exec(select(Person).order_by(Person.name)).all()
    return [
        User(
            id=p.slack_user_id,
            name=p.slack_user_id.lower(),
            real_name=p.name,
            locale="en-GB" if p.language == "en" else "nl-BE",
        )
        for p in people
    ]


def run_local(settings: Settings) -> int:
    token, secret = f"xoxb-local-{secrets.token_hex(8)}", secrets.token_hex(16)
    database_url = settings.database_url if "database_url" in settings.model_fields_set else LOCAL_DATABASE
    channel_name = settings.channel or "stage-aankondigingen"
    base = settings.model_copy(update={"database_url": database_url})
    services = Services.from_settings(base)
    upgrade(services.db)
    load_demo_data(services)

    ws = Workspace(
        users=workspace_users(services),
        channels=[Channel(id="C0ANNOUNCE", name=channel_name)],
        bot_token=token,
        signing_secret=secret,
        bot_url="",
        bot_user_id=BOT_USER_ID,
    )
    page = ws.serve(host=HOST, port=settings.port)
    services.settings = base.model_copy(
        update={"slack_bot_token": token, "slack_signing_secret": secret, "slack_api_url": ws.api_url}
    )
    bot_http = create_http_app(create_app(services))
    bot_server = waitress.create_server(bot_http, host=HOST, port=0, threads=8)
    ws.bot_url = f"http://{HOST}:{bot_server.effective_port}/slack/events"  # type: ignore[union-attr]
    threading.Thread(target=bot_server.run, name="stagebot-http", daemon=True).start()
    scheduler = start_in_process(services, web_client(services))

    print(
        f"\nStagebot is running against the LOCAL WORKSPACE (a stand-in for Slack, with demo data).\n"
        f"Open {page.url} in your browser, pick a person and type /stage status.\n"
        f"Database: {database_url}. Stop with Ctrl-C.\n",
        flush=True,
    )
    try:
        threading.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        page.stop()
        bot_server.close()
    return 0
