"""The Bolt app factory and its HTTP face (`/slack/events`), shared by production, workspace and tests."""

from __future__ import annotations

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

import handlers
from bot import calendar_feed, request_guard
from bot.document_download import PATH, open_document
from bot.i18n import LANGUAGES
from bot.middleware import scope_middleware
from bot.services import Services


def web_client(services: Services) -> WebClient:
    """Retries on rate limits and dropped connections, so one hiccup never loses a message."""
    return WebClient(
        token=services.settings.slack_bot_token,
        base_url=services.settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(services: Services, *, verify_token: bool = True) -> App:
    """The whole bot. Listeners finish before the HTTP answer (they are quick), so one DB session per request
    spans the listener and every answer can travel in the ack."""
    app = App(
        client=web_client(services),
        signing_secret=services.settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=verify_token,
    )
    app.use(scope_middleware(services))
    handlers.register(app)
    return app


def create_http_app(app: App, services: Services | None = None) -> Flask:
    """`/slack/events` for Slack; with the services, also the private downloads the bot links to."""
    web = Flask("stagebot")
    web.config["MAX_CONTENT_LENGTH"] = request_guard.MAX_BODY_BYTES  # a body without a declared length too
    slack = SlackRequestHandler(app)

    @web.post("/slack/events")
    def slack_events() -> Response:
        """The size and the signature are checked before anything reads the body; then Bolt (which checks
        the signature again) and the listeners."""
        secret = (services.settings.slack_signing_secret if services else None) or app._signing_secret
        refused = request_guard.refuse(request, secret)
        return refused if refused is not None else slack.handle(request)

    @web.get("/healthz")
    def health() -> Response:
        return Response("ok", mimetype="text/plain")

    if services is not None:

        @web.get(PATH + "<token>")
        def document(token: str) -> Response:
            download = open_document(services, token, request.accept_languages.best_match(LANGUAGES))
            return Response(download.body, status=download.status, headers=download.headers)

    if services is not None:
        calendar_feed.add_route(web, services)  # the planning's private calendar feed
    return web
