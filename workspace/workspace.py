"""The `Workspace`: one object to drive the bot as Slack does and to read back what the bot did."""

from __future__ import annotations

import copy
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from types import EllipsisType
from typing import Any, Protocol

from workspace import blockkit, payloads, responses
from workspace.delivery import Delivery, post, send
from workspace.errors import ApiError
from workspace.mailbox import Mailbox
from workspace.realism import Realism, RealisticMode
from workspace.socket_mode import SocketHub
from workspace.state import (
    DEFAULT_SCOPES,
    Call,
    Channel,
    Failure,
    Identity,
    Message,
    MethodStats,
    State,
    StoredFile,
    User,
    View,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Served(Protocol):
    """The HTTP server that serves a workspace (workspace.server.Server), as the workspace sees it."""

    url: str


class Workspace:
    """A local stand-in for Slack: it serves the Web API and delivers signed requests to `bot_url`.

    `clock` drives everything Slack times (trigger expiry, message ts, response_url lifetime) so tests
    can move time without sleeping; request signatures always use real time, as the bot checks them.

    Two optional hooks let whoever runs the bot next to the workspace (and only they) act on it without
    the workspace knowing the bot: `on_clock_moved(seconds)` is called when a person moves the clock
    (the bot's notion of now should move by as much), `on_reset()` when a person asks for fresh demo data.
    The page offers the clock control and the reset button only when the hook is there. A third,
    `after_delivery()`, runs after each delivery's answer: a test hands it a way to wait until the app
    has finished what it does after answering, so its assertions need no sleeping.

    With an `app_token` (xapp-), serve() also opens the Socket Mode endpoint (apps.connections.open);
    while `bot_url` is empty, deliveries then go over the app's WebSocket instead of an HTTP POST.

    `realism` (off by default, see `set_realism`) gives every call a latency and Slack's rate limits.

    `scopes` are what the bot token was granted: every Web API answer names them in its x-oauth-scopes
    header, as Slack's do. A channel the bot is not a member of refuses its posts (not_in_channel).
    """

    def __init__(
        self,
        users: Iterable[User] = (),
        channels: Iterable[Channel] = (),
        *,
        bot_token: str = "xoxb-local-token",
        signing_secret: str = "local-secret",
        bot_url: str | None = None,
        bot_user_id: str = "U0STAGEBOT",
        bot_name: str = "stagebot",
        clock: Callable[[], float] = time.time,
        delivery_timeout: float = 10.0,
        on_clock_moved: Callable[[float], None] | None = None,
        on_reset: Callable[[], None] | None = None,
        app_token: str | None = None,
        after_delivery: Callable[[], None] | None = None,
        realism: Realism | None = None,
        scopes: Iterable[str] = DEFAULT_SCOPES,
    ) -> None:
        identity = Identity(
            bot_token=bot_token,
            signing_secret=signing_secret,
            bot_user_id=bot_user_id,
            bot_name=bot_name,
            app_token=app_token,
            scopes=tuple(scopes),
        )
        self._base_clock = clock
        self.clock_offset = 0.0
        self.on_clock_moved = on_clock_moved
        self.on_reset = on_reset
        # A clock move (the bot's tick follows it) and a reset run one at a time: a reset clicked while
        # the day's tick still runs would otherwise be undone by the move finishing after it.
        self._time_lock = threading.RLock()
        self.after_delivery = after_delivery
        self.state = State(identity, list(users), list(channels), self.now)
        self.set_realism(realism)
        self.bot_url = bot_url
        self.delivery_timeout = delivery_timeout
        self.server: Served | None = None  # set by workspace.server.serve
        self.socket: SocketHub | None = None  # the Socket Mode endpoint, served when there is an app_token
        self.mailbox: Mailbox | None = None  # the SMTP server catching the bot's mail, when one is given
        self._deliveries: list[Delivery] = []

    # serving: workspace.server.serve(ws) ----------------------------------------------------------------

    def wait_for_socket(self, timeout: float = 10.0, opened: int = 1) -> None:
        """Block until the app holds a Socket Mode connection, the `opened`-th it opened in all;
        TimeoutError instead of hanging."""
        if self.socket is None:
            raise RuntimeError("Socket Mode needs an app_token and serve()")
        if not self.socket.wait_for_connection(timeout, opened):
            raise TimeoutError(f"the app opened no Socket Mode connection within {timeout:g} s")

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the workspace is not being served: call workspace.server.serve(ws) first")
        return self.server.url

    @property
    def api_url(self) -> str:
        """Base URL for slack_sdk's WebClient(base_url=...)."""
        return self.url + "/api/"

    @property
    def users(self) -> list[User]:
        """The people (the bot excluded)."""
        return [u for u in self.state.users.values() if not u.is_bot]

    @property
    def channels(self) -> list[Channel]:
        return list(self.state.channels.values())

    @property
    def bot_user_id(self) -> str:
        return self.state.identity.bot_user_id

    def now(self) -> float:
        """The workspace's time: its clock plus however far a person moved it."""
        return self._base_clock() + self.clock_offset

    def add_user(self, user: User) -> User:
        """Add (or replace) a person, e.g. to give a test user a locale."""
        with self.state.lock:
            self.state.users[user.id] = user
            self.state.changed()
        return user

    def add_channel(self, channel: Channel) -> Channel:
        """Add (or replace) a channel; the bot can post in it when it is a member (`bot_is_member`)."""
        with self.state.lock:
            self.state.channels[channel.id] = channel
        return channel

    @property
    def scopes(self) -> tuple[str, ...]:
        """The bot token's scopes, sent in the x-oauth-scopes header of every Web API answer."""
        return self.state.identity.scopes

    @scopes.setter
    def scopes(self, scopes: Iterable[str]) -> None:
        """Grant these scopes (a test withholds one to see the bot notice)."""
        with self.state.lock:
            self.state.identity.scopes = tuple(scopes)

    # realism -------------------------------------------------------------------------------------------

    def set_realism(
        self,
        realism: Realism | EllipsisType | None = ...,
        *,
        latency: float = 0.0,
        rate_limits: bool = True,
        time_scale: float = 1.0,
    ) -> Realism | None:
        """Switch realistic mode on (`set_realism(latency=0.3, time_scale=60)` or a ready `Realism`) or
        off (`set_realism(None)`, the default); returns what is now in force.

        Every switch starts the rate-limit counts afresh. `reset()` keeps the setting and forgets the
        counts. Calls already waiting out their latency finish under the setting they started with.
        """
        if realism is ...:
            realism = Realism(latency=latency, rate_limits=rate_limits, time_scale=time_scale)
        elif (latency, rate_limits, time_scale) != (0.0, True, 1.0):
            raise TypeError("give either a Realism or its settings as keywords, not both")
        self.state.realism = None if realism is None else RealisticMode(realism)
        return realism

    @property
    def realism(self) -> Realism | None:
        """The realistic mode in force, or None when every call answers at once."""
        mode = self.state.realism
        return None if mode is None else mode.settings

    def api_stats(self) -> dict[str, MethodStats]:
        """Per method (as in `calls()`, response_url and file_download included): how many calls arrived
        and how many were answered ratelimited (HTTP 429), since the start or the last reset()."""
        counts: dict[str, tuple[int, int]] = {}
        with self.state.lock:
            for call in self.state.calls:
                calls, limited = counts.get(call.method, (0, 0))
                counts[call.method] = (calls + 1, limited + (call.error == "ratelimited"))
        return {method: MethodStats(calls, limited) for method, (calls, limited) in counts.items()}

    # driving the bot -----------------------------------------------------------------------------------

    def slash_command(
        self, user_id: str, command: str, text: str = "", channel_id: str | None = None
    ) -> Delivery:
        """Invoke a slash command; the bot's HTTP answer is shown as Slack shows it."""
        self._user(user_id)
        channel = self._channel(channel_id) if channel_id else self.dm_channel(user_id)
        form = payloads.slash_command(self.state, user_id, command, text, channel)
        body = urllib.parse.urlencode(form).encode()
        delivery = self._deliver("slash_command", body, FORM, form, settle=False)
        if delivery.ok:
            content_type = delivery.header("Content-Type")
            delivery.problem = responses.show_command_reply(
                self.state, user_id, channel, content_type, delivery.body
            )
        self._settle()  # what the app sends after its answer comes after the answer, as in Slack
        return delivery

    def click(
        self,
        user_id: str,
        action_id: str,
        value: Any = None,
        *,
        message: Message | None = None,
        view: View | None = None,
        block_id: str | None = None,
        channel_id: str | None = None,
        values: dict[str, dict[str, Any]] | None = None,
    ) -> Delivery:
        """Use an interactive element (button, select, date picker...) as the user sees it now.

        Without `message` or `view`, the newest place showing `action_id` is used: the top modal, then
        the conversation (the DM unless `channel_id`), then the Home tab. `value` is the chosen value
        for selects and pickers (a button sends its own value unless one is given).
        Raises LookupError when the user cannot see such an element, as a person could not click it.
        `values` ({block_id: {action_id: value}}) is what the person has typed so far in a modal: Slack
        sends it along in the payload's view state.
        """
        self._settle()  # the app may still be posting what this click is about
        self._user(user_id)
        with self.state.lock:
            source_message, source_view, found = self._find_action(
                user_id, action_id, block_id, message, view, channel_id
            )
            if source_view is not None and values is not None and source_view.type == "modal":
                source_view.state = _state_values(source_view, values)
            found_block_id, element = found
            action: dict[str, Any] = {"action_id": action_id, "block_id": found_block_id}
            action |= blockkit.element_value(element, value)
            if element.get("type") == "button":
                action["text"] = copy.deepcopy(element.get("text"))
                if "style" in element:
                    action["style"] = element["style"]
            payload = payloads.block_actions(
                self.state, user_id, action, message=source_message, view=source_view
            )
        return self._deliver_interaction("block_actions", payload)

    def submit_view(
        self, user_id: str, view: View, values: dict[str, dict[str, Any]] | None = None
    ) -> Delivery:
        """Submit the user's top modal with `values` ({block_id: {action_id: value or payload}}).

        A plain value is turned into the element's payload (an option value becomes selected_option);
        inputs left out are sent empty, as Slack sends them. The bot's response_action is applied.
        """
        with self.state.lock:
            stack = self.state.modal_stacks.get(user_id, [])
            if not stack or stack[-1] != view.id:
                raise LookupError(f"view {view.id} is not the modal on top for {user_id}")
            live = self.state.views[view.id]
            live.state = _state_values(live, values or {})
            live.errors = {}
            self.state.changed()
            payload = payloads.view_submission(self.state, user_id, live)
        delivery = self._deliver_interaction("view_submission", payload)
        if delivery.ok:
            content_type = delivery.header("Content-Type")
            delivery.problem = responses.apply_view_reply(
                self.state, user_id, view.id, content_type, delivery.body
            )
        return delivery

    def close_view(self, user_id: str, view: View) -> Delivery | None:
        """Close a modal (and those pushed above it); notify the bot only if the view asked for it."""
        with self.state.lock:
            stack = self.state.modal_stacks.get(user_id, [])
            if view.id not in stack:
                raise LookupError(f"view {view.id} is not open for {user_id}")
            live = self.state.views[view.id]
            cleared = live.clear_on_close
            del stack[0 if cleared else stack.index(view.id) :]
            self.state.changed()
            if not live.notify_on_close:
                return None
            payload = payloads.view_closed(self.state, user_id, live, cleared=cleared)
        return self._deliver_interaction("view_closed", payload)

    def open_home(self, user_id: str) -> Delivery:
        """The user opens the app's Home tab."""
        self._user(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.dm_channel(user_id),
            "tab": "home",
        }
        home = self.home_view(user_id)
        if home is not None:
            event["view"] = self.state.view_json(home)
        return self._deliver_event(event)

    def send_dm(self, user_id: str, text: str) -> Delivery:
        """The user writes to the bot in their DM."""
        self._user(user_id)
        message = self.state.add_message(
            Message(ts=self.state.new_ts(), channel=self.dm_channel(user_id), user=user_id, text=text)
        )
        return self._deliver_event(self._message_event(message))

    def upload_file(
        self, user_id: str, filename: str, content: bytes, mimetype: str, text: str = ""
    ) -> dict[str, Any]:
        """The user drops a file in their DM: stored, then file_shared and a file_share message go out."""
        return self.share_file(user_id, filename, content, mimetype, text)[0]

    def share_file(
        self, user_id: str, filename: str, content: bytes, mimetype: str, text: str = ""
    ) -> tuple[dict[str, Any], list[Delivery]]:
        """`upload_file`, also returning the two deliveries (file_shared, then the message) it made."""
        channel = self.dm_channel(user_id)
        with self.state.lock:
            file_json = self.store_file(user_id, filename, content, mimetype, channel=channel)
            message = self.state.add_message(
                Message(
                    ts=self.state.new_ts(),
                    channel=channel,
                    user=user_id,
                    text=text,
                    subtype="file_share",
                    files=[file_json],
                )
            )
        shared = self._deliver_event(
            {
                "type": "file_shared",
                "file_id": file_json["id"],
                "user_id": user_id,
                "channel_id": channel,
                "file": {"id": file_json["id"]},
            }
        )
        posted = self._deliver_event(self._message_event(message) | {"upload": True})
        return copy.deepcopy(file_json), [shared, posted]

    def store_file(
        self, user_id: str, filename: str, content: bytes, mimetype: str, channel: str = ""
    ) -> dict[str, Any]:
        """Keep an uploaded file without sharing it anywhere (a modal's file_input); its file object."""
        self._user(user_id)
        with self.state.lock:
            stored = StoredFile(
                id=self.state.new_id("F"),
                name=filename,
                title=filename,
                mimetype=mimetype or "application/octet-stream",
                content=content,
                user=user_id,
                channel=channel,
                created=int(self.state.clock()),
            )
            self.state.files[stored.id] = stored
            return self.state.file_json(stored)

    def post_in_channel(self, user_id: str, channel_id: str, text: str) -> Message:
        """The user writes in a channel. The bot subscribes to DMs only, so nothing is delivered."""
        self._user(user_id)
        channel = self._channel(channel_id)
        if self.state.user_for_dm(channel) is not None:
            raise LookupError("use send_dm for a direct message with the bot")
        return copy.deepcopy(
            self.state.add_message(Message(ts=self.state.new_ts(), channel=channel, user=user_id, text=text))
        )

    # time and demo data ----------------------------------------------------------------------------------

    def move_clock(self, seconds: float) -> float:
        """Move time forward (or back) for the workspace and, through `on_clock_moved`, for the bot.

        Returns the new time. The workspace moves first, so what the bot posts while it follows (the
        scheduler's reminders) is dated after the move; if the bot cannot follow, the workspace moves back.
        """
        with self._time_lock:
            with self.state.lock:
                self.clock_offset += seconds
                self.state.changed()
            if self.on_clock_moved is not None:
                try:
                    self.on_clock_moved(seconds)
                except BaseException:
                    with self.state.lock:
                        self.clock_offset -= seconds
                        self.state.changed()
                    raise
            return self.now()

    def jump_clock(self, when: float) -> float:
        """Set the time to `when` (a Unix timestamp), moving the bot's clock by as much."""
        return self.move_clock(when - self.now())

    def reset_demo(self) -> None:
        """A fresh workspace (no messages, real time again), then fresh demo data through `on_reset`,
        which may already post messages (e.g. what waits for review)."""
        if self.on_reset is None:
            raise RuntimeError("this workspace was started without demo data to reset")
        with self._time_lock:
            with self.state.lock:
                self.clock_offset = 0.0
                self.reset()
            self.on_reset()

    def post_raw(self, body: bytes, headers: dict[str, str]) -> Delivery:
        """POST exactly these bytes and headers to the bot (for signature tests)."""
        return self._record(post(self._bot_url(), "raw", body, headers, timeout=self.delivery_timeout))

    def redeliver(self, delivery: Delivery, retry_num: int = 1, reason: str = "http_timeout") -> Delivery:
        """Send an earlier delivery again the way Slack retries: same body, fresh signature, retry headers."""
        socket = self._socket_transport()
        if socket is not None:
            return self._record(
                socket.deliver(
                    delivery.kind,
                    delivery.payload,
                    timeout=self.delivery_timeout,
                    retry_attempt=retry_num,
                    retry_reason=reason,
                )
            )
        content_type = delivery.request_headers.get("Content-Type", JSON)
        extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
        return self._record(
            send(
                self._bot_url(),
                self.state.identity.signing_secret,
                delivery.kind,
                delivery.request_body,
                content_type,
                payload=delivery.payload,
                extra_headers=extra,
                timeout=self.delivery_timeout,
            )
        )

    # reading back --------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Web API calls (plus "response_url" and "file_download") in the order they arrived."""
        self._settle()
        return self._calls(method)

    def _calls(self, method: str | None) -> list[Call]:
        with self.state.lock:
            return [c for c in self.state.calls if method is None or c.method == method]

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `method` was called at least `count` times, then return those calls.

        For work the bot does after it acked (Bolt runs event listeners after the ack); raises
        TimeoutError after `timeout` seconds instead of hanging.
        """
        with self.state.lock:
            arrived = self.state.call_recorded.wait_for(lambda: len(self._calls(method)) >= count, timeout)
            if not arrived:
                raise TimeoutError(f"{method} was called {len(self._calls(method))} times, expected {count}")
            return self._calls(method)

    def deliveries(self, kind: str | None = None) -> list[Delivery]:
        """Requests made to the bot, oldest first."""
        with self.state.lock:
            return [d for d in self._deliveries if kind is None or d.kind == kind]

    def messages(self, channel_id: str) -> list[Message]:
        """Every message in a conversation, oldest first, ephemeral and deleted ones included (flagged).

        Takes a channel id or name, a DM id or a user id (-> their DM); an unknown id has no messages.
        """
        self._settle()
        with self.state.lock:
            try:
                channel = self.state.resolve_channel(channel_id)
            except ApiError:
                channel = channel_id
            return copy.deepcopy(self.state.messages.get(channel, []))

    def dm_channel(self, user_id: str) -> str:
        return self.state.dm_channel(user_id)

    def ephemerals(self, user_id: str) -> list[Message]:
        """Ephemeral messages shown to this user, in any conversation, oldest first."""
        self._settle()
        with self.state.lock:
            found = [m for ms in self.state.messages.values() for m in ms if m.ephemeral_to == user_id]
            return copy.deepcopy(sorted(found, key=lambda m: _ts_key(m.ts)))

    def home_view(self, user_id: str) -> View | None:
        """The Home tab last published for this user."""
        self._settle()
        with self.state.lock:
            view_id = self.state.home_views.get(user_id)
            return copy.deepcopy(self.state.views[view_id]) if view_id else None

    def open_views(self, user_id: str) -> list[View]:
        """The user's modal stack, bottom first."""
        self._settle()
        with self.state.lock:
            return copy.deepcopy(self.state.modal_stack(user_id))

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int = 0,
        *,
        channel: str | None = None,
    ) -> None:
        """Make the next call of `method` fail as Slack would, before it has any effect; with `channel`
        (an id, a name, or a user id for their DM), the next call about that conversation only.

        "ratelimited" answers HTTP 429 with Retry-After; other errors answer HTTP 200 with ok false, except
        on "response_url", which Slack's webhook service refuses with HTTP 500. An explicit `status`
        overrides either (e.g. 503 for an outage).
        """
        refused = 500 if method == "response_url" else 200
        http_status = status if status is not None else (429 if error == "ratelimited" else refused)
        target = None if channel is None else self._channel_or_dm(channel)
        self.state.queue_failure(method, Failure(error, http_status, retry_after, target))

    def stall_next(self, method: str, seconds: float, *, channel: str | None = None) -> None:
        """Make the next call of Web API `method` (about `channel` only, if given) hang `seconds` (wall
        clock) before Slack serves it, as a stalled Slack does: a client that gives up sooner sees a
        timeout, yet the call still takes effect when the stall ends (a retry may then find it done).
        Calls already under way are not held up."""
        if seconds <= 0:
            raise ValueError("a stall lasts a positive number of seconds")
        target = None if channel is None else self._channel_or_dm(channel)
        self.state.queue_stall(method, seconds, target)

    def reset(self) -> None:
        """Forget messages, calls, views, files, deliveries and rate-limit counts; users, channels and the
        realism setting stay."""
        with self.state.lock:
            self.state.reset()
            self._deliveries.clear()

    # internals -----------------------------------------------------------------------------------------

    def _user(self, user_id: str) -> User:
        """The acting person; someone not described up front joins as a plain member, as in Slack
        anyone who can type a command has a profile (add_user first to give them a name or locale)."""
        if user_id == self.bot_user_id or not user_id:
            raise LookupError(f"not a person who can act: {user_id!r}")
        with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                user = self.add_user(User(id=user_id, name=user_id.lower(), real_name=user_id))
            return user

    def _channel_or_dm(self, channel: str) -> str:
        try:
            return self.state.resolve_channel(channel)
        except ApiError:
            return channel

    def _channel(self, channel_id: str) -> str:
        try:
            return self.state.resolve_channel(channel_id)
        except ApiError:
            raise LookupError(f"no such conversation in the workspace: {channel_id!r}") from None

    def _bot_url(self) -> str:
        if not self.bot_url:
            raise RuntimeError("bot_url is not set: the workspace does not know where the bot listens")
        return self.bot_url

    def _record(self, delivery: Delivery, *, settle: bool = True) -> Delivery:
        with self.state.lock:
            self._deliveries.append(delivery)
        if settle:
            self._settle()
        return delivery

    def _settle(self) -> None:
        """Before a test reads what the app did (or after a delivery): let the app finish what it does after
        answering, through the `after_delivery` hook, so assertions need no sleeping."""
        if self.after_delivery is not None:
            self.after_delivery()

    def _socket_transport(self) -> SocketHub | None:
        """The Socket Mode endpoint when it is the transport: there is no bot_url to POST to."""
        return None if self.bot_url else self.socket

    def _deliver(
        self, kind: str, body: bytes, content_type: str, payload: dict[str, Any], *, settle: bool = True
    ) -> Delivery:
        socket = self._socket_transport()
        if socket is not None:
            delivered = socket.deliver(kind, payload, timeout=self.delivery_timeout)
        else:
            delivered = send(
                self._bot_url(),
                self.state.identity.signing_secret,
                kind,
                body,
                content_type,
                payload=payload,
                timeout=self.delivery_timeout,
            )
        return self._record(delivered, settle=settle)

    def _deliver_interaction(self, kind: str, payload: dict[str, Any]) -> Delivery:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self._deliver(kind, body, FORM, payload)

    def _deliver_event(self, event: dict[str, Any]) -> Delivery:
        envelope = payloads.event_callback(self.state, event)
        return self._deliver(f"event:{event['type']}", json.dumps(envelope).encode(), JSON, envelope)

    def _message_event(self, message: Message) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "message",
            "channel": message.channel,
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": "im" if self.state.user_for_dm(message.channel) else "channel",
            "team": self.state.identity.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if message.subtype:
            event["subtype"] = message.subtype
        if message.files:
            event["files"] = copy.deepcopy(message.files)
        return event

    def _find_action(
        self,
        user_id: str,
        action_id: str,
        block_id: str | None,
        message: Message | None,
        view: View | None,
        channel_id: str | None,
    ) -> tuple[Message | None, View | None, tuple[str, dict[str, Any]]]:
        """Where the user can currently see `action_id`: (message, view, (block_id, element))."""
        state = self.state
        if message is not None:
            try:
                live = state.find_message(message.channel, message.ts)
            except ApiError:
                raise LookupError(f"message {message.ts} is gone") from None
            if live.ephemeral_to not in (None, user_id):
                raise LookupError(f"{user_id} cannot see ephemeral message {message.ts}")
            found = blockkit.find_element(live.blocks, action_id, block_id)
            if found is None:
                raise LookupError(f"message {message.ts} no longer shows {action_id!r}")
            return live, None, found
        if view is not None:
            open_ids = [*state.modal_stacks.get(user_id, []), state.home_views.get(user_id)]
            if view.id not in open_ids:
                raise LookupError(f"view {view.id} is not open for {user_id}")
            live_view = state.views[view.id]
            found = blockkit.find_element(live_view.blocks, action_id, block_id)
            if found is None:
                raise LookupError(f"view {view.id} does not show {action_id!r}")
            return None, live_view, found
        stack = state.modal_stack(user_id)
        if stack and channel_id is None:
            found = blockkit.find_element(stack[-1].blocks, action_id, block_id)
            if found is not None:
                return None, stack[-1], found
        channel = self._channel(channel_id) if channel_id else self.dm_channel(user_id)
        for candidate in reversed(state.messages.get(channel, [])):
            if candidate.deleted or candidate.ephemeral_to not in (None, user_id):
                continue
            found = blockkit.find_element(candidate.blocks, action_id, block_id)
            if found is not None:
                return candidate, None, found
        home_id = state.home_views.get(user_id)
        if home_id is not None and channel_id is None:
            found = blockkit.find_element(state.views[home_id].blocks, action_id, block_id)
            if found is not None:
                return None, state.views[home_id], found
        raise LookupError(f"{user_id} sees no element with action_id {action_id!r}")


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


def _state_values(view: View, values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """state.values for a submission: every input block, typed like Slack's, with the given values."""
    inputs = dict(blockkit.input_elements(view.blocks))
    unknown = [block_id for block_id in values if block_id not in inputs]
    if unknown:
        raise LookupError(f"view {view.id} has no input block {', '.join(unknown)}")
    result: dict[str, dict[str, Any]] = {}
    for block_id, element in inputs.items():
        action_id = str(element.get("action_id"))
        given = values.get(block_id, {})
        extra = [key for key in given if key != action_id]
        if extra:
            raise LookupError(f"input block {block_id} has action_id {action_id!r}, not {extra[0]!r}")
        if action_id not in given:
            result[block_id] = {action_id: blockkit.element_value(element, None)}
        elif isinstance(given[action_id], dict):
            result[block_id] = {action_id: {"type": element.get("type")} | given[action_id]}
        else:
            result[block_id] = {action_id: blockkit.element_value(element, given[action_id])}
    return result
