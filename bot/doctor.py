"""`stagebot doctor`: a checklist of what a deployment needs, each line ok or the fix.

For operators, so in plain English. It reads, never changes anything: no migration, no message, no file
left behind (the documents directory is tried with a probe file that is removed at once). `now` is passed
in, so a test decides how old the scheduler's last tick is.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery import mail
from bot.settings import Settings, SettingsError, load_settings
from models import migrate, scheduler_ticks
from models.catalogue import CatalogueError, load_catalogue
from models.db import Database
from models.document_store import default_root
from models.evaluations import load_forms
from models.leases import Lease
from scheduler.runner import LEASE, LEASE_TTL

MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "slack-app-manifest.yaml"
TIMEOUT = 10.0  # seconds for each call to Slack and to the public URL
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
TOKEN_REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
TOKEN_HELP = "the Bot User OAuth Token (xoxb-...) on the Slack app's 'OAuth & Permissions' page"


@dataclass(frozen=True)
class Check:
    """One line of the checklist. `checked` is False when it could not be (the detail says why)."""

    check: str
    ok: bool
    detail: str
    fix: str = ""
    checked: bool = True


def _skipped(name: str, why: str, *, ok: bool = False, fix: str = "") -> Check:
    return Check(name, ok, f"not checked: {why}", fix, checked=False)


def _reason(error: object) -> str:
    """The first line of an error, without the SQL or the traceback around it."""
    words = str(getattr(error, "orig", None) or error).strip().splitlines()
    return words[0] if words else type(error).__name__


# settings -------------------------------------------------------------------------------------------------


def check_settings(settings: Settings) -> Check:
    try:
        if settings.slack_app_token:
            settings.require_socket_mode()
            mode = "Socket Mode (app-level token and bot token)"
        else:
            settings.require_http()
            mode = "HTTP mode (bot token and signing secret)"
    except SettingsError as error:
        return Check("settings", False, "the settings are incomplete", str(error))
    return Check("settings", True, f"valid; {mode}, time zone {settings.timezone}")


# database and migrations ----------------------------------------------------------------------------------


def _where(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}"
    return f"PostgreSQL database {parsed.database} on {parsed.host or 'localhost'}"


def check_database(db: Database) -> Check:
    missing = migrate.sqlite_file_missing(db.url)
    if missing is not None:
        return Check(
            "database",
            False,
            f"the SQLite file {missing} does not exist",
            "run `stagebot migrate` to create it, or set DATABASE_URL to the database the bot uses",
        )
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return Check(
            "database",
            False,
            f"cannot connect to the {_where(db.url)}: {_reason(error)}",
            "check DATABASE_URL, and that the database server runs and lets this user in",
        )
    return Check("database", True, f"the {_where(db.url)} answers")


def check_migrations(db: Database) -> Check:
    try:
        state = migrate.status(db)
    except SQLAlchemyError as error:
        return _skipped("migrations", f"the database did not answer ({_reason(error)})")
    if state.unknown:
        return Check(
            "migrations",
            False,
            f"the database is at revision {', '.join(state.unknown)}, which this version does not know",
            "a newer Stagebot migrated it: deploy that version (never run an older one on this database)",
        )
    if state.pending:
        count = len(state.pending)
        return Check(
            "migrations",
            False,
            f"{count} migration(s) not applied: {', '.join(state.pending)}",
            "run `stagebot migrate` (or start `stagebot serve`, which migrates on start)",
        )
    return Check("migrations", True, f"up to date (revision {', '.join(state.current)})")


# catalogue ------------------------------------------------------------------------------------------------


def check_catalogue(settings: Settings) -> Check:
    path = settings.catalogue_path
    try:
        catalogue = load_catalogue(path)
    except OSError as error:
        return Check(
            "catalogue",
            False,
            f"cannot read {path}: {error.strerror or error}",
            "set STAGEBOT_CATALOGUE to the catalogue file of this academic year",
        )
    except CatalogueError as error:
        return Check("catalogue", False, f"{path} has problems", f"correct the file:\n{error}")
    try:
        forms = load_forms()
    except (OSError, CatalogueError) as error:
        return Check("catalogue", False, "an evaluation form has problems", f"correct the file:\n{error}")
    if catalogue.draft:
        return Check(
            "catalogue",
            False,
            f"the {catalogue.academic_year} catalogue ({path}) is a draft: its dates are not confirmed",
            "have the programme confirm the periods and deadlines, correct them in the file and set "
            "`draft: false` (or point STAGEBOT_CATALOGUE to the confirmed file)",
        )
    shown = ", ".join(sorted(forms)) or "none"
    return Check(
        "catalogue", True, f"{catalogue.academic_year}, confirmed ({path}); evaluation forms: {shown}"
    )


# Slack ----------------------------------------------------------------------------------------------------


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes the app manifest asks for."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def _header(response: SlackResponse, name: str) -> str | None:
    for key, value in (response.headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


@dataclass
class SlackAnswer:
    """auth.test's outcome: the line it gives, and the answer when the token works."""

    line: Check
    response: SlackResponse | None = None


def check_token(settings: Settings, client: WebClient | None) -> SlackAnswer:
    if client is None:
        return SlackAnswer(
            _skipped("slack token", "SLACK_BOT_TOKEN is not set", fix=f"set SLACK_BOT_TOKEN to {TOKEN_HELP}")
        )
    try:
        response = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown"))
        if code in TOKEN_REFUSED:
            fix = f"Slack refused SLACK_BOT_TOKEN: copy {TOKEN_HELP} (reinstall the app if it was revoked)"
        else:
            fix = "see Slack's documentation of this error for auth.test"
        return SlackAnswer(Check("slack token", False, f"auth.test answered {code}", fix))
    except (OSError, urllib.error.URLError) as error:
        return SlackAnswer(
            Check(
                "slack token",
                False,
                f"Slack did not answer at {settings.slack_api_url}: {_reason(error)}",
                "check this machine's network access to Slack (and SLACK_API_URL, when set)",
            )
        )
    detail = f"bot user {response.get('user')} ({response.get('user_id')}) in {response.get('team')}"
    if not response.get("bot_id"):
        return SlackAnswer(Check("slack token", False, f"{detail}, but not a bot token", f"use {TOKEN_HELP}"))
    return SlackAnswer(Check("slack token", True, detail), response)


def check_scopes(answer: SlackAnswer, manifest: Path = MANIFEST) -> Check:
    if answer.response is None:
        return _skipped("slack scopes", "no working token (see the line above)")
    try:
        wanted = manifest_scopes(manifest)
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        return _skipped("slack scopes", f"the app manifest {manifest} cannot be read ({_reason(error)})")
    header = _header(answer.response, "x-oauth-scopes")
    if header is None:
        return _skipped("slack scopes", "Slack's answer named no scopes (no x-oauth-scopes header)")
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = [s for s in wanted if s not in granted]
    if missing:
        return Check(
            "slack scopes",
            False,
            f"not granted: {', '.join(missing)}",
            "add them to the Slack app ('OAuth & Permissions' > Bot Token Scopes, or update the app from "
            "deploy/slack-app-manifest.yaml), then reinstall the app in the workspace",
        )
    return Check("slack scopes", True, f"all {len(wanted)} scopes of the manifest are granted")


def _find_channel(client: WebClient, wanted: str) -> dict[str, Any] | None:
    """The channel by id (conversations.info) or by name (conversations.list, every page)."""
    if CHANNEL_ID.match(wanted):
        try:
            return dict(client.conversations_info(channel=wanted)["channel"])
        except SlackApiError as error:
            if error.response.get("error") == "channel_not_found":
                return None
            raise
    name, cursor = wanted.lstrip("#"), None
    while True:
        page = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
        )
        for channel in page["channels"]:
            if channel.get("name") == name:
                return dict(channel)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def check_channel(settings: Settings, client: WebClient | None, answer: SlackAnswer) -> Check:
    name = "announcement channel"
    wanted = settings.channel
    if not wanted:
        return _skipped(
            name,
            "STAGEBOT_CHANNEL is not set, so no period or deadline is announced",
            ok=True,
            fix="set STAGEBOT_CHANNEL to the channel for announcements, if the programme wants them",
        )
    if client is None or answer.response is None:
        return _skipped(name, "no working token (see the slack token line)")
    try:
        channel = _find_channel(client, wanted)
    except SlackApiError as error:
        code = error.response.get("error")
        detail = f"Slack answered {code} when asked for {wanted}"
        return Check(name, False, detail, "see the slack scopes line (channels:read)")
    except (OSError, urllib.error.URLError) as error:
        return Check(name, False, f"Slack did not answer: {_reason(error)}", "try again; see the token line")
    if channel is None:
        return Check(
            name,
            False,
            f"no channel {wanted} that the bot can see",
            "create it, or set STAGEBOT_CHANNEL to an existing channel's id (in Slack: the channel's "
            "details, at the bottom); a private channel must have the bot invited first",
        )
    label = f"#{channel.get('name')} ({channel.get('id')})"
    if channel.get("is_archived"):
        return Check(name, False, f"{label} is archived", "unarchive it, or set STAGEBOT_CHANNEL to another")
    if not channel.get("is_member"):
        return Check(
            name,
            False,
            f"the bot is not a member of {label}",
            f"invite it: in #{channel.get('name')}, type /invite @{answer.response.get('user')}",
        )
    return Check(name, True, f"{label} exists and the bot is a member")


# the public address ---------------------------------------------------------------------------------------


def check_public_url(settings: Settings) -> Check:
    name = "public URL"
    base = settings.public_url
    if not base:
        return _skipped(
            name,
            "STAGEBOT_PUBLIC_URL is not set, so documents and calendar feeds get no links",
            ok=True,
            fix="set STAGEBOT_PUBLIC_URL to the bot's public https address",
        )
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Check(name, False, f"{base} is not a web address", "write it as https://host[/path]")
    if parts.scheme != "https" and parts.hostname not in LOOPBACK:
        fix = "Slack and browsers need https: serve the bot over https and set that address"
        return Check(name, False, f"{base} is not https", fix)
    url = base.rstrip("/") + "/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            status, body = response.status, response.read(64).decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    except (OSError, urllib.error.URLError) as error:
        return Check(
            name,
            False,
            f"{url} did not answer: {_reason(getattr(error, 'reason', error))}",
            "point STAGEBOT_PUBLIC_URL at the address of the web process (where Slack sends /slack/events) "
            "and check that it runs and that the load balancer lets it through",
        )
    if status != 200 or body != "ok":
        return Check(
            name,
            False,
            f"{url} answered HTTP {status}",
            "STAGEBOT_PUBLIC_URL must be the address of a `stagebot serve` web process",
        )
    return Check(name, True, f"{url} answers")


# mail to the school side ---------------------------------------------------------------------------------


def check_smtp(settings: Settings) -> Check:
    """Off without STAGEBOT_SMTP_URL (fine: the school side is then off); else the server must answer."""
    name = "SMTP"
    if not settings.smtp_url:
        return _skipped(
            name,
            "off: STAGEBOT_SMTP_URL is not set, so the school side (mail to contact persons) is off",
            ok=True,
            fix="set STAGEBOT_SMTP_URL (smtp+starttls://user:password@host:587) and STAGEBOT_MAIL_FROM",
        )
    missing = mail.missing_settings(settings.smtp_url, settings.mail_from, settings.public_url)
    try:
        reached = mail.probe(settings.smtp_url, TIMEOUT)
    except smtplib.SMTPAuthenticationError as error:
        fix = "check the user and password in STAGEBOT_SMTP_URL (write @ in them as %40)"
        detail = f"{mail.where(settings.smtp_url)} refused the login ({error.smtp_code})"
        return Check(name, False, detail, fix)
    except (OSError, smtplib.SMTPException) as error:
        fix = "check the host and port in STAGEBOT_SMTP_URL and that this machine may reach it"
        return Check(name, False, f"{mail.where(settings.smtp_url)} did not answer: {_reason(error)}", fix)
    if missing:
        fix = "the school side needs all three: set " + ", ".join(missing)
        return Check(name, False, f"{reached} answers, but {' and '.join(missing)} not set", fix)
    return Check(name, True, f"{reached} answers")


# documents ------------------------------------------------------------------------------------------------


def check_documents(settings: Settings) -> Check:
    name = "documents directory"
    root = default_root(settings.documents_dir, settings.database_url)
    fix = (
        f"make {root} writable by the user that runs Stagebot, or set STAGEBOT_DOCUMENTS_DIR to a "
        "persistent volume every web process shares"
    )
    if root.exists() and not root.is_dir():
        return Check(name, False, f"{root} is not a directory", fix)
    if not root.exists():  # the store makes it on the first upload: try making a folder where it would be
        parent = next(p for p in root.parents if p.exists())
        try:
            os.rmdir(tempfile.mkdtemp(dir=parent, prefix=".doctor-"))
        except OSError as error:
            reason = error.strerror or str(error)
            return Check(name, False, f"{root} does not exist and cannot be made in {parent}: {reason}", fix)
        return Check(name, True, f"{root} will be made on the first upload ({parent} is writable)")
    try:
        handle, probe = tempfile.mkstemp(dir=root, prefix=".doctor-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return Check(name, False, f"cannot write in {root}: {error.strerror or error}", fix)
    note = "" if settings.documents_dir else " (the default; a platform's own disk may not last)"
    return Check(name, True, f"{root} is writable{note}")


# the scheduler --------------------------------------------------------------------------------------------


def check_scheduler(db: Database, now: datetime) -> Check:
    name = "scheduler"
    try:
        with db.session() as session:
            tick = scheduler_ticks.last(session, LEASE)
            lease = session.get(Lease, LEASE)
    except SQLAlchemyError as error:
        return _skipped(name, f"the database cannot tell ({_reason(error)})")
    start = "start one `stagebot scheduler` process (or `stagebot run`, which has the scheduler inside)"
    if tick is None:
        return Check(name, False, "no scheduler has ever ticked on this database", start)
    age = now - tick.ticked_at
    minutes = int(age.total_seconds() // 60)
    when = f"{tick.ticked_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC by {tick.holder}"
    if age > LEASE_TTL:
        alive = lease is not None and lease.expires_at > now  # it holds the lease, but its ticks fail
        held = f"; {lease.holder} still holds the lease" if alive and lease is not None else ""
        return Check(
            name,
            False,
            f"the last tick was {minutes} minute(s) ago ({when}){held}",
            f"{start}; if it runs, its log says why its ticks fail",
        )
    return Check(name, True, f"last tick {max(minutes, 0)} minute(s) ago ({when})")


# the whole checklist --------------------------------------------------------------------------------------


REST = (
    "database",
    "migrations",
    "catalogue",
    "slack token",
    "slack scopes",
    "announcement channel",
    "public URL",
    "documents directory",
    "SMTP",
    "scheduler",
)


def run(now: datetime, settings: Settings | None = None, *, manifest: Path = MANIFEST) -> list[Check]:
    """Every check, in order. Without `settings` they are read from the environment (and `.env`)."""
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as error:
            first = Check("settings", False, "the settings cannot be read", str(error))
            return [first, *(_skipped(name, "the settings cannot be read") for name in REST)]
    lines = [check_settings(settings)]
    db = Database(settings.database_url)
    try:
        lines.append(check_database(db))
        reachable = lines[-1].ok
        lines.append(check_migrations(db) if reachable else _skipped("migrations", "no database"))
        lines.append(check_catalogue(settings))
        client = (
            WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=int(TIMEOUT))
            if settings.slack_bot_token
            else None
        )
        answer = check_token(settings, client)
        lines += [answer.line, check_scopes(answer, manifest), check_channel(settings, client, answer)]
        lines += [check_public_url(settings), check_documents(settings), check_smtp(settings)]
        lines.append(check_scheduler(db, now) if reachable else _skipped("scheduler", "no database"))
    finally:
        db.dispose()
    return lines


def render(lines: list[Check]) -> str:
    """The checklist for a person: one line each, the fix indented below a problem."""
    width = max(len(line.check) for line in lines)
    out = []
    for line in lines:
        mark = "FAIL" if not line.ok else "ok" if line.checked else "--"
        out.append(f"{mark:<4}  {line.check:<{width}}  {line.detail}")
        if line.fix and not line.ok:
            for number, fix_line in enumerate(line.fix.splitlines()):
                out.append(" " * (width + 8) + ("fix: " if number == 0 else "     ") + fix_line)
    problems = sum(not line.ok for line in lines)
    out.append("")
    out.append("All is well." if not problems else f"{problems} problem(s) to fix.")
    return "\n".join(out)


def wall_now() -> datetime:
    return datetime.now(UTC)


def main(*, as_json: bool = False) -> int:
    """`stagebot doctor [--json]`: exit status 0 when every line is ok, 1 otherwise."""
    os.environ.setdefault("PGCONNECT_TIMEOUT", "10")  # an unreachable server fails in seconds, not minutes
    lines = run(wall_now())
    if as_json:
        print(json.dumps([asdict(line) for line in lines], indent=2))
    else:
        print(render(lines))
    return 0 if all(line.ok for line in lines) else 1
