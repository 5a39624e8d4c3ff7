"""The one slash command, `/stage`, and its subcommands (English names, Dutch aliases)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.middleware import request_scope
from handlers.commands import (
    agreement,
    assign,
    audit,
    capacity,
    contacts,
    documents,
    evaluations,
    export,
    hours,
    intake,
    language,
    lio,
    match,
    planning,
    preferences,
    problem,
    request,
    status,
    students,
    upload,
    who,
)
from handlers.commands.help import help_reply
from handlers.commands.registry import Invocation, Reply, Subcommand
from models.access import (
    AGREEMENT_KEEPERS,
    AUDIT_READERS,
    INTAKE_ROLES,
    LIO_ROLES,
    PLACERS,
    STAFF_WITH_STUDENTS,
    STUDENTS,
)

COMMAND = "/stage"


def _help(invocation: Invocation) -> Reply:
    return help_reply(invocation, SUBCOMMANDS)


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("status", "stand", status.run, aliases=("overzicht",)),
    Subcommand("contacts", "contacten", contacts.run, aliases=("contact",)),
    Subcommand("students", "studenten", students.run, roles=STAFF_WITH_STUDENTS),
    Subcommand("problem", "probleem", problem.run, roles=STUDENTS),
    Subcommand("preferences", "voorkeuren", preferences.run, roles=STUDENTS),
    Subcommand("intake", "intakegesprek", intake.run, roles=INTAKE_ROLES),
    Subcommand("upload", "opladen", upload.run, roles=STUDENTS),
    Subcommand("documents", "documenten", documents.run),
    Subcommand("audit", "logboek", audit.run, roles=AUDIT_READERS),
    Subcommand("assign", "plaats", assign.run, roles=PLACERS),
    Subcommand("request", "aanvraag", request.run, roles=STUDENTS),
    Subcommand("planning", "planning", planning.run, aliases=("stagerooster", "rooster")),
    Subcommand("hours", "uren", hours.run, aliases=("urenlog",)),
    Subcommand("agreement", "overeenkomst", agreement.run, roles=STUDENTS),
    Subcommand("agreements", "overeenkomsten", agreement.run_overview, roles=AGREEMENT_KEEPERS),
    Subcommand("evaluations", "evaluaties", evaluations.run, roles=STAFF_WITH_STUDENTS),
    Subcommand("lio", "lio", lio.run, aliases=("lio-traject",), roles=LIO_ROLES),
    Subcommand("language", "taal", language.run, aliases=("lang",)),
    Subcommand("match", "matchen", match.run, roles=PLACERS),
    Subcommand("capacity", "capaciteit", capacity.run, roles=AGREEMENT_KEEPERS),
    Subcommand("export", "exporteren", export.run, roles=AGREEMENT_KEEPERS),
    Subcommand("who", "wie", who.run, aliases=("welke", "which", "vraag", "ask"), roles=STAFF_WITH_STUDENTS),
    Subcommand("help", "hulp", _help),
]


def find(word: str) -> Subcommand | None:
    word = word.lower()
    return next((s for s in SUBCOMMANDS if word in s.names()), None)


def dispatch(invocation: Invocation, text: str) -> Reply:
    """Unknown or empty subcommands get the help; one the caller may not use gets the help with a note."""
    word, _, args = text.strip().partition(" ")
    subcommand = find(word) if word else None
    if subcommand is None:
        intro = "help.unknown" if word else "help.intro"
        return help_reply(invocation, SUBCOMMANDS, intro_key=intro)
    if not subcommand.allowed(invocation.scope.actor):
        return help_reply(invocation, SUBCOMMANDS, intro_key="help.not_allowed")
    return subcommand.run(
        Invocation(
            invocation.scope, args.strip(), invocation.client, invocation.channel_id, invocation.trigger_id
        )
    )


def handle_stage(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    with request_scope(context) as scope:
        answer = dispatch(
            Invocation(scope, "", client, command.get("channel_id"), command.get("trigger_id")),
            command.get("text") or "",
        )
    ack(**answer)


def register(app: App) -> None:
    app.command(COMMAND)(handle_stage)
