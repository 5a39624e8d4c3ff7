"""What every page of the school side shares: the headers, the style, the layout with the language switch,
a message page, the list of what keeps a form from being sent, and the form's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.flows.school_links import PATH
from bot.i18n import LANGUAGES, Translator
from models.school_links import SchoolLink

HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:1.5em auto;padding:0 1em;line-height:1.5}"
    "fieldset{border:1px solid #888;padding:.5em 1em}label{display:block;margin:.4em 0}"
    "textarea{width:100%;box-sizing:border-box;font:inherit}"
    "button{font:inherit;padding:.6em 1.2em;margin-top:1em}"
    ".errors{border-left:4px solid #b00020;padding-left:1em}"
    ":focus{outline:3px solid #1d4f91;outline-offset:2px}nav{text-align:right}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.2em .4em;text-align:left}"
    ".note{border-left:4px solid #1d4f91;padding-left:1em}"
)


@dataclass(frozen=True)
class Page:
    status: int
    body: str


def csrf_token(secret: str, token: str, link: SchoolLink) -> str:
    """What the form must send back: only who holds the link (and the page) can know it."""
    key = hashlib.sha256(f"{secret}\0{token}".encode()).digest()
    return hmac.new(key, f"csrf:{link.record}".encode(), hashlib.sha256).hexdigest()


def layout(t: Translator, token: str | None, title: str, body: str) -> str:
    switch = ""
    if token is not None:
        other = [lang for lang in LANGUAGES if lang != t.language]
        names = {"nl": "Nederlands", "en": "English"}
        items = "".join(
            f'<a href="{PATH}{quote(token)}?lang={lang}" hreflang="{lang}" lang="{lang}">{names[lang]}</a>'
            for lang in other
        )
        switch = f'<nav aria-label="{html.escape(t("school.page.language"))}">{items}</nav>'
    return (
        f'<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{switch}<main>{body}</main></body></html>"
    )


def message(t: Translator, token: str | None, status: int, key: str, **params: Any) -> Page:
    heading = t(f"{key}.heading")
    body = f"<h1>{html.escape(heading)}</h1><p>{html.escape(t(key, **params))}</p>"
    return Page(status, layout(t, token, heading, body))


def problems(t: Translator, errors: list[str]) -> str:
    """What keeps the form from being sent, announced to a screen reader."""
    if not errors:
        return ""
    items = "".join(f"<li>{html.escape(t(key))}</li>" for key in errors)
    return (
        f'<div class="errors" role="alert" id="errors"><p>{html.escape(t("school.request.errors"))}</p>'
        f"<ul>{items}</ul></div>"
    )
