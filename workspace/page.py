"""The workspace's web page and the small JSON API behind it (/ui/...).

The page drives the bot through the same `Workspace` methods the tests use, so what a person tries by
hand is what the tests exercise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, request

if TYPE_CHECKING:
    from workspace.delivery import Delivery
    from workspace.state import Message, View
    from workspace.workspace import Workspace

BANNER = "Local workspace: a stand-in for Slack, not Slack"


def _message_json(ws: Workspace, message: Message) -> dict[str, Any]:
    author = ws.state.users.get(message.user)
    return {
        "ts": message.ts,
        "channel": message.channel,
        "user": message.user,
        "user_name": author.real_name if author else message.user,
        "is_bot": message.user == ws.bot_user_id,
        "text": message.text,
        "blocks": message.blocks,
        "ephemeral": message.ephemeral_to is not None,
        "edited": message.edited,
        "files": [{"id": f["id"], "name": f["name"], "size": f["size"]} for f in message.files],
    }


def _view_json(view: View | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "id": view.id,
        "hash": view.hash,
        "type": view.type,
        "title": (view.title or {}).get("text", ""),
        "submit": (view.submit or {}).get("text", ""),
        "close": (view.close or {}).get("text", "Cancel"),
        "blocks": view.blocks,
        "errors": view.errors,
        "values": {block_id: _typed_in(fields) for block_id, fields in view.state.items()},
    }


def _typed_in(fields: dict[str, Any]) -> Any:
    """What the person last entered in one input block, so a re-rendered modal keeps it."""
    for payload in fields.values():
        if payload.get("selected_option"):
            return payload["selected_option"].get("value")
        for key in ("value", "selected_date", "selected_time", "selected_user"):
            if payload.get(key) is not None:
                return payload[key]
    return None


def page_state(ws: Workspace, user_id: str | None) -> dict[str, Any]:
    """Everything the page shows for one person: their DM with the bot, Home tab and open modals."""
    people = ws.users
    names = {u.id: u.real_name for u in ws.state.users.values()}
    names |= {c.id: c.name for c in ws.channels}
    body: dict[str, Any] = {
        "banner": BANNER,
        "users": [{"id": u.id, "name": u.name, "real_name": u.real_name} for u in people],
        "names": names,
        "bot": {"id": ws.bot_user_id, "name": ws.state.identity.bot_name},
        "user": None,
    }
    if not user_id or user_id not in {u.id for u in people}:
        return body
    dm = ws.dm_channel(user_id)
    visible = [m for m in ws.messages(dm) if not m.deleted and m.ephemeral_to in (None, user_id)]
    body |= {
        "user": user_id,
        "dm": dm,
        "conversation": [_message_json(ws, m) for m in visible],
        "home": _view_json(ws.home_view(user_id)),
        "modals": [_view_json(v) for v in ws.open_views(user_id)],
    }
    return body


def _outcome(run: Callable[[], Delivery | None]) -> tuple[Response, int]:
    """Run a delivery for the page and report it; a person's mistake is a 409, not a crash."""
    try:
        delivery = run()
    except LookupError as exc:
        return jsonify({"ok": False, "error": str(exc)}), 409
    except RuntimeError as exc:
        return jsonify({"ok": False, "error": str(exc)}), 503
    if delivery is None:
        return jsonify({"ok": True}), 200
    error = delivery.error or delivery.problem
    if error is None and not delivery.ok:
        error = f"the bot answered HTTP {delivery.status}"
    return jsonify({"ok": error is None, "status": delivery.status, "error": error}), 200


def blueprint(ws: Workspace) -> Blueprint:
    """Routes for the page: / and /ui/*."""
    bp = Blueprint("page", __name__)

    def form() -> dict[str, Any]:
        data = request.get_json(silent=True, force=True)
        return data if isinstance(data, dict) else {}

    def view_of(user_id: str, view_id: str) -> View:
        for view in [*ws.open_views(user_id), ws.home_view(user_id)]:
            if view is not None and view.id == view_id:
                return view
        raise LookupError(f"view {view_id} is not open")

    def message_of(channel: str, ts: str) -> Message:
        for message in ws.messages(channel):
            if message.ts == ts:
                return message
        raise LookupError(f"message {ts} is not in {channel}")

    @bp.get("/")
    def index() -> Response:
        return current_app.send_static_file("index.html")

    @bp.get("/ui/state")
    def ui_state() -> Response:
        return jsonify(page_state(ws, request.args.get("user")))

    @bp.post("/ui/command")
    def ui_command() -> tuple[Response, int]:
        data = form()
        command, _, text = str(data.get("text", "")).strip().partition(" ")
        return _outcome(lambda: ws.slash_command(str(data.get("user")), command, text.strip()))

    @bp.post("/ui/message")
    def ui_message() -> tuple[Response, int]:
        data = form()
        return _outcome(lambda: ws.send_dm(str(data.get("user")), str(data.get("text", ""))))

    @bp.post("/ui/home")
    def ui_home() -> tuple[Response, int]:
        return _outcome(lambda: ws.open_home(str(form().get("user"))))

    @bp.post("/ui/click")
    def ui_click() -> tuple[Response, int]:
        data = form()
        user_id = str(data.get("user"))

        def run() -> Delivery:
            message = message_of(data["channel"], data["ts"]) if data.get("ts") else None
            view = view_of(user_id, data["view_id"]) if data.get("view_id") else None
            return ws.click(
                user_id,
                str(data.get("action_id")),
                data.get("value"),
                message=message,
                view=view,
                block_id=data.get("block_id"),
            )

        return _outcome(run)

    @bp.post("/ui/submit")
    def ui_submit() -> tuple[Response, int]:
        data = form()
        user_id = str(data.get("user"))
        return _outcome(
            lambda: ws.submit_view(
                user_id, view_of(user_id, str(data.get("view_id"))), data.get("values") or {}
            )
        )

    @bp.post("/ui/close")
    def ui_close() -> tuple[Response, int]:
        data = form()
        user_id = str(data.get("user"))
        return _outcome(lambda: ws.close_view(user_id, view_of(user_id, str(data.get("view_id")))))

    return bp
