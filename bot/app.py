"""The Bolt app factory and its HTTP face (`/slack/events`), shared by production, workspace and tests."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from flask import Flask, Request, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

import handlers
from bot import durable_jobs, errors, logs
from bot.delivery.outbox import DeferredClient, wall_now
from bot.delivery.slack_client import slack_client
from bot.i18n import LANGUAGES
from bot.middleware import scope_middleware
from bot.services import Services
from bot.web import calendar_feed, request_guard, school_pages
from bot.web.document_download import PATH, open_document
from bot.web.health import readiness
from handlers.commands import find as find_subcommand
from models import outbox, processed_events

log = logging.getLogger("stagebot.request")
RESUME_EVERY = 30.0  # seconds
TIDY_EVERY = 3600.0
KEEP_REQUEST_KEYS = timedelta(days=2)
KEEP_SENT = timedelta(days=30)


def tidy(services: Services) -> None:
    """Drop request keys no retry can use any more and messages sent long ago."""
    now = wall_now()
    with services.db.session() as session:
        processed_events.forget_before(session, now - KEEP_REQUEST_KEYS)
        outbox.forget_sent_before(session, now - KEEP_SENT)


def web_client(services: Services, key_prefix: str | None = None) -> DeferredClient:
    """The client jobs and the scheduler talk to Slack with: their sends are outbox rows."""
    return services.outbox.client(key_prefix)


def create_app(services: Services, *, verify_token: bool = True) -> App:
    """The whole bot. A listener stores what the user did and what the bot will say (outbox rows) in one
    transaction and answers; the outbox worker (started here) talks to Slack after the answer, so the
    answer comes inside Slack's 3 s however slow or rate-limited Slack is."""
    app = App(
        client=slack_client(services.settings),
        signing_secret=services.settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=verify_token,
    )
    app.use(scope_middleware(services))
    handlers.register(app)
    errors.register(app, services.settings.timezone)
    # Work a stopped process left half done is picked up by any process, not only the scheduler.
    services.outbox.every(RESUME_EVERY, lambda: durable_jobs.resume(services, services.outbox.client()))
    services.outbox.every(TIDY_EVERY, lambda: tidy(services))
    services.outbox.start()
    return app


def _subcommand_name(word: str) -> str | None:
    found = find_subcommand(word)
    return found.name if found else None


def _shape(flask_request: Request) -> logs.RequestShape:
    """What a signed request is, for its log line."""
    content_type = (flask_request.headers.get("Content-Type") or "").split(";")[0] or None
    payload = request_guard.parsed(flask_request.get_data(cache=True), content_type)
    return logs.describe(payload if isinstance(payload, dict) else {}, _subcommand_name)


def create_http_app(app: App, services: Services | None = None) -> Flask:
    """`/slack/events` for Slack; with the services, also the private downloads the bot links to."""
    web = Flask("stagebot")
    web.config["MAX_CONTENT_LENGTH"] = request_guard.MAX_BODY_BYTES  # a body without a declared length too
    slack = SlackRequestHandler(app)

    @web.post("/slack/events")
    def slack_events() -> Response:
        """The size and the signature are checked before anything reads the body; then Bolt (which checks
        the signature again) and the listeners. One log line tells what it was and how it ended."""
        secret = (services.settings.slack_signing_secret if services else None) or app._signing_secret
        with logs.timed(log, "request", "unread") as line:
            refused = request_guard.refuse(request, secret)
            if refused is not None:
                logs.mark(f"refused {refused.status_code}")
                return refused
            shape = _shape(request)
            line.name(shape.action, shape.request_id, user=shape.user)
            answer = slack.handle(request)
            if answer.status_code >= 400:
                logs.mark(f"status {answer.status_code}")
            return answer

    @web.get("/healthz")
    def health() -> Response:
        return Response("ok", mimetype="text/plain")

    if services is not None:

        @web.get("/readyz")
        def ready() -> Response:
            """200 when the database answers and is migrated, else 503 (the load balancer waits)."""
            ok, body = readiness(services.db)
            return Response(json.dumps(body), status=200 if ok else 503, mimetype="application/json")

    if services is not None:

        @web.get(PATH + "<token>")
        def document(token: str) -> Response:
            download = open_document(services, token, request.accept_languages.best_match(LANGUAGES))
            return Response(download.body, status=download.status, headers=download.headers)

    if services is not None:
        calendar_feed.add_route(web, services)  # the planning's private calendar feed
        school_pages.add_routes(web, services)  # the school side's link pages
    return web
