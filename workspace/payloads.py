"""The bodies Slack sends to an app: slash-command forms, interaction payloads and event envelopes.

Each builder issues the trigger_id and response_url that go with it, so the Web API can later check
that the bot used them the way Slack allows.
"""

from __future__ import annotations

import secrets
from typing import Any

from workspace.state import Message, State, View


def _user_ref(state: State, user_id: str) -> dict[str, Any]:
    user = state.users[user_id]
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": state.identity.team_id}


def _team(state: State) -> dict[str, Any]:
    return {"id": state.identity.team_id, "domain": state.identity.team_domain}


def _action_ts(state: State) -> str:
    return f"{state.clock():.6f}"


def slash_command(state: State, user_id: str, command: str, text: str, channel_id: str) -> dict[str, str]:
    """The form fields of a slash command invocation."""
    ident = state.identity
    return {
        "token": ident.verification_token,
        "team_id": ident.team_id,
        "team_domain": ident.team_domain,
        "channel_id": channel_id,
        "channel_name": state.channel_name(channel_id),
        "user_id": user_id,
        "user_name": state.users[user_id].name,
        "command": command,
        "text": text,
        "api_app_id": ident.app_id,
        "is_enterprise_install": "false",
        "response_url": state.issue_response_url(user_id, channel_id, None),
        "trigger_id": state.issue_trigger(user_id),
    }


def _base_interaction(state: State, kind: str, user_id: str) -> dict[str, Any]:
    ident = state.identity
    return {
        "type": kind,
        "user": _user_ref(state, user_id),
        "api_app_id": ident.app_id,
        "token": ident.verification_token,
        "trigger_id": state.issue_trigger(user_id),
        "team": _team(state),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def block_actions(
    state: State,
    user_id: str,
    action: dict[str, Any],
    *,
    message: Message | None = None,
    view: View | None = None,
) -> dict[str, Any]:
    """A block_actions payload for one action taken on a message or in a view (modal or Home tab).

    Like Slack, an ephemeral source message is not echoed back, and only message actions get a
    response_url.
    """
    payload = _base_interaction(state, "block_actions", user_id)
    payload["actions"] = [action | {"action_ts": _action_ts(state)}]
    if message is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral_to is not None,
        }
        payload["channel"] = {"id": message.channel, "name": state.channel_name(message.channel)}
        if message.ephemeral_to is None:
            payload["message"] = state.message_json(message)
        payload["state"] = {"values": {}}
        payload["response_url"] = state.issue_response_url(user_id, message.channel, message.ts)
    elif view is not None:
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = state.view_json(view)
        payload["state"] = {"values": dict(view.state)}
    return payload


def view_submission(state: State, user_id: str, view: View) -> dict[str, Any]:
    """A view_submission payload carrying the view with its state.values."""
    payload = _base_interaction(state, "view_submission", user_id)
    payload["view"] = state.view_json(view)
    payload["response_urls"] = []
    return payload


def view_closed(state: State, user_id: str, view: View, *, cleared: bool) -> dict[str, Any]:
    """A view_closed payload; `cleared` is true when the whole stack went away."""
    payload = _base_interaction(state, "view_closed", user_id)
    payload.pop("trigger_id")
    payload["view"] = state.view_json(view)
    payload["is_cleared"] = cleared
    return payload


def event_callback(state: State, event: dict[str, Any]) -> dict[str, Any]:
    """An Events API envelope around one event, with a fresh event_id for idempotency checks."""
    ident = state.identity
    now = state.clock()
    event = {"event_ts": f"{now:.6f}"} | event
    return {
        "token": ident.verification_token,
        "team_id": ident.team_id,
        "context_team_id": ident.team_id,
        "api_app_id": ident.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ident.team_id,
                "user_id": ident.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
