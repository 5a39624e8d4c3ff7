"""Translations (gettext catalogues read with Babel) and locale-aware dates.

Message ids are stable keys ("status.title"); every ``.po`` file under ``locale/<lang>/LC_MESSAGES`` is
merged, so a feature can ship its own catalogue file. Dutch is the programme's language and the default.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}


@cache
def messages(language: str) -> dict[str, str]:
    """All translated strings of one language; an untranslated entry is left out, never shown empty."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES[language])
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                merged[message.id] = str(message.string)
    return merged


def language_for(chosen: str | None, slack_locale: str | None) -> str:
    """The user's own choice wins; then their Slack locale; then Dutch."""
    if chosen in LANGUAGES:
        return chosen
    if slack_locale:
        prefix = slack_locale.split("-")[0].split("_")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return DEFAULT_LANGUAGE


class Translator:
    """Renders message keys and dates for one language and time zone."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, timezone: str = "Europe/Brussels") -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = BABEL_LOCALES[self.language]
        self.tz = ZoneInfo(timezone)

    def __call__(self, key: str, **params: Any) -> str:
        template = messages(self.language).get(key) or messages("en").get(key)
        if template is None:
            raise KeyError(f"message {key!r} is in no catalogue")
        return template.format(**params) if params else template

    def date(self, value: date, style: str = "long") -> str:
        return format_date(value, format=style, locale=self.locale)

    def datetime(self, value: datetime, style: str = "medium") -> str:
        return format_datetime(value, format=style, tzinfo=self.tz, locale=self.locale)


def translator(chosen: str | None, slack_locale: str | None, timezone: str) -> Translator:
    """The translator for a person, from their own choice and their Slack locale."""
    return Translator(language_for(chosen, slack_locale), timezone)
