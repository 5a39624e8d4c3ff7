"""The mailbox's pages: every mail the bot sent, newest first, and each mail as its recipient reads it.

`/mailbox` lists them; `/mailbox/<id>` is the mail's HTML itself (its links go where the recipient's
would), `/mailbox/<id>.txt` its plain-text part. The mails are the bot's own: the page shows them as they
came, in a workspace that runs on this computer only.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from flask import Blueprint, Response

if TYPE_CHECKING:
    from workspace.workspace import Workspace

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52em;margin:1.5em auto;padding:0 1em}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.4em;border-bottom:1px solid #ddd}"
    ".banner{background:#fff3cd;padding:.5em 1em;margin-bottom:1em}"
)


def blueprint(ws: Workspace) -> Blueprint:
    bp = Blueprint("mailbox", __name__)

    @bp.get("/mailbox")
    def mailbox() -> Response:
        e = html.escape
        box = ws.mailbox
        if box is None:
            rows = "<p>This workspace catches no mail: the bot sends through a real SMTP server.</p>"
        elif not box.mails():
            rows = (
                '<p data-testid="mailbox-empty">No mail yet. The bot mails a school\'s contact person '
                "when a student is placed there.</p>"
            )
        else:
            lines = "".join(
                f'<tr data-testid="mail-row"><td>{m.received_at:%Y-%m-%d %H:%M}</td>'
                f"<td>{e(', '.join(m.recipients))}</td>"
                f'<td><a href="/mailbox/{m.id}" data-testid="mail-subject">{e(m.subject)}</a>'
                f' <small>(<a href="/mailbox/{m.id}.txt">text</a>)</small></td></tr>'
                for m in reversed(box.mails())
            )
            rows = (
                f"<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead>"
                f"<tbody>{lines}</tbody></table>"
            )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Mailbox</title><style>{STYLE}</style></head><body>"
            '<p class="banner">Local workspace: every mail the bot sent, as the school\'s people get it. '
            'Nothing leaves this computer. <a href="/">Back to the workspace</a></p>'
            f"<h1>Mailbox</h1>{rows}</body></html>"
        )
        return Response(page, mimetype="text/html")

    @bp.get("/mailbox/<int:mail_id>")
    def mail_html(mail_id: int) -> Response:
        found = ws.mailbox.get(mail_id) if ws.mailbox else None
        if found is None:
            return Response("no such mail", status=404, mimetype="text/plain")
        return Response(found.html or f"<pre>{html.escape(found.text)}</pre>", mimetype="text/html")

    @bp.get("/mailbox/<int:mail_id>.txt")
    def mail_text(mail_id: int) -> Response:
        found = ws.mailbox.get(mail_id) if ws.mailbox else None
        if found is None:
            return Response("no such mail", status=404, mimetype="text/plain")
        head = f"From: {found.message['From']}\nTo: {found.message['To']}\nSubject: {found.subject}\n\n"
        return Response(head + found.text, mimetype="text/plain; charset=utf-8")

    return bp
