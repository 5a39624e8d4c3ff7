"""What Slack does with the bot's answers: slash-command reply bodies, response_url posts, and
view_submission response actions. Each turns into messages or modal changes a user would see.
"""

from __future__ import annotations

import json
from typing import Any

from workspace import blockkit
from workspace.errors import ApiError
from workspace.state import MODAL_STACK_LIMIT, Message, ResponseTarget, State
from workspace.webapi import ApiAnswer, apply_view_spec, new_view


def _parse_reply(content_type: str, body: str) -> dict[str, Any] | None:
    """A reply body as a message dict: JSON when it is JSON, otherwise its plain text; None when empty."""
    if not body.strip():
        return None
    if "json" in content_type or body.lstrip().startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {"text": body}
        return parsed if isinstance(parsed, dict) else {"text": body}
    return {"text": body}


def _content(reply: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    blocks = blockkit.parse_blocks(reply.get("blocks"))
    text = str(reply.get("text") or "")
    if not text and not blocks:
        raise ApiError("no_text")
    blockkit.validate_blocks(blocks, blockkit.MESSAGE_BLOCK_LIMIT)
    return text, blockkit.fill_ids(blocks)


def _post_reply(state: State, reply: dict[str, Any], user_id: str, channel_id: str) -> Message:
    text, blocks = _content(reply)
    public = reply.get("response_type") == "in_channel"
    message = Message(
        ts=state.new_ts(),
        channel=channel_id,
        user=state.identity.bot_user_id,
        text=text,
        blocks=blocks,
        ephemeral_to=None if public else user_id,
        thread_ts=reply.get("thread_ts") or None,
    )
    return state.add_message(message)


def show_command_reply(
    state: State, user_id: str, channel_id: str, content_type: str, body: str
) -> str | None:
    """Show the HTTP answer to a slash command; returns the error Slack would show instead, if any."""
    reply = _parse_reply(content_type, body)
    if reply is None:
        return None
    try:
        with state.lock:
            _post_reply(state, reply, user_id, channel_id)
    except ApiError as exc:
        return str(exc)
    return None


def respond(state: State, token: str, payload: dict[str, Any]) -> ApiAnswer:
    """Handle a POST to a response_url and record it as a call named "response_url".

    In realistic mode the post first takes its latency, outside the lock. A failure queued with
    fail_next("response_url", ...) answers with its HTTP status (429 with Retry-After for a rate limit),
    as Slack's webhook service does: a 200 there would say the message was posted."""
    if state.realism is not None:
        state.realism.delay()
    answer = ApiAnswer(200, {})
    try:
        with state.lock:
            failure = state.take_failure("response_url")
            if failure is not None:
                answer.status = failure.status
                if failure.error == "ratelimited":
                    answer.headers["Retry-After"] = str(failure.retry_after)
                raise ApiError(failure.error)
            target = state.use_response_target(token)
            _apply_response(state, target, payload)
        answer.body = {"ok": True}
    except ApiError as exc:
        answer.body = exc.body()
        if answer.body["error"] in ("invalid_url", "expired_url", "used_url"):
            answer.status = 404
    state.record_call("response_url", payload, None, None if answer.body["ok"] else str(answer.body["error"]))
    return answer


def _apply_response(state: State, target: ResponseTarget, payload: dict[str, Any]) -> None:
    delete, replace = _truthy(payload.get("delete_original")), _truthy(payload.get("replace_original"))
    original = None
    if target.message_ts is not None and (delete or replace):
        original = state.find_message(target.channel_id, target.message_ts)
    if delete:
        if original is None:
            raise ApiError("message_not_found")
        original.deleted = True
        return
    if replace and original is not None:
        original.text, original.blocks = _content(payload)
        original.edited = True
        return
    _post_reply(state, payload, target.user_id, target.channel_id)


def _truthy(value: Any) -> bool:
    return value in (True, "true", "True", 1, "1")


def apply_view_reply(state: State, user_id: str, view_id: str, content_type: str, body: str) -> str | None:
    """Apply a view_submission answer to the modal stack; returns a problem Slack would show, if any.

    Empty answer closes the submitted view; response_action errors/update/push/clear do what Slack does.
    """
    reply = _parse_reply(content_type, body) or {}
    action = reply.get("response_action")
    with state.lock:
        stack = state.modal_stacks.get(user_id, [])
        if view_id not in stack:
            return "the submitted view is no longer open"
        top = state.views[view_id]
        try:
            if action is None:
                del stack[stack.index(view_id) :]
            elif action == "clear":
                stack.clear()
            elif action == "errors":
                errors = reply.get("errors")
                if not isinstance(errors, dict) or not errors:
                    raise ApiError("invalid_arguments", ["[ERROR] errors must name at least one block"])
                known = {block.get("block_id") for block in top.blocks}
                unknown = [key for key in errors if key not in known]
                if unknown:
                    raise ApiError("invalid_arguments", [f"[ERROR] no such block: {', '.join(unknown)}"])
                top.errors = {str(k): str(v) for k, v in errors.items()}
            elif action in ("update", "push"):
                spec = reply.get("view")
                if not isinstance(spec, dict):
                    raise ApiError("invalid_arguments", ["[ERROR] response_action needs a view"])
                blockkit.validate_view(spec)
                if action == "update":
                    apply_view_spec(state, top, spec)
                elif len(stack) >= MODAL_STACK_LIMIT:
                    raise ApiError("push_limit_reached")
                else:
                    stack.append(new_view(state, user_id, spec, previous=top).id)
            else:
                raise ApiError("invalid_arguments", [f"[ERROR] unknown response_action {action!r}"])
        except ApiError as exc:
            return str(exc)
        finally:
            state.changed()
    return None
