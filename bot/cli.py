"""The `stagebot` command: run the bot, serve HTTP, run the scheduler, import, export and migrate."""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import secrets
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import logs
from bot.settings import Settings, SettingsError, load_settings
from models.catalogue import CatalogueError

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from sqlmodel import Session

    from bot.i18n import Translator
    from bot.services import Services
    from models.leases import Lease
    from scheduler.runner import LeaseHolder

log = logging.getLogger("stagebot")
LONG_RUNNING = frozenset({"run", "serve", "scheduler"})
VERBOSE_HELP = "also print progress lines (database migrations, INFO logging)"


def _services(settings: Settings, *, migrate: bool = True) -> Services:
    from bot.services import Services
    from models.migrate import upgrade

    services = Services.from_settings(settings)
    if migrate:
        upgrade(services.db)
    return services


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    slack = bool(settings.slack_app_token or settings.slack_bot_token or settings.slack_signing_secret)
    if args.at and slack:  # Slack's time is real time: only the local workspace can start elsewhere
        print(_translator(settings)("run.at_local_only"), file=sys.stderr)
        return 2
    if settings.slack_app_token:
        return cmd_socket(settings)
    if slack:
        return serve_http(settings, with_scheduler=True)
    from bot.local import run_local

    return run_local(settings, _moment(args.at, settings) if args.at else None)


def cmd_socket(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app, web_client
    from scheduler.runner import start_in_process

    settings.require_socket_mode()
    services = _services(settings)
    app = create_app(services)
    start_in_process(services, web_client(services))
    log.info("Stagebot is connecting to Slack in Socket Mode (with the scheduler in this process)")
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def cmd_serve(settings: Settings, _: argparse.Namespace) -> int:
    """HTTP only: the web process beside a `stagebot scheduler` process."""
    return serve_http(settings, with_scheduler=False)


def mail_missing(settings: Settings) -> list[str]:
    from bot.delivery.mail import missing_settings

    return missing_settings(settings.smtp_url, settings.mail_from, settings.public_url)


def serve_http(settings: Settings, *, with_scheduler: bool) -> int:
    import waitress

    from bot.app import create_app, create_http_app, web_client
    from scheduler.runner import start_in_process

    settings.require_http()
    services = _services(settings)
    app = create_app(services)
    if with_scheduler:  # single-process mode; the database lease keeps any other scheduler idle
        start_in_process(services, web_client(services))
    if missing := mail_missing(settings):
        log.warning("The school side is off (no mail to contact persons): set %s", ", ".join(missing))
    log.info("Stagebot listens on port %s, path /slack/events", settings.port)
    waitress.serve(create_http_app(app, services), host="0.0.0.0", port=settings.port, threads=8)
    return 0


def cmd_scheduler(settings: Settings, _: argparse.Namespace) -> int:
    from scheduler.runner import run_scheduler

    return run_scheduler(_services(settings))


REMIND_BUSY = 3  # `stagebot remind`'s exit status when another process holds the scheduler's lease
REMIND_POLL = 1.0  # seconds between two tries for the lease while --wait lasts
REMIND_DELIVERY = 60.0  # seconds `stagebot remind` itself delivers before it leaves the rest to the bot


def _translator(settings: Settings) -> Translator:
    from bot.i18n import Translator, language_for

    return Translator(language_for(None, os.environ.get("LANG")), settings.timezone)


def _moment(at: datetime, settings: Settings) -> datetime:
    """A moment from the command line; without an offset it is in the programme's time zone."""
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(settings.timezone))


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    """Show (--dry-run) or send now what the daily sweep would send (as if at --at).

    Sending holds the scheduler's lease, as a scheduler's tick does, so it never runs beside a scheduler
    or another `stagebot remind`: it waits up to --wait seconds for the lease, then says who holds it.
    """
    from bot.app import web_client
    from scheduler.runner import LeaseHolder, LeaseLost, bound_to_lease, holder_id
    from scheduler.sweep import dry_run, run_sweep

    t = _translator(settings)
    services = _services(settings)
    now = _moment(args.at, settings) if args.at else services.clock.now()
    if args.dry_run:
        lines = dry_run(services, now)
        print("\n".join(lines) if lines else t("remind.nothing_due"))
        return 0
    settings.require_http_token()
    # The lease runs on real time (services.clock), whatever moment --at names for the sweep.
    lease = LeaseHolder(services, f"remind:{holder_id()}:{secrets.token_hex(3)}")
    holder = _take_lease(lease, args.wait)
    if holder is not None:
        until = t.datetime(holder.expires_at)
        print(t("remind.busy", holder=holder.holder, until=until), file=sys.stderr)
        return REMIND_BUSY
    try:
        sent, _ = run_sweep(services, bound_to_lease(web_client(services), lease), now, check=lease.check)
    except LeaseLost:
        print(t("remind.lease_lost"), file=sys.stderr)
        return REMIND_BUSY
    finally:
        lease.release()
    # Queued in the outbox with the reminder rows; deliver what can go now, the running bot does the rest.
    with contextlib.suppress(TimeoutError):
        services.outbox.settle(timeout=REMIND_DELIVERY)
    from models import outbox

    with services.db.session() as session:
        left = outbox.counts(session)[outbox.OutboxState.PENDING.value]
    print(t("remind.sent", sent=sent, left=left))
    return 0


def _take_lease(lease: LeaseHolder, wait: float) -> Lease | None:
    """Take the lease, trying again for up to `wait` seconds; None once held, else who holds it."""
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        if lease.acquire():
            return None
        holder = lease.current()
        left = deadline - time.monotonic()
        if holder is not None and left <= 0:
            return holder
        _pause(min(REMIND_POLL, max(left, 0.0)))


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    """Delete document contents past their retention period; decisions and hashes stay."""
    from models.document_store import DocumentStore, default_root
    from models.documents import load_document_config, purge

    services = _services(settings)
    store = DocumentStore(default_root(settings.documents_dir, settings.database_url))
    now = services.clock.now()
    result = purge(services.db, store, load_document_config(), now, dry_run=args.dry_run)
    if args.dry_run:
        print(f"{result.versions} document version(s) would be purged ({result.files} file(s)).")
    else:
        print(f"{result.versions} document version(s) purged; {result.files} file(s) deleted.")
    verb = "would be deleted" if args.dry_run else "deleted"
    print(f"{result.unreferenced} file(s) no document refers to (older than a day) {verb}.")
    return 0


def cmd_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """What the bot still has to send, and what Slack refused for good (with `--retry`: send those again)."""
    from models import outbox

    services = _services(settings)
    with services.db.session() as session:
        if args.retry:
            again = outbox.retry_failed(session)
            print(f"{again} failed message(s) will be sent again.")
            return 0
        rows = outbox.unsent(session)
    for row in rows:
        print(
            f"{row.id}\t{row.state}\t{row.method}\t{row.lane}\t{row.attempts} attempt(s)\t"
            f"{row.created_at:%Y-%m-%d %H:%M}\t{row.last_error or ''}"
        )
    failed = sum(1 for r in rows if r.state == outbox.OutboxState.FAILED.value)
    print(f"{len(rows) - failed} pending, {failed} failed.")
    return 1 if failed else 0


def cmd_privacy(settings: Settings, args: argparse.Namespace) -> int:
    """GDPR requests: `export PERSON DIR` (art. 15) and `erase PERSON` (art. 17; a dry run unless --yes)."""
    from models import privacy
    from models.document_store import DocumentStore, default_root
    from models.documents import load_document_config

    t = _translator(settings)
    services = _services(settings)
    store = DocumentStore(default_root(settings.documents_dir, settings.database_url))
    now = services.clock.now()
    with services.db.session() as session:
        try:
            person = privacy.find_person(session, args.person)
        except privacy.UnknownPerson:
            print(t("privacy.unknown", who=args.person), file=sys.stderr)
            return 1
        if args.action == "export":
            target = Path(args.dir)
            if target.exists() and any(target.iterdir()):
                print(t("privacy.target_exists", dir=str(target)), file=sys.stderr)
                return 1
            done = privacy.export(session, person, store, target, now)
            session.commit()
            print(t.ngettext("privacy.export.done", done.rows, dir=str(target), documents=done.documents,
                             messages=done.messages))  # fmt: skip
            return 0
        config = load_document_config()
        if args.dry_run or not args.yes:
            plan = privacy.plan_erasure(session, person, config, now.date())
            print(t("privacy.erase.dry_run", id=plan.person_id))
        else:
            plan = privacy.erase(session, person, store, config, now)
            session.commit()
            privacy.delete_contents(session, store, plan)
            print(t("privacy.erase.done", id=plan.person_id))
    for step in plan.steps:
        reason = t(f"privacy.reason.{step.reason}")
        columns = ", ".join(step.columns)
        print("- " + t.ngettext(f"privacy.line.{step.treatment.value}", step.rows, table=step.table,
                                reason=reason, columns=columns))  # fmt: skip
    for content in plan.contents:
        key = "privacy.content.deleted" if content.deleted else "privacy.content.kept"
        print("- " + t(key, id=content.document_id, until=t.date(content.until, "medium")))
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:
        return check_migrations(settings)
    _services(settings)
    print("The database is up to date.")
    return 0


def check_migrations(settings: Settings) -> int:
    """`stagebot migrate --check`: whether migrations are pending, without applying any (exit 1: pending)."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.db import Database
    from models.migrate import status

    db = Database(settings.database_url)
    try:
        state = status(db)
    except SQLAlchemyError as error:
        print(f"stagebot: the database cannot be reached: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if state.unknown:
        print(
            f"The database is at revision {', '.join(state.unknown)}, which this version does not know "
            "(a newer Stagebot migrated it)."
        )
        return 1
    if state.pending:
        pending = ", ".join(state.pending)
        print(f"{len(state.pending)} migration(s) pending: {pending}. Run `stagebot migrate` to apply them.")
        return 1
    print("The database is up to date.")
    return 0


def _importer(kind: str) -> tuple[Callable[..., Any], Callable[[Session], str]]:
    from models.agreements_csv import export_agreements, import_agreements
    from models.capacity_csv import export_capacity, import_capacity
    from models.people_csv import export_people, import_people
    from models.schools_csv import export_schools, import_schools

    return {
        "people": (import_people, export_people),
        "schools": (import_schools, export_schools),
        "agreements": (import_agreements, export_agreements),
        "capacity": (import_capacity, export_capacity),
    }[kind]


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n import Translator, language_for
    from models.csv_import import ImportRefused, decode

    t = Translator(language_for(None, os.environ.get("LANG")), settings.timezone)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(t(_file_problem(error), path=str(path), reason=error.strerror or str(error)), file=sys.stderr)
        return 1
    services = _services(settings)
    importer, _ = _importer(args.kind)
    try:
        text = decode(data)
        with services.db.session() as session:
            result = importer(session, text)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(t(problem.key, line=problem.line, **problem.params), file=sys.stderr)
        print(t("import.summary.refused", count=len(refused.problems)), file=sys.stderr)
        return 1
    print(t("import.summary.done", created=result.created, updated=result.updated))
    return 0


def _file_problem(error: OSError) -> str:
    """The message key for a file that cannot be read at all (nothing is imported then)."""
    if isinstance(error, FileNotFoundError):
        return "import.file.not_found"
    if isinstance(error, IsADirectoryError):
        return "import.file.is_directory"
    return "import.file.unreadable"


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n import Translator, language_for

    if args.kind == "cohort":
        return export_cohort(settings, args)
    services = _services(settings)
    _, exporter = _importer(args.kind)
    with services.db.session() as session:
        text = exporter(session)
    if args.file and args.file != "-":
        try:
            Path(args.file).write_text(text, encoding="utf-8")
        except OSError as error:
            t = Translator(language_for(None, os.environ.get("LANG")), settings.timezone)
            reason = error.strerror or str(error)
            print(t("import.file.unwritable", path=args.file, reason=reason), file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


def export_cohort(settings: Settings, args: argparse.Namespace) -> int:
    """`export cohort FILE.xlsx` (a workbook, a sheet per view) or `--format csv DIR` (one CSV per sheet),
    headers in `--language` (else the one of $LANG)."""
    from bot.flows.export import context
    from bot.i18n import Translator, language_for
    from models import cohort_export

    t = Translator(language_for(args.language, os.environ.get("LANG")), settings.timezone)
    if not args.file or args.file == "-":
        print(t("export.cli.needs_target"), file=sys.stderr)
        return 2
    services = _services(settings)
    target = Path(args.file)
    try:
        with services.db.session() as session:
            sheets = cohort_export.cohort_sheets(session, context(services, t))
        if args.format == "csv":
            cohort_export.write_csv_dir(sheets, t, target)
        else:
            target.write_bytes(cohort_export.to_xlsx(sheets, t))
    except OSError as error:
        reason = error.strerror or str(error)
        print(t("import.file.unwritable", path=str(target), reason=reason), file=sys.stderr)
        return 1
    rows = sum(len(sheet.rows) for sheet in sheets)
    print(t("export.cli.done", path=str(target), sheets=len(sheets), rows=rows))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="stagebot", description="Stagebot: the internship administration in Slack."
    )
    root.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    # `-v` also after the command (`stagebot migrate -v`); SUPPRESS keeps a root `-v` from being reset
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
    commands = root.add_subparsers(dest="command", required=True)
    add = functools.partial(commands.add_parser, parents=[verbose])
    run = add("run", help="run the bot (Socket Mode, HTTP, or the local workspace without credentials)")
    run.add_argument(
        "--at",
        type=datetime.fromisoformat,
        metavar="WHEN",
        help="local workspace only: its clock starts at this moment, e.g. 2027-01-22T09:30, and stands "
        "still there until you move it (the demo data is dated from it)",
    )
    add("serve", help="HTTP mode only: /slack/events on $PORT")
    add("scheduler", help="the reminder scheduler, as its own process")
    migrate = add("migrate", help="bring the database schema up to date")
    migrate.add_argument(
        "--check", action="store_true", help="only tell whether migrations are pending (exit 1 if so)"
    )
    doctor = add("doctor", help="check what a deployment needs, each line ok or the fix")
    doctor.add_argument("--json", action="store_true", help="the checklist as JSON, for machines")
    purge = add("purge", help="delete document contents past their retention period")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    box = add("outbox", help="list the messages still to send and those Slack refused")
    box.add_argument("--retry", action="store_true", help="send the refused messages again")
    remind = add("remind", help="send the reminders that are due now")
    remind.add_argument("--dry-run", action="store_true", help="print what would be sent, to whom and why")
    remind.add_argument(
        "--at",
        type=datetime.fromisoformat,
        metavar="WHEN",
        help="as if it were this moment, e.g. 2027-01-22T09:30: with --dry-run what would be due then is "
        "shown; without it, what is due then is sent now",
    )
    remind.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when the scheduler (or another remind) is working right now, wait up to this long for it "
        f"(default: do not wait; say who is working and stop with exit status {REMIND_BUSY})",
    )
    privacy = add("privacy", help="a person's GDPR requests: export what the bot holds, erase what may go")
    requests = privacy.add_subparsers(dest="action", required=True)
    export = requests.add_parser("export", help="write everything about the person into DIR (art. 15)")
    export.add_argument("person", metavar="PERSON", help="their Slack id or e-mail address")
    export.add_argument("dir", metavar="DIR", help="a new (or empty) directory")
    erase = requests.add_parser(
        "erase", help="erase or anonymise what the programme need not keep (art. 17); a dry run unless --yes"
    )
    erase.add_argument("person", metavar="PERSON", help="their Slack id or e-mail address")
    erase.add_argument("--dry-run", action="store_true", help="only show what would be done (the default)")
    erase.add_argument("--yes", action="store_true", help="do it")
    for name, help_text in (
        ("import", "import a CSV file"),
        ("export", "export to CSV; `export cohort FILE.xlsx` the cohort's state as a workbook"),
    ):
        sub = add(name, help=help_text)
        kinds = ["people", "schools", "agreements", "capacity"]
        sub.add_argument("kind", choices=kinds if name == "import" else [*kinds, "cohort"])
        if name == "import":
            sub.add_argument("file")
        else:
            sub.add_argument(
                "file",
                nargs="?",
                default="-",
                help="output file (default: standard output); cohort: "
                "FILE.xlsx, or a directory with --format csv",
            )
            sub.add_argument(
                "--format", choices=["xlsx", "csv"], default="xlsx", help="cohort: a workbook or CSV files"
            )
            sub.add_argument("--language", choices=["nl", "en"], help="cohort: the headers' language")
    return root


HANDLERS = {
    "run": cmd_run,
    "serve": cmd_serve,
    "scheduler": cmd_scheduler,
    "migrate": cmd_migrate,
    "purge": cmd_purge,
    "outbox": cmd_outbox,
    "privacy": cmd_privacy,
    "remind": cmd_remind,
    "import": cmd_import,
    "export": cmd_export,
}


def configure_logging(command: str, *, verbose: bool) -> None:
    """Quiet by default: a one-off command (under cron) prints only warnings and its own answer, and no
    command prints Alembic's progress lines; `-v` shows everything. The long-running processes (`run`,
    `serve`, `scheduler`) log what they do."""
    level = logging.INFO if verbose or command in LONG_RUNNING else logging.WARNING
    logs.configure(level, logs.log_format())
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """argparse fills an optional positional before the options that follow it: `export cohort --format
    csv DIR` leaves DIR over, and it is the file."""
    root = parser()
    args, extra = root.parse_known_args(argv)
    if extra:
        if args.command == "export" and args.file == "-" and len(extra) == 1 and not extra[0].startswith("-"):
            args.file = extra[0]
        else:
            root.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    # A platform stops processes with SIGTERM: leave through the normal exit, so leases are released.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        configure_logging(args.command, verbose=args.verbose)
        if args.command == "doctor":  # reads the settings itself: a problem there is one of its lines
            from bot import doctor

            return doctor.main(as_json=args.json)
        settings = load_settings()
        return HANDLERS[args.command](settings, args)
    except (SettingsError, CatalogueError, logs.LogFormatError) as error:
        print(f"stagebot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
