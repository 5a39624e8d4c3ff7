"""The acting person, resolved once before any listener runs, and the unit of work a listener opens.

An event Slack delivers again (a retry) after it was handled is acknowledged and dropped here; the
event's id is written in the same transaction as the listener's work.

Requests from people the programme has not registered are answered here, kindly, and go no further:
listeners can rely on an actor being there. Bolt's sync middleware returns before the listener runs
(``next()`` does not wrap it), so the listener's database session is opened by the listener itself,
with ``request_scope(context)``: one transaction for the whole answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import logs
from bot.delivery.outbox import DeferredRespond, bound, wall_now
from bot.i18n import Translator, translator
from bot.services import Services
from bot.views.home import unregistered_home
from models import processed_events
from models.people import Actor, remember_slack_locale, resolve_actor


@dataclass
class Scope:
    """Everything a listener needs about the request it serves."""

    session: Session
    actor: Actor
    t: Translator
    now: datetime
    services: Services

    @property
    def today(self) -> date:
        return self.now.astimezone(self.t.tz).date()


@contextmanager
def request_scope(context: BoltContext) -> Iterator[Scope]:
    """The request's session as one unit of work: committed when the block ends, rolled back on an error.

    What the listener sends joins the same transaction (outbox rows), and so does the request's key: a
    copy of the request that raced this one finds the key taken at commit and changes nothing."""
    services: Services = context["services"]
    session: Session = context["session"]
    client = context.client
    joined = bound(client, session)
    try:
        with joined:
            scope = Scope(session, context["actor"], context["t"], services.clock.now(), services)
            yield scope
            if request_key := context.get("request_key"):
                processed_events.mark(session, request_key, wall_now())  # Slack's time, not the domain's
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            if not (request_key and processed_events.seen(session, request_key)):
                raise
            logging.getLogger(__name__).info("request %s was handled by another copy", request_key)
            logs.mark("duplicate")
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    services.outbox.kick()


def request_key(body: dict[str, Any]) -> str | None:
    """What makes one request one: Slack's event id, or the trigger id of a command or an interaction
    (a replayed or doubly delivered copy carries the same)."""
    if body.get("type") == "event_callback":
        return body.get("event_id")
    trigger = body.get("trigger_id")
    return f"t:{trigger}" if trigger else None


def _slack_locale(client: WebClient, user_id: str, logger: logging.Logger) -> str | None:
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    locale = user.get("locale")
    return str(locale) if locale else None


def _answer_unregistered(
    body: dict[str, Any], ack: Ack, client: WebClient, user_id: str, t: Translator, logger: logging.Logger
) -> BoltResponse:
    text = t("unregistered.text")
    if body.get("command"):
        return ack(text=text)
    response = BoltResponse(status=200, body="") if body.get("type") == "event_callback" else ack()
    event = body.get("event") or {}
    channel = (body.get("channel") or {}).get("id")
    try:
        if event.get("type") == "app_home_opened":
            client.views_publish(user_id=user_id, view=unregistered_home(t))
        elif event.get("type") == "message" and event.get("channel_type") == "im":
            client.chat_postMessage(channel=event["channel"], text=text)
        elif channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
    except SlackApiError as error:
        logger.warning("could not tell unregistered user %s: %s", user_id, error.response.get("error"))
    return response


def scope_middleware(services: Services) -> Callable[..., BoltResponse | None]:
    def open_scope(
        context: BoltContext,
        body: dict[str, Any],
        client: WebClient,
        ack: Ack,
        logger: logging.Logger,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        user_id = context.user_id
        timezone = services.settings.timezone
        # The request's one session; committing here releases its connection until the listener uses it.
        session = Session(services.db.engine, expire_on_commit=False)
        key = request_key(body)
        if key and processed_events.seen(session, key):
            session.close()
            logger.info("request %s was already handled: copy ignored", key)
            logs.mark("duplicate")
            return BoltResponse(status=200, body="")
        context["request_key"] = key
        deferred = services.outbox.client(key_prefix=f"r:{key}" if key else None)
        context["client"] = deferred
        if user_id and context.channel_id and context.channel_id.startswith("D"):
            deferred.dm_lanes[context.channel_id] = user_id
        if context.response_url:
            context["respond"] = DeferredRespond(deferred, context.response_url, context.channel_id)
        try:
            actor = resolve_actor(session, user_id) if user_id else None
            locale = actor.slack_locale if actor else None
            if user_id and (actor is None or (actor.language is None and actor.slack_locale is None)):
                locale = _slack_locale(client, user_id, logger)
                if actor is not None and locale:
                    remember_slack_locale(session, actor.person_id, locale)
            session.commit()
        except BaseException:
            session.close()
            raise
        t = translator(actor.language if actor else None, locale, timezone)
        context["services"] = services
        context["session"] = session
        context["t"] = t
        if actor is None and user_id:
            logs.mark("unregistered")
            session.close()
            return _answer_unregistered(body, ack, deferred, user_id, t, logger)
        context["actor"] = actor
        return next()

    return open_scope
