"""Translations (gettext catalogues read with Babel) and locale-aware dates.

Message ids are stable keys ("status.title"); every ``.po`` file under ``locale/<lang>/LC_MESSAGES`` is
merged, so a feature can ship its own catalogue file. Dutch is the programme's language and the default.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po

from models.people import Person

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}
DAY_STYLES = ("short", "medium", "long", "full")  # the locale's own; any other style is a pattern


@cache
def _catalogues(language: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    """One language's strings, its plural entries (key -> forms) and its plural rule (C syntax)."""
    merged: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    rule = "(n != 1)"
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALES[language])
        rule = catalog.plural_expr
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                merged[message.id] = str(message.string)
            elif (
                isinstance(message.id, tuple | list)
                and isinstance(message.string, tuple | list)
                and all(message.string)
            ):
                plurals[str(message.id[0])] = tuple(str(form) for form in message.string)
    return merged, plurals, rule


def messages(language: str) -> dict[str, str]:
    """All translated strings of one language; an untranslated entry is left out, never shown empty."""
    return _catalogues(language)[0]


def plural_messages(language: str) -> dict[str, tuple[str, ...]]:
    """The entries with a count (msgid_plural): key -> one text per plural form of the language."""
    return _catalogues(language)[1]


@cache
def plural_rule(language: str) -> Callable[[int], int]:
    """Which plural form a count takes, from the catalogue's Plural-Forms."""
    return gettext.c2py(_catalogues(language)[2])


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
        self.babel = Locale.parse(self.locale)  # parsed once: every date of a message reads its patterns

    def __call__(self, key: str, **params: Any) -> str:
        template = messages(self.language).get(key) or messages("en").get(key)
        if template is None:
            if "count" in params and (key in plural_messages(self.language) or key in plural_messages("en")):
                return self.ngettext(key, int(params.pop("count")), **params)  # a text with plural forms
            raise KeyError(f"message {key!r} is in no catalogue")
        return template.format(**params) if params else template

    def ngettext(self, key: str, count: int, **params: Any) -> str:
        """A text with a count in it, in the plural form the count takes ("1 les", "2 lessen"); the
        count is passed to the text as {count}."""
        language = self.language if key in plural_messages(self.language) else "en"
        forms = plural_messages(language).get(key)
        if forms is None:
            raise KeyError(f"plural message {key!r} is in no catalogue")
        form = forms[min(plural_rule(language)(count), len(forms) - 1)]
        return form.format(**({"count": count} | params))

    def date(self, value: date, style: str = "long") -> str:
        return format_date(value, format=style, locale=self.locale)

    def datetime(self, value: datetime, style: str = "medium") -> str:
        """The day in `style` and the time to the minute: nobody reads a deadline's seconds. A `style` that is
        a pattern ("HH:mm") is used as it is."""
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(self.tz)  # naive is UTC
        if style not in DAY_STYLES:
            return format_datetime(local, format=style, locale=self.locale)
        pattern = str(self.babel.datetime_formats[style])
        day = format_date(local, format=style, locale=self.locale)
        clock = format_time(local, format="short", locale=self.locale)
        return pattern.replace("{1}", day).replace("{0}", clock)


def translator(chosen: str | None, slack_locale: str | None, timezone: str) -> Translator:
    """The translator for a person, from their own choice and their Slack locale."""
    return Translator(language_for(chosen, slack_locale), timezone)


def person_translator(person: Person, timezone: str) -> Translator:
    """The translator of the person a message is for (not always the one who acts)."""
    return translator(person.language, person.slack_locale, timezone)
