"""The catalogues: Dutch and English complete and alike, every key the code uses present."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import Translator, language_for, messages, plural_messages

ROOT = Path(__file__).parent.parent
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")
PLURAL_KEY = re.compile(r"""\bngettext\(\s*["']([a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_dutch_and_english_have_the_same_keys_and_placeholders() -> None:
    nl, en = messages("nl"), messages("en")
    assert nl.keys() == en.keys()
    for key in nl:
        assert _placeholders(nl[key]) == _placeholders(en[key]), key


def test_every_literal_key_in_the_code_is_translated() -> None:
    sources = [p for folder in ("bot", "handlers", "scheduler") for p in (ROOT / folder).rglob("*.py")]
    used = {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    plural = {key for path in sources for key in PLURAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 20 and len(plural) > 10
    missing = sorted((used | plural) - messages("nl").keys() - plural_messages("nl").keys())
    assert missing == []
    assert sorted(plural - plural_messages("nl").keys()) == []  # ngettext is for entries with plural forms


def test_counted_texts_have_every_plural_form_in_both_languages() -> None:
    nl, en = plural_messages("nl"), plural_messages("en")
    assert nl.keys() == en.keys() and len(nl) > 10
    for key in nl:
        assert len(nl[key]) == len(en[key]) == 2, key  # nplurals=2 in Dutch and English
        shapes = {frozenset(_placeholders(form)) for form in (*nl[key], *en[key])}
        assert len(shapes) == 1, key
    assert not nl.keys() & messages("nl").keys()


def test_a_count_takes_its_plural_form() -> None:
    nl, en = Translator("nl"), Translator("en")
    assert nl("planning.preview.saved", count=1).startswith("1 les bewaard")
    assert nl("planning.preview.saved", count=3).startswith("3 lessen bewaard")
    assert en.ngettext("reminders.channel.deadline", 1, name="x", due="y", days=1).endswith("(in 1 day).")
    assert "(1 voorkeursschool)" in nl("preferences.status.given", when="1 okt", count=1)


@pytest.mark.parametrize(
    ("chosen", "locale", "expected"),
    [
        ("en", "nl-BE", "en"),
        ("nl", "en-US", "nl"),
        (None, "en-US", "en"),
        (None, "nl-NL", "nl"),
        (None, "fr-FR", "nl"),
        (None, None, "nl"),
        ("de", None, "nl"),
    ],
)
def test_the_language_comes_from_the_choice_then_slack_then_dutch(
    chosen: str | None, locale: str | None, expected: str
) -> None:
    assert language_for(chosen, locale) == expected


def test_dates_follow_the_users_locale() -> None:
    assert Translator("nl").date(date(2027, 2, 15)) == "15 februari 2027"
    assert Translator("en").date(date(2027, 2, 15)) == "15 February 2027"


def test_a_moment_is_shown_in_the_readers_time_zone_to_the_minute() -> None:
    moment = datetime(2026, 12, 9, 16, 0, 59, tzinfo=UTC)  # 17:00 in Brussels
    assert Translator("nl").datetime(moment) == "9 dec 2026, 17:00"
    assert Translator("en").datetime(moment) == "9 Dec 2026, 17:00"
    assert Translator("nl").datetime(moment.replace(tzinfo=None)) == "9 dec 2026, 17:00"  # naive is UTC
    assert Translator("en").datetime(moment, "HH:mm") == "17:00"  # a pattern as it is


def test_an_unknown_key_is_a_loud_error_not_a_silent_key() -> None:
    with pytest.raises(KeyError):
        Translator("nl")("no.such.key")


AUDIT_ACTION = re.compile(r"""audit\.log\(\s*[\w.]+,\s*[\w.()]+,\s*([^,]+),""")
ACTION_LITERAL = re.compile(r"""(f?)["']([\w.{}]+)["']""")


def test_every_audit_event_the_code_logs_is_in_words_in_both_languages() -> None:
    from models.agreements import FrameworkEvent

    sources = [p for folder in ("bot", "handlers", "models") for p in (ROOT / folder).rglob("*.py")]
    logged: set[str] = set()
    for path in sources:
        for expression in AUDIT_ACTION.findall(path.read_text(encoding="utf-8")):
            for is_f, action in ACTION_LITERAL.findall(expression):  # a literal, or one per branch
                if is_f:
                    logged |= {action.replace("{event.value}", e.value) for e in FrameworkEvent}
                else:
                    logged.add(action)
    assert len(logged) > 40
    for language in ("nl", "en"):
        missing = sorted(a for a in logged if "audit.action." + a.replace(".", "_") not in messages(language))
        assert missing == [], language
