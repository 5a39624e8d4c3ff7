"""The workspace's web page and the small JSON API behind it (/ui/...).

The page drives the bot through the same `Workspace` methods the tests use, so what a person tries by
hand is what the tests exercise.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, jsonify, request, send_file

if TYPE_CHECKING:
    from workspace.delivery import Delivery
    from workspace.state import Message, View
    from workspace.workspace import Workspace

BANNER = "Local workspace: a stand-in for Slack, not Slack"
HOME = "home"
UPLOAD_LIMIT = 20 * 1024 * 1024
NOT_A_COMMAND = '{command} is not a valid command. In Slack, all messages that start with "/" are commands.'


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
        "files": [
            {
                "id": f["id"],
                "name": f["name"],
                "size": f["size"],
                "mimetype": f.get("mimetype", ""),
                "url": f"/ui/file/{f['id']}",
            }
            for f in message.files
        ],
    }


def _view_json(view: View | None, depth: int = 1) -> dict[str, Any] | None:
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
        "depth": depth,
    }


def _typed_in(fields: dict[str, Any]) -> Any:
    """What the person last entered in one input block, in the shape the page sends it back."""
    for payload in fields.values():
        if payload.get("selected_option"):
            return payload["selected_option"].get("value")
        if "selected_options" in payload:
            return [option.get("value") for option in payload["selected_options"] or []]
        if "files" in payload:
            return {"files": payload["files"]}
        for key in (
            "value",
            "selected_date",
            "selected_time",
            "selected_date_time",
            "selected_user",
            "selected_users",
            "selected_conversation",
            "selected_conversations",
            "selected_channel",
            "selected_channels",
        ):
            if payload.get(key) is not None:
                return payload[key]
    return None


def _visible(messages: Iterable[Message], user_id: str) -> list[Message]:
    return [m for m in messages if not m.deleted and m.ephemeral_to in (None, user_id)]


def _seen(raw: str) -> dict[str, str]:
    """`C1:ts,D2:ts` -> {conversation: newest ts the person has seen there}."""
    pairs = (item.partition(":") for item in raw.split(",") if item)
    return {channel: ts for channel, _, ts in pairs if channel}


def _ts_after(ts: str, seen: str) -> bool:
    try:
        return float(ts) > float(seen or 0)
    except ValueError:
        return True


def page_state(
    ws: Workspace,
    user_id: str | None,
    conversation: str | None = None,
    seen: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the page shows for one person: the sidebar, one conversation, Home tab and open modals.

    `conversation` is the DM (default), a channel id, or "home"; `seen` gives, per conversation, the
    newest ts the person has read, so the sidebar can mark what is unread.
    """
    people = ws.users
    names = {u.id: u.real_name for u in ws.state.users.values()}
    names |= {c.id: c.name for c in ws.channels}
    body: dict[str, Any] = {
        "banner": BANNER,
        "version": ws.state.version,
        "users": [{"id": u.id, "name": u.name, "real_name": u.real_name, "title": u.title} for u in people],
        "names": names,
        "bot": {"id": ws.bot_user_id, "name": ws.state.identity.bot_name},
        "clock": {
            "now": ws.now(),
            "offset": ws.clock_offset,
            "can_move": ws.on_clock_moved is not None,
            "can_reset": ws.on_reset is not None,
        },
        "mailbox": ws.mailbox is not None,
        "user": None,
    }
    person = next((u for u in people if u.id == user_id), None)
    if person is None:
        return body
    seen = seen or {}
    dm = ws.dm_channel(person.id)
    sidebar = [{"id": HOME, "name": "Home", "kind": "home", "unread": 0}]
    shown: list[Message] = []
    with ws.state.lock:
        for channel_id, name, kind in [
            (dm, ws.state.identity.bot_name, "dm"),
            *((c.id, c.name, "channel") for c in ws.channels),
        ]:
            visible = _visible(ws.state.messages.get(channel_id, []), person.id)
            last_seen = seen.get(channel_id, "")
            unread = sum(1 for m in visible if m.user != person.id and _ts_after(m.ts, last_seen))
            sidebar.append({"id": channel_id, "name": name, "kind": kind, "unread": unread})
            if channel_id == (conversation or dm):
                shown = visible
        conversation_json = [_message_json(ws, m) for m in shown]
        stack = ws.state.modal_stack(person.id)
        modals = [_view_json(v, depth) for depth, v in enumerate(stack, start=1)]
        home_id = ws.state.home_views.get(person.id)
        home = _view_json(ws.state.views[home_id]) if home_id else None
    body |= {
        "user": person.id,
        "tz": person.tz,
        "locale": person.locale,
        "dm": dm,
        "sidebar": sidebar,
        "conversation_id": conversation or dm,
        "conversation": conversation_json,
        "home": home,
        "modals": modals,
    }
    return body


def _problem(delivery: Delivery) -> str | None:
    error = delivery.error or delivery.problem
    if error is None and not delivery.ok:
        error = f"the bot answered HTTP {delivery.status}"
    return error


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
    error = _problem(delivery)
    return jsonify({"ok": error is None, "status": delivery.status, "error": error}), 200


def _submitted(values: Any) -> dict[str, dict[str, Any]] | None:
    return values if isinstance(values, dict) else None


def _moment(text: str, tz: str) -> float:
    """A `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` typed in the page, read in the person's time zone."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


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

    def person_tz(user_id: str) -> str:
        user = ws.state.users.get(user_id)
        return user.tz if user else "Europe/Brussels"

    @bp.get("/")
    def index() -> Response:
        return current_app.send_static_file("index.html")

    @bp.get("/ui/state")
    def ui_state() -> Response:
        since = request.args.get("since", "")
        if since.isdigit() and int(since) == ws.state.version:
            return jsonify({"version": ws.state.version, "unchanged": True})
        conversation = request.args.get("conversation") or None
        seen = _seen(request.args.get("seen", ""))
        return jsonify(page_state(ws, request.args.get("user"), conversation, seen))

    @bp.post("/ui/command")
    def ui_command() -> tuple[Response, int]:
        data = form()
        found = re.match(r"(\S*)\s*(.*)", str(data.get("text", "")).strip(), re.DOTALL)
        command, text = (found.group(1), found.group(2)) if found else ("", "")
        channel = data.get("channel") or None
        if channel == HOME:
            channel = None
        user = str(data.get("user"))
        response, status = _outcome(lambda: ws.slash_command(user, command, text.strip(), channel))
        body = response.get_json()
        if body and body.get("status") == 404:  # the app has no such command: Slack would not send it
            refused = {"ok": False, "status": 404, "error": NOT_A_COMMAND.format(command=command)}
            return jsonify(refused), status
        return response, status

    @bp.post("/ui/message")
    def ui_message() -> tuple[Response, int]:
        data = form()
        user_id, text = str(data.get("user")), str(data.get("text", ""))
        channel = str(data.get("channel") or "")
        if channel and channel not in (HOME, ws.dm_channel(user_id)):

            def in_channel() -> None:
                ws.post_in_channel(user_id, channel, text)

            return _outcome(in_channel)
        return _outcome(lambda: ws.send_dm(user_id, text))

    @bp.post("/ui/upload")
    def ui_upload() -> tuple[Response, int]:
        """A file dropped or picked in the DM (multipart): stored, then shared with the bot."""
        user_id = str(request.form.get("user", ""))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return jsonify({"ok": False, "error": "no file was sent"}), 400
        content = upload.read(UPLOAD_LIMIT + 1)
        if len(content) > UPLOAD_LIMIT:
            return jsonify({"ok": False, "error": "the workspace takes files up to 20 MB"}), 413
        try:
            file_json, deliveries = ws.share_file(
                user_id,
                upload.filename,
                content,
                upload.mimetype or "application/octet-stream",
                str(request.form.get("text", "")),
            )
        except LookupError as exc:
            return jsonify({"ok": False, "error": str(exc)}), 409
        except RuntimeError as exc:
            return jsonify({"ok": False, "error": str(exc)}), 503
        problems = [p for p in (_problem(d) for d in deliveries) if p]
        error = problems[0] if problems else None
        return jsonify({"ok": error is None, "file": file_json["id"], "error": error}), 200

    @bp.post("/ui/modal-file")
    def ui_modal_file() -> tuple[Response, int]:
        """A file picked in a modal's file_input: kept, and handed to the page for the submission."""
        user_id = str(request.form.get("user", ""))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return jsonify({"ok": False, "error": "no file was sent"}), 400
        try:
            file_json = ws.store_file(
                user_id, upload.filename, upload.read(), upload.mimetype or "application/octet-stream"
            )
        except LookupError as exc:
            return jsonify({"ok": False, "error": str(exc)}), 409
        return jsonify({"ok": True, "file": file_json}), 200

    @bp.get("/ui/file/<file_id>")
    def ui_file(file_id: str) -> Response:
        """A file shared in a conversation, downloaded by a person who sees it there (as in Slack);
        someone who does not see it gets the same 404 as for a file that does not exist."""
        user_id = request.args.get("user", "")
        with ws.state.lock:
            stored = ws.state.files.get(file_id)
            seen = stored is not None and (
                stored.user == user_id
                or any(
                    any(f.get("id") == file_id for f in m.files)
                    for channel in (ws.dm_channel(user_id), *(c.id for c in ws.channels))
                    for m in _visible(ws.state.messages.get(channel, []), user_id)
                )
            )
        if stored is None or not seen or not user_id:
            return Response("file not found", status=404, mimetype="text/plain")
        return send_file(
            io.BytesIO(stored.content),
            mimetype=stored.mimetype or "application/octet-stream",
            as_attachment=True,
            download_name=stored.name,
        )

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
                values=_submitted(data.get("values")),
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

    @bp.post("/ui/clock")
    def ui_clock() -> tuple[Response, int]:
        """Move time: {"seconds": n} forward (or back), or {"to": "2026-12-01T09:00"} in the person's zone."""
        data = form()
        if ws.on_clock_moved is None:
            return jsonify({"ok": False, "error": "the bot does not take its time from this workspace"}), 409
        try:
            if data.get("to"):
                seconds = _moment(str(data["to"]), person_tz(str(data.get("user")))) - ws.now()
            else:
                seconds = float(data.get("seconds") or 0)
        except (TypeError, ValueError) as exc:
            return jsonify({"ok": False, "error": f"not a time: {exc}"}), 400
        try:
            ws.move_clock(seconds)
        except Exception as exc:  # the bot's hook failed: say so instead of a bare 500
            return jsonify({"ok": False, "error": f"the bot could not move its clock: {exc}"}), 500
        return jsonify({"ok": True, "now": ws.now()}), 200

    @bp.post("/ui/reset")
    def ui_reset() -> tuple[Response, int]:
        try:
            ws.reset_demo()
        except RuntimeError as exc:
            return jsonify({"ok": False, "error": str(exc)}), 409
        except Exception as exc:
            return jsonify({"ok": False, "error": f"the demo data could not be reset: {exc}"}), 500
        return jsonify({"ok": True}), 200

    return bp
