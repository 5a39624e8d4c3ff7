"""The subset of Slack's Web API the bot uses, with Slack's errors for the mistakes a bot can make."""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workspace import blockkit
from workspace.errors import ApiError
from workspace.state import MODAL_STACK_LIMIT, Channel, Message, State, StoredFile, View

Params = dict[str, Any]
Method = Callable[[State, Params], dict[str, Any]]

METHODS: dict[str, Method] = {}
APP_LEVEL_METHODS = {"apps.connections.open"}  # called with the app-level token, never the bot token


@dataclass
class ApiAnswer:
    """What the HTTP layer sends back for one call."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def method(name: str) -> Callable[[Method], Method]:
    """Register a function as the handler of one Web API method."""

    def register(handler: Method) -> Method:
        METHODS[name] = handler
        return handler

    return register


def call(state: State, name: str, params: Params, token: str | None) -> ApiAnswer:
    """Run one call the way Slack would, record it, and never raise.

    In realistic mode the call first takes its latency (outside any lock, so concurrent calls overlap),
    and a call past Slack's rate limit answers 429 ratelimited before it has any effect. A call queued to
    stall (`stall_next`) hangs first and is then served as usual, whether or not the caller still waits.
    """
    realism = state.realism
    if realism is not None:
        realism.delay()
    channel = _channel_key(state, params)
    failure = state.take_failure(name, channel)  # decided on arrival: a stalled call keeps its own fate
    stall = state.take_stall(name, channel)
    if stall > 0:
        time.sleep(stall)  # outside every lock: the other calls go on meanwhile
    answer = ApiAnswer(200, {})
    try:
        if name not in METHODS:
            raise ApiError("unknown_method")
        if not token:
            raise ApiError("not_authed")
        ident = state.identity
        expected: str | None = ident.bot_token
        other: str | None = ident.app_token
        if name in APP_LEVEL_METHODS:
            expected, other = other, expected
        if token != expected:
            raise ApiError("not_allowed_token_type" if token == other else "invalid_auth")
        granted = ("connections:write",) if name in APP_LEVEL_METHODS else ident.scopes
        answer.headers["x-oauth-scopes"] = ",".join(granted)
        if failure is not None:
            answer.status = failure.status
            if failure.error == "ratelimited":
                answer.headers["Retry-After"] = str(failure.retry_after)
            raise ApiError(failure.error)
        with state.lock:
            refusal = None if realism is None else realism.refusal(name, _channel_key(state, params))
            if refusal is not None:
                answer.status = 429
                answer.headers.update(refusal)
                raise ApiError("ratelimited")
            answer.body = {"ok": True, **METHODS[name](state, params)}
    except ApiError as exc:
        answer.body = exc.body()
    state.record_call(name, params, token, None if answer.body["ok"] else str(answer.body["error"]))
    return answer


def _channel_key(state: State, params: Params) -> str | None:
    """The conversation a call is about, for per-channel limits: a user id counts as the DM with them."""
    raw = params.get("channel")
    if not raw:
        return None
    try:
        return state.resolve_channel(str(raw))
    except ApiError:
        return str(raw)


# parameter helpers -----------------------------------------------------------------------------------------


def _required(params: Params, key: str, error: str = "invalid_arguments") -> Any:
    value = params.get(key)
    if value in (None, ""):
        raise ApiError(error, [f"[ERROR] missing required field: {key}"])
    return value


def _flag(params: Params, key: str) -> bool:
    return params.get(key) in (True, "true", "1", 1)


def _view_spec(params: Params) -> dict[str, Any]:
    raw = _required(params, "view")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ApiError("invalid_arguments", [f"[ERROR] view is not valid JSON: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ApiError("invalid_arguments", ["[ERROR] view must be an object"])
    blockkit.validate_view(raw)
    return raw


def _message_content(params: Params) -> tuple[str, list[dict[str, Any]]]:
    """Text and blocks of a message; Slack refuses a message with neither."""
    blocks = blockkit.parse_blocks(params.get("blocks"))
    text = params.get("text") or ""
    if not text and not blocks and not params.get("attachments"):
        raise ApiError("no_text")
    blockkit.validate_blocks(blocks, blockkit.MESSAGE_BLOCK_LIMIT)
    return str(text), blockkit.fill_ids(blocks)


def _user(state: State, user_id: Any) -> Any:
    user = state.users.get(str(user_id or ""))
    if user is None:
        raise ApiError("user_not_found")
    return user


def apply_view_spec(state: State, view: View, spec: dict[str, Any]) -> View:
    """Set a view's content from what the bot sent; input values survive when their block stays."""
    view.blocks = blockkit.fill_ids(blockkit.parse_blocks(spec.get("blocks")))
    view.callback_id = str(spec.get("callback_id") or "")
    view.private_metadata = str(spec.get("private_metadata") or "")
    view.external_id = str(spec.get("external_id") or view.external_id or "")
    view.title, view.submit, view.close = spec.get("title"), spec.get("submit"), spec.get("close")
    view.notify_on_close = bool(spec.get("notify_on_close", False))
    view.clear_on_close = bool(spec.get("clear_on_close", False))
    kept = {block_id for block_id, _ in blockkit.input_elements(view.blocks)}
    view.state = {k: v for k, v in view.state.items() if k in kept}
    view.errors = {}
    view.hash = state.new_hash()
    return view


def new_view(state: State, user_id: str, spec: dict[str, Any], previous: View | None = None) -> View:
    """A fresh view registered in the state (not yet on any stack)."""
    view = View(id=state.new_id("V"), type=str(spec.get("type")), user_id=user_id, hash="")
    if previous is not None:
        view.previous_view_id = previous.id
        view.root_view_id = previous.root_view_id or previous.id
    apply_view_spec(state, view, spec)
    state.views[view.id] = view
    return view


# methods ---------------------------------------------------------------------------------------------------


@method("auth.test")
def auth_test(state: State, params: Params) -> dict[str, Any]:
    ident = state.identity
    return {
        "url": f"{state.base_url}/",
        "team": ident.team_name,
        "user": ident.bot_name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "is_enterprise_install": False,
    }


@method("apps.connections.open")
def apps_connections_open(state: State, params: Params) -> dict[str, Any]:
    """A single-use WebSocket URL for Socket Mode (the endpoint runs while the workspace is served)."""
    if state.open_socket_link is None:
        raise ApiError("internal_error", ["[ERROR] the workspace is not being served"])
    return {"url": state.open_socket_link()}


@method("chat.postMessage")
def chat_post_message(state: State, params: Params) -> dict[str, Any]:
    channel = state.resolve_channel(str(_required(params, "channel", "channel_not_found")))
    known = state.channels.get(channel)
    if known is not None and not known.bot_is_member:
        raise ApiError("not_in_channel")
    text, blocks = _message_content(params)
    message = Message(
        ts=state.new_ts(),
        channel=channel,
        user=state.identity.bot_user_id,
        text=text,
        blocks=blocks,
        thread_ts=params.get("thread_ts") or None,
    )
    state.add_message(message)
    return {"channel": channel, "ts": message.ts, "message": state.message_json(message)}


@method("chat.postEphemeral")
def chat_post_ephemeral(state: State, params: Params) -> dict[str, Any]:
    channel = state.resolve_channel(str(_required(params, "channel", "channel_not_found")))
    user = _user(state, params.get("user"))
    dm_owner = state.user_for_dm(channel)
    if dm_owner is not None and dm_owner != user.id:
        raise ApiError("user_not_in_channel")
    text, blocks = _message_content(params)
    message = Message(
        ts=state.new_ts(),
        channel=channel,
        user=state.identity.bot_user_id,
        text=text,
        blocks=blocks,
        ephemeral_to=user.id,
        thread_ts=params.get("thread_ts") or None,
    )
    state.add_message(message)
    return {"message_ts": message.ts}


def _own_message(state: State, params: Params, refusal: str) -> Message:
    channel = state.resolve_channel(str(_required(params, "channel", "channel_not_found")))
    message = state.find_message(channel, str(_required(params, "ts", "message_not_found")))
    if message.ephemeral_to is not None:
        raise ApiError("message_not_found")
    if message.user != state.identity.bot_user_id:
        raise ApiError(refusal)
    return message


@method("chat.update")
def chat_update(state: State, params: Params) -> dict[str, Any]:
    message = _own_message(state, params, "cant_update_message")
    blocks = message.blocks
    if "blocks" in params:
        blocks = blockkit.parse_blocks(params.get("blocks"))
        blockkit.validate_blocks(blocks, blockkit.MESSAGE_BLOCK_LIMIT)
        blocks = blockkit.fill_ids(blocks)
    text = str(params.get("text") or "") if "text" in params else message.text
    if not text and not blocks:
        raise ApiError("no_text")
    message.text, message.blocks, message.edited = text, blocks, True
    return {
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": state.message_json(message),
    }


@method("chat.delete")
def chat_delete(state: State, params: Params) -> dict[str, Any]:
    message = _own_message(state, params, "cant_delete_message")
    message.deleted = True
    return {"channel": message.channel, "ts": message.ts}


@method("views.open")
def views_open(state: State, params: Params) -> dict[str, Any]:
    spec = _view_spec(params)
    if spec.get("type") != "modal":
        raise ApiError("invalid_arguments", ["[ERROR] views.open needs a modal [json-pointer:/view/type]"])
    user_id = state.redeem_trigger(str(_required(params, "trigger_id", "invalid_trigger_id")))
    view = new_view(state, user_id, spec)
    state.modal_stacks[user_id] = [view.id]
    return {"view": state.view_json(view)}


@method("views.push")
def views_push(state: State, params: Params) -> dict[str, Any]:
    spec = _view_spec(params)
    if spec.get("type") != "modal":
        raise ApiError("invalid_arguments", ["[ERROR] views.push needs a modal [json-pointer:/view/type]"])
    user_id = state.redeem_trigger(str(_required(params, "trigger_id", "invalid_trigger_id")))
    stack = state.modal_stacks.get(user_id, [])
    if not stack:
        raise ApiError("not_found", ["[ERROR] no modal is open to push onto"])
    if len(stack) >= MODAL_STACK_LIMIT:
        raise ApiError("push_limit_reached")
    view = new_view(state, user_id, spec, previous=state.views[stack[-1]])
    stack.append(view.id)
    return {"view": state.view_json(view)}


@method("views.update")
def views_update(state: State, params: Params) -> dict[str, Any]:
    spec = _view_spec(params)
    view_id, external_id = params.get("view_id"), params.get("external_id")
    if not view_id and not external_id:
        raise ApiError("invalid_arguments", ["[ERROR] view_id or external_id is required"])
    view = state.find_view(view_id=view_id, external_id=external_id)
    if params.get("hash") and params["hash"] != view.hash:
        raise ApiError("hash_conflict")
    if spec.get("type") != view.type:
        raise ApiError(
            "invalid_arguments", ["[ERROR] a view cannot change its type [json-pointer:/view/type]"]
        )
    apply_view_spec(state, view, spec)
    return {"view": state.view_json(view)}


@method("views.publish")
def views_publish(state: State, params: Params) -> dict[str, Any]:
    spec = _view_spec(params)
    if spec.get("type") != "home":
        raise ApiError(
            "invalid_arguments", ["[ERROR] views.publish needs a home view [json-pointer:/view/type]"]
        )
    user = _user(state, params.get("user_id"))
    existing = state.views.get(state.home_views.get(user.id, ""))
    if existing is None:
        view = new_view(state, user.id, spec)
        state.home_views[user.id] = view.id
    else:
        if params.get("hash") and params["hash"] != existing.hash:
            raise ApiError("hash_conflict")
        view = apply_view_spec(state, existing, spec)
    return {"view": state.view_json(view)}


@method("conversations.open")
def conversations_open(state: State, params: Params) -> dict[str, Any]:
    if params.get("channel"):
        channel = state.resolve_channel(str(params["channel"]))
        owner = state.user_for_dm(channel)
        if owner is None:
            raise ApiError("channel_not_found")
        return {"channel": {"id": channel, "is_im": True, "user": owner}}
    raw = _required(params, "users", "users_list_not_supplied")
    users = raw if isinstance(raw, list) else [u.strip() for u in str(raw).split(",") if u.strip()]
    if len(users) != 1:
        raise ApiError("invalid_arguments", ["[ERROR] this workspace opens direct messages with one person"])
    user = _user(state, users[0])
    return {"channel": {"id": state.dm_channel(user.id), "is_im": True, "user": user.id}}


def _channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_private": channel.is_private,
        "is_archived": False,
        "is_member": channel.bot_is_member,
    }


def _visible(channel: Channel) -> bool:
    """A private channel exists for the bot only when it is in it."""
    return channel.bot_is_member or not channel.is_private


@method("conversations.info")
def conversations_info(state: State, params: Params) -> dict[str, Any]:
    """By id only, as Slack: a name is channel_not_found."""
    channel_id = str(_required(params, "channel", "channel_not_found"))
    channel = state.channels.get(channel_id)
    if channel is not None and _visible(channel):
        return {"channel": _channel_json(channel)}
    owner = state.user_for_dm(channel_id)
    if owner is None:
        raise ApiError("channel_not_found")
    return {"channel": {"id": channel_id, "is_im": True, "user": owner, "is_member": True}}


@method("conversations.list")
def conversations_list(state: State, params: Params) -> dict[str, Any]:
    """Public and private channels the bot can see (direct messages are not listed here)."""
    wanted = {t.strip() for t in str(params.get("types") or "public_channel").split(",")}
    channels = [
        c
        for c in state.channels.values()
        if _visible(c) and ("private_channel" if c.is_private else "public_channel") in wanted
    ]
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or 0) or len(channels)
    more = start + limit < len(channels)
    return {
        "channels": [_channel_json(c) for c in channels[start : start + limit]],
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


@method("users.info")
def users_info(state: State, params: Params) -> dict[str, Any]:
    user = _user(state, params.get("user"))
    return {"user": state.user_json(user, include_locale=_flag(params, "include_locale"))}


@method("users.list")
def users_list(state: State, params: Params) -> dict[str, Any]:
    members = list(state.users.values())
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or 0) or len(members)
    page = members[start : start + limit]
    more = start + limit < len(members)
    include_locale = _flag(params, "include_locale")
    return {
        "members": [state.user_json(u, include_locale=include_locale) for u in page],
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


@method("files.info")
def files_info(state: State, params: Params) -> dict[str, Any]:
    stored = state.files.get(str(params.get("file") or ""))
    if stored is None:
        raise ApiError("file_not_found")
    return {"file": state.file_json(stored)}


# files.upload v2: reserve a file, the bot POSTs its bytes to upload_url, then shares it -------------------


@method("files.getUploadURLExternal")
def files_get_upload_url_external(state: State, params: Params) -> dict[str, Any]:
    name = str(_required(params, "filename"))
    try:
        length = int(_required(params, "length"))
    except ValueError:
        raise ApiError("invalid_arguments", ["[ERROR] length must be a number"]) from None
    stored = StoredFile(
        id=state.new_id("F"),
        name=name,
        title=name,
        mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
        content=b"",
        user=state.identity.bot_user_id,
        channel="",
        created=int(state.clock()),
        expected_length=length,
    )
    state.files[stored.id] = stored
    return {"upload_url": f"{state.base_url}/upload/{stored.id}", "file_id": stored.id}


@method("files.completeUploadExternal")
def files_complete_upload_external(state: State, params: Params) -> dict[str, Any]:
    raw = _required(params, "files")
    items = json.loads(raw) if isinstance(raw, str) else raw
    stored_files = []
    for item in items:
        stored = state.files.get(str(item.get("id") or ""))
        if stored is None or not stored.uploaded:
            raise ApiError("file_not_found")
        stored.title = str(item.get("title") or stored.title)
        stored_files.append(stored)
    channel_id = params.get("channel_id") or params.get("channels")
    if channel_id:
        channel = state.resolve_channel(str(channel_id).split(",")[0])
        for stored in stored_files:
            stored.channel = channel
        state.add_message(
            Message(
                ts=state.new_ts(),
                channel=channel,
                user=state.identity.bot_user_id,
                text=str(params.get("initial_comment") or ""),
                subtype="file_share",
                files=[state.file_json(s) for s in stored_files],
                thread_ts=params.get("thread_ts") or None,
            )
        )
    return {"files": [state.file_json(s) for s in stored_files]}
