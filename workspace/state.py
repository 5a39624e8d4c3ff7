"""The workspace's memory: who exists, what was said, which views are open, and what the bot asked for.

Everything lives behind one re-entrant lock because the bot calls the Web API from other threads while
a delivery to it is still waiting for its answer.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workspace.errors import ApiError
from workspace.realism import RealisticMode

TRIGGER_LIFETIME = 3.0
RESPONSE_URL_LIFETIME = 30 * 60.0
RESPONSE_URL_USES = 5
MODAL_STACK_LIMIT = 3
# The bot scopes a token of this workspace has (Slack sends them in the x-oauth-scopes header of every call).
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "files:read",
    "files:write",
    "channels:read",
)


@dataclass(frozen=True)
class User:
    """A person in the workspace (or the bot itself, with is_bot)."""

    id: str
    name: str
    real_name: str
    locale: str = "en-US"
    tz: str = "Europe/Brussels"
    email: str = ""
    display_name: str = ""
    is_bot: bool = False
    title: str = ""


@dataclass(frozen=True)
class Channel:
    """A public or private channel the bot can post in."""

    id: str
    name: str
    is_private: bool = False
    bot_is_member: bool = True  # not a member: the bot cannot post there (not_in_channel)


@dataclass
class Message:
    """One message as a user would see it; ephemeral ones name the only person who sees them."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ephemeral_to: str | None = None
    thread_ts: str | None = None
    deleted: bool = False
    edited: bool = False
    subtype: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class View:
    """A modal or Home tab as the bot last set it, plus what the user typed and the errors shown."""

    id: str
    type: str
    user_id: str
    hash: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    callback_id: str = ""
    private_metadata: str = ""
    external_id: str = ""
    title: dict[str, Any] | None = None
    submit: dict[str, Any] | None = None
    close: dict[str, Any] | None = None
    notify_on_close: bool = False
    clear_on_close: bool = False
    root_view_id: str | None = None
    previous_view_id: str | None = None
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One Web API call (or response_url / file download) the bot made, in arrival order."""

    method: str
    params: dict[str, Any]
    token: str | None
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class MethodStats:
    """How often one method was called, and how many of those calls were answered "ratelimited" (429)."""

    calls: int = 0
    ratelimited: int = 0


@dataclass
class StoredFile:
    """An uploaded file; its bytes are served only to the bot token."""

    id: str
    name: str
    title: str
    mimetype: str
    content: bytes
    user: str
    channel: str
    created: int
    expected_length: int | None = None  # files.upload v2: set until the bytes arrive

    @property
    def uploaded(self) -> bool:
        return self.expected_length is None


@dataclass
class ResponseTarget:
    """Where a response_url answers: the conversation, the person, and the message acted on if any."""

    user_id: str
    channel_id: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


@dataclass(frozen=True)
class Failure:
    """A failure queued by fail_next for the next call of one method."""

    error: str
    status: int
    retry_after: int
    channel: str | None = None  # only a call about this conversation takes it (None: any call)


@dataclass
class Identity:
    """The workspace's and the bot's fixed names, as payloads and auth.test report them."""

    bot_token: str
    signing_secret: str
    bot_user_id: str = "U0STAGEBOT"
    bot_name: str = "stagebot"
    bot_id: str = "B0STAGEBOT"
    app_id: str = "A0STAGEBOT"
    team_id: str = "T0LOCAL"
    team_domain: str = "local"
    team_name: str = "Local workspace"
    verification_token: str = "local-verification-token"
    app_token: str | None = None  # app-level (xapp-): only for apps.connections.open (Socket Mode)
    scopes: tuple[str, ...] = DEFAULT_SCOPES  # granted to the bot token


class State:
    """All mutable workspace data; callers hold `lock` around any read-modify-write."""

    def __init__(
        self, identity: Identity, users: list[User], channels: list[Channel], clock: Callable[[], float]
    ) -> None:
        self.identity = identity
        self.clock = clock
        self.lock = threading.RLock()
        self.call_recorded = threading.Condition(self.lock)
        self.base_url = ""
        self.open_socket_link: Callable[[], str] | None = None  # set while the Socket Mode endpoint runs
        self.realism: RealisticMode | None = None  # latency and rate limits; off unless switched on
        bot = User(id=identity.bot_user_id, name=identity.bot_name, real_name=identity.bot_name, is_bot=True)
        self.users: dict[str, User] = {u.id: u for u in [*users, bot]}
        self.channels: dict[str, Channel] = {c.id: c for c in channels}
        self.version = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything that happened; keep who and what exists."""
        with self.lock:
            self.messages: dict[str, list[Message]] = {}
            self.calls: list[Call] = []
            self.views: dict[str, View] = {}
            self.modal_stacks: dict[str, list[str]] = {}
            self.home_views: dict[str, str] = {}
            self.files: dict[str, StoredFile] = {}
            self.triggers: dict[str, tuple[str, float, bool]] = {}
            self.response_targets: dict[str, ResponseTarget] = {}
            self.failures: dict[str, deque[Failure]] = {}
            self.stalls: dict[str, deque[tuple[float, str | None]]] = {}
            self._last_ts_us = 0
            if self.realism is not None:
                self.realism.forget()
            self.changed()

    def changed(self) -> None:
        """Note that something a person may see changed, so the page knows to fetch it again."""
        with self.lock:
            self.version += 1

    # ids -------------------------------------------------------------------------------------------------

    def new_ts(self) -> str:
        """A message ts: clock-based like Slack's, strictly increasing so it can key messages."""
        with self.lock:
            micros = max(int(self.clock() * 1_000_000), self._last_ts_us + 1)
            self._last_ts_us = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def new_id(prefix: str) -> str:
        """A Slack-looking id, random so ids from earlier runs never collide with the bot's stored ones."""
        return prefix + secrets.token_hex(5).upper()

    def new_hash(self) -> str:
        """A view hash: changes on every update so stale updates can be refused."""
        return f"{int(self.clock())}.{secrets.token_hex(4)}"

    # people and conversations ----------------------------------------------------------------------------

    def dm_channel(self, user_id: str) -> str:
        """The DM between a user and the bot: derived from the user id so it is stable across runs."""
        return "D" + user_id[1:]

    def user_for_dm(self, channel_id: str) -> str | None:
        """The person whose DM with the bot this is, or None."""
        for user in self.users.values():
            if not user.is_bot and self.dm_channel(user.id) == channel_id:
                return user.id
        return None

    def resolve_channel(self, channel: str) -> str:
        """A channel id for what the bot passed: a channel id or name, a DM id, or a user id (-> their DM)."""
        if channel in self.channels:
            return channel
        if channel in self.users and not self.users[channel].is_bot:
            return self.dm_channel(channel)
        if self.user_for_dm(channel) is not None:
            return channel
        name = channel.lstrip("#")
        for known in self.channels.values():
            if known.name == name:
                return known.id
        raise ApiError("channel_not_found")

    def channel_name(self, channel_id: str) -> str:
        """The name Slack puts in payloads ("directmessage" for DMs)."""
        if channel_id in self.channels:
            return self.channels[channel_id].name
        return "directmessage"

    def add_message(self, message: Message) -> Message:
        with self.lock:
            self.messages.setdefault(message.channel, []).append(message)
            self.changed()
            return message

    def find_message(self, channel_id: str, ts: str) -> Message:
        """The live (mutable) message, or `message_not_found`."""
        with self.lock:
            for message in self.messages.get(channel_id, []):
                if message.ts == ts and not message.deleted:
                    return message
        raise ApiError("message_not_found")

    # views -----------------------------------------------------------------------------------------------

    def modal_stack(self, user_id: str) -> list[View]:
        with self.lock:
            return [self.views[v] for v in self.modal_stacks.get(user_id, [])]

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> View:
        """An open modal or published Home tab by id or external_id, or `not_found` as Slack says."""
        with self.lock:
            open_ids = {v for stack in self.modal_stacks.values() for v in stack}
            open_ids |= set(self.home_views.values())
            for candidate in open_ids:
                view = self.views[candidate]
                if (view_id and view.id == view_id) or (external_id and view.external_id == external_id):
                    return view
        raise ApiError("not_found")

    # triggers and response urls --------------------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        with self.lock:
            trigger_id = f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = (user_id, self.clock(), False)
            return trigger_id

    def redeem_trigger(self, trigger_id: str) -> str:
        """The user a trigger was issued for; refuses unknown, stale (> 3 s) and reused triggers."""
        with self.lock:
            if trigger_id not in self.triggers:
                raise ApiError("invalid_trigger_id")
            user_id, issued_at, used = self.triggers[trigger_id]
            if self.clock() - issued_at > TRIGGER_LIFETIME:
                raise ApiError("expired_trigger_id")
            if used:
                raise ApiError("exchanged_trigger_id")
            self.triggers[trigger_id] = (user_id, issued_at, True)
            return user_id

    def issue_response_url(self, user_id: str, channel_id: str, message_ts: str | None) -> str:
        with self.lock:
            token = secrets.token_urlsafe(18)
            self.response_targets[token] = ResponseTarget(user_id, channel_id, message_ts, self.clock())
            return f"{self.base_url}/response/{token}"

    def use_response_target(self, token: str) -> ResponseTarget:
        """The target of a response_url; Slack allows 5 uses within 30 minutes."""
        with self.lock:
            target = self.response_targets.get(token)
            if target is None:
                raise ApiError("invalid_url")
            if self.clock() - target.issued_at > RESPONSE_URL_LIFETIME:
                raise ApiError("expired_url")
            if target.uses >= RESPONSE_URL_USES:
                raise ApiError("used_url")
            target.uses += 1
            return target

    # calls and failures ----------------------------------------------------------------------------------

    def record_call(self, method: str, params: dict[str, Any], token: str | None, error: str | None) -> None:
        with self.lock:
            self.calls.append(Call(method, copy.deepcopy(params), token, error is None, error))
            self.changed()
            self.call_recorded.notify_all()

    def queue_failure(self, method: str, failure: Failure) -> None:
        with self.lock:
            self.failures.setdefault(method, deque()).append(failure)

    def take_failure(self, method: str, channel: str | None = None) -> Failure | None:
        """The first failure queued for this method that applies to a call about `channel`."""
        with self.lock:
            queue = self.failures.get(method) or deque()
            for failure in queue:
                if failure.channel is None or failure.channel == channel:
                    queue.remove(failure)
                    return failure
            return None

    def queue_stall(self, method: str, seconds: float, channel: str | None = None) -> None:
        with self.lock:
            self.stalls.setdefault(method, deque()).append((seconds, channel))

    def take_stall(self, method: str, channel: str | None = None) -> float:
        """The wall-clock seconds the next call of `method` about `channel` hangs before it is served
        (0: none queued for it)."""
        with self.lock:
            queue = self.stalls.get(method) or deque()
            for stall in queue:
                if stall[1] is None or stall[1] == channel:
                    queue.remove(stall)
                    return stall[0]
            return 0.0

    # wire shapes -----------------------------------------------------------------------------------------

    def message_json(self, message: Message) -> dict[str, Any]:
        """A message as Slack returns it in API answers and interaction payloads."""
        body: dict[str, Any] = {
            "type": "message",
            "ts": message.ts,
            "user": message.user,
            "text": message.text,
            "team": self.identity.team_id,
        }
        if message.user == self.identity.bot_user_id:
            body |= {"bot_id": self.identity.bot_id, "app_id": self.identity.app_id}
        if message.blocks:
            body["blocks"] = copy.deepcopy(message.blocks)
        if message.thread_ts:
            body["thread_ts"] = message.thread_ts
        if message.subtype:
            body["subtype"] = message.subtype
        if message.files:
            body["files"] = copy.deepcopy(message.files)
        if message.edited:
            body["edited"] = {"user": message.user, "ts": message.ts}
        return body

    def view_json(self, view: View) -> dict[str, Any]:
        """A view as Slack returns it from views.* and sends it in payloads."""
        body: dict[str, Any] = {
            "id": view.id,
            "team_id": self.identity.team_id,
            "type": view.type,
            "blocks": copy.deepcopy(view.blocks),
            "private_metadata": view.private_metadata,
            "callback_id": view.callback_id,
            "state": {"values": copy.deepcopy(view.state)},
            "hash": view.hash,
            "clear_on_close": view.clear_on_close,
            "notify_on_close": view.notify_on_close,
            "root_view_id": view.root_view_id or view.id,
            "previous_view_id": view.previous_view_id,
            "app_id": self.identity.app_id,
            "external_id": view.external_id,
            "app_installed_team_id": self.identity.team_id,
            "bot_id": self.identity.bot_id,
        }
        for key in ("title", "submit", "close"):
            value = getattr(view, key)
            if value is not None:
                body[key] = copy.deepcopy(value)
        return body

    def file_json(self, stored: StoredFile) -> dict[str, Any]:
        """A file object; url_private is served by this workspace and wants the bot token."""
        url = f"{self.base_url}/files/{stored.id}/{quote(stored.name)}"  # percent-encoded, as Slack does
        extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else "binary"
        return {
            "id": stored.id,
            "created": stored.created,
            "timestamp": stored.created,
            "name": stored.name,
            "title": stored.title,
            "mimetype": stored.mimetype,
            "filetype": extension,
            "pretty_type": extension.upper(),
            "user": stored.user,
            "size": len(stored.content),
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": url,
            "url_private_download": f"{self.base_url}/files/{stored.id}/download/{quote(stored.name)}",
            "channels": [],
            "groups": [],
            "ims": [stored.channel] if stored.channel.startswith("D") else [],
        }

    def user_json(self, user: User, *, include_locale: bool = False) -> dict[str, Any]:
        """A user object as users.info and users.list return it."""
        body: dict[str, Any] = {
            "id": user.id,
            "team_id": self.identity.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": False,
            "is_bot": user.is_bot,
            "is_admin": False,
            "tz": user.tz,
            "tz_label": user.tz,
            "tz_offset": _utc_offset(user.tz, self.clock()),
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.display_name,
                "display_name_normalized": user.display_name,
                "email": user.email,
                "title": user.title,
                "team": self.identity.team_id,
            },
        }
        if user.is_bot:
            body["profile"]["bot_id"] = self.identity.bot_id
        if include_locale:
            body["locale"] = user.locale
        return body


def _utc_offset(tz: str, when: float) -> int:
    """Seconds east of UTC in `tz` at `when`; Brussels winter time when the zone database is missing."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return 3600
    offset = datetime.fromtimestamp(when, zone).utcoffset()
    return int(offset.total_seconds()) if offset else 0
