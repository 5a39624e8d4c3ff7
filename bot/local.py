"""`stagebot run` without Slack credentials: the bot talks to the local workspace, with demo data.

The workspace is a stand-in for Slack that only speaks Slack's wire protocol; the bot is wired to it
exactly as to Slack (signed requests in, Web API calls out), with a token and secret made up per run.
This module is the only bridge between the two: it gives the workspace two hooks, one that moves the
bot's clock (then runs one scheduler tick, so due reminders show up at once) and one that puts the demo
data back. The bot takes its time from the workspace only here, never in Socket Mode or HTTP mode.

Both run on real time, or, given a `start`, frozen at that moment until someone moves the clock: what a
test needs (the same day, hour and reminders whatever the day it runs) and what `stagebot run --at` offers.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import waitress
from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlmodel import SQLModel, select

import models  # noqa: F401  (registers every table, so a reset empties them all)
from bot.app import create_app, create_http_app, web_client
from bot.demo.progress import seed_progress
from bot.flows import lio as lio_review
from bot.services import Services
from bot.settings import Settings
from models import leases
from models.documents import Document, DocumentStatus
from models.migrate import upgrade
from models.people import Person, PersonRole, Role, Student
from models.people_csv import import_people
from models.schools_csv import import_schools
from scheduler.runner import LEASE, Runner, schedule
from workspace import Channel, Server, User, Workspace
from workspace.mailbox import Mailbox
from workspace.server import serve

log = logging.getLogger(__name__)
DEMO = Path(__file__).parent / "demo"
LOCAL_DATABASE = "sqlite:///stagebot-local.db"
LOCAL_SENDER = "Stagebot <stagebot@localhost>"
HOST = "127.0.0.1"
BOT_USER_ID = "U0STAGEBOT"
ANNOUNCE_CHANNEL_ID = "C0ANNOUNCE"
DEFAULT_CHANNEL = "stage-aankondigingen"
ROLE_ORDER = [Role.STUDENT, Role.SUPERVISOR, Role.COORDINATOR, Role.COUNSELLOR]


def load_demo_data(services: Services) -> None:
    """Import the demo schools and people (again: importing updates, so this is safe on every start)."""
    with services.db.session() as session:
        import_schools(session, (DEMO / "schools.csv").read_text(encoding="utf-8"))
        import_people(session, (DEMO / "people.csv").read_text(encoding="utf-8"))
    seed_progress(services, services.clock.now())  # the cohort in mid-year (once per database)


def forget_review_messages(services: Services) -> None:
    """A new workspace starts with empty conversations: review messages of an earlier run are gone, so the
    documents still waiting are posted again (by the first tick) instead of waiting for buttons nobody has."""
    with services.db.session() as session:
        awaiting = DocumentStatus.AWAITING_REVIEW.value
        for document in session.exec(select(Document).where(Document.status == awaiting)):
            if document.review_messages:
                document.review_messages = []
                session.add(document)
        lio_review.forget_review_messages(session)


def _title(roles: list[str], student: Student | None) -> str:
    """What the person picker shows next to a name, so a newcomer knows whom they are playing."""
    words = [r.replace("_", " ") for r in sorted(roles, key=_role_rank)]
    if student is not None:
        words[0] = f"student ({student.subject_x} & {student.subject_y}{', LIO' if student.lio else ''})"
    return ", ".join(words)


def _role_rank(role: str) -> int:
    order = [r.value for r in ROLE_ORDER]
    return order.index(role) if role in order else len(order)


def workspace_users(services: Services) -> list[User]:
    """Everyone in the database as a workspace member: students first, then staff, by name."""
    with services.db.session() as session:
        people = session.exec(select(Person).order_by(Person.name)).all()
        roles: dict[int, list[str]] = {}
        for link in session.exec(select(PersonRole)).all():
            roles.setdefault(link.person_id, []).append(link.role)
        students = {s.person_id: s for s in session.exec(select(Student)).all()}
    members = [
        (
            min((_role_rank(r) for r in roles.get(p.id or 0, [])), default=len(ROLE_ORDER)),
            User(
                id=p.slack_user_id,
                name=p.slack_user_id.lower(),
                real_name=p.name,
                locale="en-GB" if p.language == "en" else "nl-BE",
                email=p.email or "",
                title=_title(roles.get(p.id or 0, []), students.get(p.id or 0)),
            ),
        )
        for p in people
    ]
    return [user for _, user in sorted(members, key=lambda pair: pair[0])]


class SerialRunner(Runner):
    """A runner whose ticks never overlap: the interval job and a tick after a clock move share it."""

    def __init__(self, services: Services, client: WebClient) -> None:
        super().__init__(services, client)
        self.lock = threading.Lock()

    def tick(self) -> bool:
        with self.lock:
            return super().tick()


@dataclass
class LocalWorkspace:
    """The bot, its in-process scheduler and the workspace, running together on this machine."""

    ws: Workspace
    services: Services
    runner: SerialRunner
    scheduler: BackgroundScheduler
    page: Server
    bot_server: Any
    demo_database: bool
    start: datetime | None = None  # the frozen moment both clocks start from (and a reset returns to)
    mailbox: Mailbox | None = None  # catches the bot's mail when no SMTP server is set

    @property
    def url(self) -> str:
        return self.page.url

    def move_clock(self, seconds: float) -> None:
        """The workspace's clock control: the bot's now moves as far, then due reminders go out."""
        self.services.clock.advance(timedelta(seconds=seconds))
        try:
            self.runner.tick()
        except Exception:  # the clock did move; a failing job is the scheduler's to report
            log.exception("the scheduler tick after moving the clock failed")

    def reset_demo(self) -> None:
        """Empty every table, import the demo data again and put the bot's clock back where it started:
        real time, or the frozen `start` (the workspace has put its own clock back already).

        What the old demo still had on its way (a background job, a message being sent) finishes first
        and is wiped with it: it must not land in the fresh workspace, nor write into emptied tables."""
        try:
            self.services.background.drain(timeout=15)
        except TimeoutError:
            log.warning("a background job of the old demo data still runs during the reset")
        self.services.outbox.stop()
        self.ws.reset()
        with self.runner.lock, self.services.db.engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
        # Before the demo data: its history is dated from the clock.
        if self.start is None:
            self.services.clock.release()
        else:
            self.services.clock.freeze(self.start)
        load_demo_data(self.services)
        if self.mailbox is not None:
            self.mailbox.clear()
        self.services.outbox.start()
        self.runner.tick()  # what the demo has waiting for review reaches the reviewers' DMs now

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        self.services.outbox.stop()
        self.runner.stop()  # release the scheduler's lease: a restart right after may tick at once
        self.page.stop()
        self.bot_server.close()
        if self.mailbox is not None:
            self.mailbox.stop()
        self.services.db.dispose()


def start_local(
    settings: Settings,
    *,
    demo_database: str | None = None,
    port: int | None = None,
    start: datetime | None = None,
) -> LocalWorkspace:
    """Start the workspace page, the bot behind it and the scheduler; return once all three listen.

    The demo data can be reset only in a database of the workspace's own (`demo_database`, else
    stagebot-local.db): with DATABASE_URL set (and no `demo_database`) the workspace uses that database
    and never empties it.

    With `start` (an aware datetime) the bot's and the workspace's clocks stand still at that moment
    until the clock is moved, and a reset returns there: the demo data, the first tick and every
    scheduler tick see that moment, not the wall clock. Without it both follow real time.
    """
    if start is not None and start.tzinfo is None:
        raise ValueError("start the local workspace at an aware datetime")
    token, secret = f"xoxb-local-{secrets.token_hex(8)}", secrets.token_hex(16)
    own_database = demo_database is not None or "database_url" not in settings.model_fields_set
    database_url = demo_database or (LOCAL_DATABASE if own_database else settings.database_url)
    # The bot announces in the workspace's own channel (named STAGEBOT_CHANNEL, or the default).
    base = settings.model_copy(update={"database_url": database_url, "channel": ANNOUNCE_CHANNEL_ID})
    services = Services.from_settings(base)
    if start is not None:
        services.clock.freeze(start)
    upgrade(services.db)
    load_demo_data(services)

    ws = Workspace(
        users=workspace_users(services),
        channels=[Channel(id=ANNOUNCE_CHANNEL_ID, name=settings.channel or DEFAULT_CHANNEL)],
        bot_token=token,
        signing_secret=secret,
        bot_url="",
        bot_user_id=BOT_USER_ID,
        clock=time.time if start is None else _standing_still(start),
    )
    page = serve(ws, host=HOST, port=settings.port if port is None else port)
    services.settings = base.model_copy(
        update={"slack_bot_token": token, "slack_signing_secret": secret, "slack_api_url": ws.api_url}
    )
    mailbox = None
    if not settings.smtp_url:  # the workspace catches the mail, sent over SMTP as to a real server
        mailbox = ws.mailbox = Mailbox()
        update = {"smtp_url": mailbox.start(HOST), "mail_from": settings.mail_from or LOCAL_SENDER}
        services.settings = services.settings.model_copy(update=update)
    bot_http = create_http_app(create_app(services), services)
    bot_server = waitress.create_server(bot_http, host=HOST, port=0, threads=8)  # type: ignore[attr-defined]  # public, not in the stubs
    bot_base = f"http://{HOST}:{bot_server.effective_port}"
    ws.bot_url = bot_base + "/slack/events"
    services.settings = services.settings.model_copy(update={"public_url": bot_base})
    threading.Thread(target=bot_server.run, name="stagebot-http", daemon=True).start()

    runner = SerialRunner(services, web_client(services))
    scheduler = BackgroundScheduler(timezone=services.settings.timezone)
    schedule(scheduler, runner)
    scheduler.start()
    forget_review_messages(services)
    if own_database:
        with services.db.session() as session:
            leases.take_over(session, LEASE)
    runner.tick()  # at once, not in a minute: pending review messages, and a sweep if one is due
    local = LocalWorkspace(ws, services, runner, scheduler, page, bot_server, own_database, start, mailbox)
    ws.on_clock_moved = local.move_clock
    ws.on_reset = local.reset_demo if own_database else None
    return local


def _standing_still(start: datetime) -> Callable[[], float]:
    """The workspace's base clock for a frozen start; moving the clock adds to it, as to the bot's."""
    moment = start.timestamp()
    return lambda: moment


def run_local(settings: Settings, start: datetime | None = None) -> int:
    local = start_local(settings, start=start)
    reset = "Reset demo data puts it all back" if local.demo_database else "reset is off (DATABASE_URL)"
    print(
        f"\nStagebot is running against the LOCAL WORKSPACE (a stand-in for Slack, with demo data).\n"
        f"Open {local.url} in your browser, pick a person and type /stage status.\n"
        f"The clock buttons move the bot's time (reminders follow); {reset}.\n"
        f"Database: {local.services.settings.database_url}. Stop with Ctrl-C.\n",
        flush=True,
    )
    try:
        threading.Event().wait()
    finally:
        local.stop()
    return 0
