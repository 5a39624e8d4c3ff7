"""HTTP face of the workspace: the Web API, response_urls, file downloads and the page, served by waitress.

Waitress runs with several threads because the bot calls back into the Web API while one of its own
requests (a delivery made from a page click) is still open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Flask, Response, jsonify, request
from waitress import create_server, wasyncore  # type: ignore[attr-defined]  # public, not in the stubs

from workspace import mailbox_page, page, responses, webapi
from workspace.socket_mode import SocketHub

if TYPE_CHECKING:
    from workspace.state import State
    from workspace.workspace import Workspace


def _params() -> dict[str, Any]:
    """Query args, form fields and a JSON body merged, as Slack accepts any of them."""
    params: dict[str, Any] = dict(request.args.items())
    params.update(request.form.items())
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        params.update(body)
    return params


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _round_trip(state: State) -> None:
    """Realistic mode's latency for a file download or upload (per request, outside the lock)."""
    if state.realism is not None:
        state.realism.delay()


def create_app(ws: Workspace) -> Flask:
    """The Flask app for one workspace."""
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = ws.state

    @app.route("/api/<method_name>", methods=["GET", "POST"])
    def api(method_name: str) -> Response:
        params = _params()
        token = _bearer() or params.pop("token", None)
        params.pop("token", None)
        answer = webapi.call(state, method_name, params, token)
        response = jsonify(answer.body)
        response.status_code = answer.status
        response.headers.update(answer.headers)
        return response

    @app.post("/response/<token>")
    def response_url(token: str) -> Response:
        payload = request.get_json(silent=True, force=True)
        if not isinstance(payload, dict):
            payload = {"text": request.get_data(as_text=True)}
        answer = responses.respond(state, token, payload)
        response = jsonify(answer.body)
        response.status_code = answer.status
        response.headers.update(answer.headers)
        return response

    @app.get("/files/<file_id>/<path:name>")
    @app.get("/files/<file_id>/download/<path:name>")
    def download(file_id: str, name: str) -> Response:
        _round_trip(state)
        token = _bearer()
        stored = state.files.get(file_id)
        error = None
        if token != state.identity.bot_token:
            error = "not_authed" if token is None else "invalid_auth"
        elif stored is None or stored.name != name:
            error = "file_not_found"
        state.record_call("file_download", {"file": file_id, "name": name}, token, error)
        if error == "file_not_found":
            return Response("file not found", status=404, mimetype="text/plain")
        if error is not None or stored is None:
            return Response("a file needs the bot token", status=403, mimetype="text/plain")
        disposition = "attachment" if "/download/" in request.path else "inline"
        headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.name, safe='')}"}
        return Response(stored.content, mimetype=stored.mimetype, headers=headers)

    @app.post("/upload/<file_id>")
    def upload(file_id: str) -> Response:
        """files.upload v2's upload_url: the bytes of a file reserved with files.getUploadURLExternal."""
        _round_trip(state)
        data = request.get_data()
        with state.lock:
            stored = state.files.get(file_id)
            if stored is None or stored.uploaded or len(data) != stored.expected_length:
                return Response("upload refused", status=400, mimetype="text/plain")
            stored.content, stored.expected_length = data, None
        return Response(f"OK - {len(data)}", mimetype="text/plain")

    app.register_blueprint(page.blueprint(ws))
    app.register_blueprint(mailbox_page.blueprint(ws))
    return app


class Server:
    """A running waitress server in a daemon thread; `stop()` closes it and every open connection."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="local-workspace")
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.host = host
        self.port = int(self._server.effective_port)
        self.url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(target=self._server.run, name="workspace-server", daemon=True)
        self._thread.start()
        self._stopped = False
        self.closers: list[Callable[[], None]] = []  # what else stops with this server (Socket Mode)

    @property
    def running(self) -> bool:
        """True until stop() has finished the server loop."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and all connections from inside the server loop, then wait for it.

        The wake-up pipe is closed last, once no worker thread can still write to it.
        """
        if self._stopped:
            return
        self._stopped = True
        for close in self.closers:
            close()
        server = self._server
        trigger = server.trigger

        def close_everything() -> None:
            # Runs in the loop thread, so the socket map is not changed under the loop's feet.
            # Leaving the map empty ends the loop.
            for channel in list(server._map.values()):
                if channel is server:
                    wasyncore.dispatcher.close(server)
                elif channel is not trigger:
                    channel.close()
            trigger.del_channel()

        trigger.pull_trigger(close_everything)
        self._thread.join(timeout)
        server.task_dispatcher.shutdown(timeout=timeout)
        trigger.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> Server:
    """Serve the workspace over HTTP in a daemon thread (port 0 picks a free port), with its Socket Mode
    endpoint when it has an app token.

    With a realistic latency every call holds one of the `threads` while it waits: give at least as many
    threads as the calls that should overlap."""
    server = Server(create_app(ws), host=host, port=port, threads=threads)
    ws.server = server
    ws.state.base_url = server.url
    if ws.state.identity.app_token:
        ws.socket = SocketHub(ws.state, host=host)
        ws.state.open_socket_link = ws.socket.issue_link
        server.closers.append(ws.socket.stop)
    return server
