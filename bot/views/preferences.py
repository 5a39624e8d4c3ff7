"""The preferences modal, the summary a student and their supervisors read, and the staff's section."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    input_block,
    plain,
    section,
)
from models.preferences import LEVELS, MAX_RANKED, MAX_TEXT, SEMESTERS, Alternative, Lock, Preferences
from models.school_match import Match, School

CALLBACK_ID = "preferences_modal"
REOPEN_ACTION = "preferences_reopen"
OPTION_LIMIT = 100  # Slack: options of one static select, and option groups of one
OPTION_TEXT_LIMIT = 75

INSTITUTIONS = "institutions"
REGIONS = "regions"
LEVELS_FIELD = "levels"
GRADES = "grades"
TUTORING = "tutoring_semester"
PROFESSIONAL = "professional_semester"
ALTERNATIVES = "alternatives"
FORMER = "former_schools"
RELATIVES = "relative_schools"
CONFLICTS = "conflicts_note"
REMARKS = "remarks"
NO_PREFERENCE = "0"


def optional_input(block_id: str, label: str, element: dict[str, Any], *, hint: str | None = None) -> Block:
    """Every preference field may stay empty: what is missing is asked in the DM conversation."""
    return input_block(block_id, label, element, optional=True, hint=hint)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text[:OPTION_TEXT_LIMIT]), "value": value}


def school_label(school: School) -> str:
    return f"{school.name} ({school.city})"


def _school_choices(schools: Sequence[School]) -> dict[str, Any]:
    """Up to 100 schools as one list; more are grouped per municipality (100 groups of 100 at most)."""
    if len(schools) <= OPTION_LIMIT:
        return {"options": [_option(school_label(s), str(s.id)) for s in schools]}
    by_city = sorted(schools, key=lambda s: (s.city, s.name))
    groups = [
        {
            "label": plain(city[:OPTION_TEXT_LIMIT]),
            "options": [_option(s.name, str(s.id)) for s in group][:OPTION_LIMIT],
        }
        for city, group in ((c, list(g)) for c, g in groupby(by_city, key=lambda s: s.city))
    ]
    return {"option_groups": groups[:OPTION_LIMIT]}


def _school_select(
    t: Translator, block_id: str, label: str, schools: Sequence[School], chosen: Sequence[int], hint: str
) -> Block:
    by_id = {s.id: s for s in schools}
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": block_id,
        "placeholder": plain(t("preferences.modal.search")),
        **_school_choices(schools),
    }
    initial = [by_id[i] for i in chosen if i in by_id]
    if initial:
        label_of = school_label if "options" in element else (lambda s: s.name)
        element["initial_options"] = [_option(label_of(s), str(s.id)) for s in initial]
    return optional_input(block_id, label, element, hint=hint)


def rank_block(rank: int) -> str:
    """The block (and action) id of the select for the school ranked `rank` (1 = the favourite)."""
    return f"{INSTITUTIONS}_{rank}"


def _ranked_selects(t: Translator, schools: Sequence[School], chosen: Sequence[int]) -> list[Block]:
    """One select per rank: the rank is the field, not the order of clicks (a multi-select returns its
    options in list order, whatever order they were picked in)."""
    by_id = {s.id: s for s in schools}
    choices = _school_choices(schools)
    label_of = school_label if "options" in choices else (lambda s: s.name)
    blocks: list[Block] = []
    for rank in range(1, MAX_RANKED + 1):
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": rank_block(rank),
            "placeholder": plain(t("preferences.modal.search")),
            **choices,
        }
        if rank <= len(chosen) and chosen[rank - 1] in by_id:
            school = by_id[chosen[rank - 1]]
            element["initial_option"] = _option(label_of(school), str(school.id))
        hint = t("preferences.hint.institutions") if rank == 1 else None
        blocks.append(
            optional_input(rank_block(rank), t("preferences.field.rank", rank=rank), element, hint=hint)
        )
    return blocks


def _checkboxes(action_id: str, options: list[tuple[str, str]], chosen: Sequence[str]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": action_id,
        "options": [_option(t, v) for t, v in options],
    }
    initial = [_option(t, v) for t, v in options if v in chosen]
    if initial:
        element["initial_options"] = initial
    return element


def _semester_radio(t: Translator, action_id: str, chosen: int | None) -> dict[str, Any]:
    options = [(t("preferences.semester", semester=s), str(s)) for s in SEMESTERS]
    options.append((t("preferences.no_preference"), NO_PREFERENCE))
    value = str(chosen) if chosen else NO_PREFERENCE
    return {
        "type": "radio_buttons",
        "action_id": action_id,
        "options": [_option(text, v) for text, v in options],
        "initial_option": next(_option(text, v) for text, v in options if v == value),
    }


def _text(action_id: str, value: str, *, multiline: bool, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": MAX_TEXT,
        "placeholder": plain(placeholder),
    }
    if value:
        element["initial_value"] = value
    return element


def level_name(t: Translator, level: str) -> str:
    return t(f"preferences.level.{level}")


def alternative_name(t: Translator, alternative: str) -> str:
    return t(f"preferences.alternative.{alternative}")


def modal(t: Translator, schools: Sequence[School], current: Preferences, lock: Lock) -> dict[str, Any]:
    """The whole form, filled in with the preferences that count now (or the imported former schools)."""
    until = lock.editable_until
    intro = t("preferences.modal.intro")
    if until is not None:
        intro += " " + t("preferences.modal.until", date=t.date(until))
    blocks: list[Block] = [
        section(intro),
        section("*" + t("preferences.field.institutions", max=MAX_RANKED) + "*"),
        *_ranked_selects(t, schools, current.institution_ids),
        optional_input(
            REGIONS,
            t("preferences.field.regions"),
            _text(
                REGIONS,
                ", ".join(current.regions),
                multiline=False,
                placeholder=t("preferences.hint.regions"),
            ),
        ),
        optional_input(
            LEVELS_FIELD,
            t("preferences.field.levels"),
            _checkboxes(LEVELS_FIELD, [(level_name(t, lv), lv.value) for lv in LEVELS], current.levels),
        ),
        optional_input(
            GRADES,
            t("preferences.field.grades"),
            _checkboxes(
                GRADES,
                [(t("preferences.grade", grade=g), str(g)) for g in (1, 2, 3)],
                [str(g) for g in current.grades],
            ),
            hint=t("preferences.hint.grades"),
        ),
        optional_input(
            TUTORING, t("preferences.field.tutoring"), _semester_radio(t, TUTORING, current.tutoring_semester)
        ),
        optional_input(
            PROFESSIONAL,
            t("preferences.field.professional"),
            _semester_radio(t, PROFESSIONAL, current.professional_semester),
        ),
        optional_input(
            ALTERNATIVES,
            t("preferences.field.alternatives"),
            _checkboxes(
                ALTERNATIVES, [(alternative_name(t, a), a.value) for a in Alternative], current.alternatives
            ),
            hint=t("preferences.hint.alternatives"),
        ),
        divider(),
        section(t("preferences.modal.conflicts")),
        _school_select(
            t,
            FORMER,
            t("preferences.field.former"),
            schools,
            current.former_school_ids,
            t("preferences.hint.former"),
        ),
        _school_select(
            t,
            RELATIVES,
            t("preferences.field.relatives"),
            schools,
            current.relative_school_ids,
            t("preferences.hint.relatives"),
        ),
        optional_input(
            CONFLICTS,
            t("preferences.field.conflicts"),
            _text(
                CONFLICTS, current.conflicts_note, multiline=True, placeholder=t("preferences.hint.conflicts")
            ),
        ),
        optional_input(
            REMARKS,
            t("preferences.field.remarks"),
            _text(REMARKS, current.remarks, multiline=True, placeholder=t("preferences.hint.remarks")),
        ),
        context(t("preferences.modal.chat_note")),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(t("preferences.modal.title")),
        "submit": plain(t("preferences.modal.submit")),
        "close": plain(t("preferences.modal.close")),
        "private_metadata": json.dumps({"v": 1}),
        "blocks": blocks,
    }


def locked_view(t: Translator, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(t("preferences.modal.title")),
        "close": plain(t("preferences.modal.close")),
        "blocks": [section(text)],
    }


def locked_text(t: Translator, lock: Lock) -> str:
    if lock.deadline is None:
        return t("preferences.locked.no_deadline")
    return t("preferences.locked", date=t.date(lock.deadline))


def _names(ids: Sequence[int], schools: dict[int, School], *, ranked: bool = False) -> str:
    known = [schools[i] for i in ids if i in schools]
    if not known:
        return "—"
    if ranked:
        return "\n".join(f"{n}. {escape(school_label(s))}" for n, s in enumerate(known, start=1))
    return ", ".join(escape(school_label(s)) for s in known)


def _semester(t: Translator, semester: int | None) -> str:
    return t("preferences.semester", semester=semester) if semester else t("preferences.no_preference")


def summary_lines(t: Translator, prefs: Preferences, schools: dict[int, School]) -> list[str]:
    """What the student asked for, one mrkdwn line per question (user text escaped)."""
    dash = "—"
    return [
        t(
            "preferences.summary.institutions",
            value="\n" + _names(prefs.institution_ids, schools, ranked=True),
        )
        if prefs.institution_ids
        else t("preferences.summary.institutions", value=dash),
        t("preferences.summary.regions", value=escape(", ".join(prefs.regions)) or dash),
        t("preferences.summary.levels", value=", ".join(level_name(t, lv) for lv in prefs.levels) or dash),
        t("preferences.summary.grades", value=", ".join(str(g) for g in prefs.grades) or dash),
        t("preferences.summary.tutoring", value=_semester(t, prefs.tutoring_semester)),
        t("preferences.summary.professional", value=_semester(t, prefs.professional_semester)),
        t(
            "preferences.summary.alternatives",
            value=", ".join(alternative_name(t, a) for a in prefs.alternatives) or dash,
        ),
        t("preferences.summary.former", value=_names(prefs.former_school_ids, schools)),
        t("preferences.summary.relatives", value=_names(prefs.relative_school_ids, schools)),
        t("preferences.summary.conflicts", value=escape(prefs.conflicts_note) or dash),
        t("preferences.summary.remarks", value=escape(prefs.remarks) or dash),
    ]


def saved_message(
    t: Translator, prefs: Preferences, schools: dict[int, School], until: date | None
) -> list[Block]:
    blocks: list[Block] = [
        section(t("preferences.saved")),
        section("\n".join(summary_lines(t, prefs, schools))),
    ]
    if until is not None:
        blocks.append(context(t("preferences.saved.until", date=t.date(until))))
    return blocks


def staff_section(
    t: Translator,
    prefs: Preferences | None,
    submitted_at: datetime | None,
    versions: int,
    schools: dict[int, School],
    student_id: int,
) -> list[Block]:
    """The preferences part of a student's detail view, with the button to reopen them."""
    blocks: list[Block] = [header(t("preferences.detail.header"))]
    if prefs is None or submitted_at is None:
        blocks.append(section(t("preferences.detail.none")))
    else:
        blocks.append(section("\n".join(summary_lines(t, prefs, schools))))
        blocks.append(
            context(
                t.ngettext(
                    "preferences.detail.when",
                    versions,
                    when=t.datetime(submitted_at, "short"),
                    versions=versions,
                )
            )
        )
    blocks.append(actions(button(t("preferences.reopen"), REOPEN_ACTION, str(student_id))))
    return blocks


def match_lines(t: Translator, matches: Sequence[Match]) -> list[str]:
    """What the bot understood of a typed list: a school, suggestions, or nothing found."""
    lines = []
    for n, m in enumerate(matches, start=1):
        typed = escape(m.typed)
        if m.school is not None:
            lines.append(
                t("preferences.chat.understood", n=n, typed=typed, school=escape(school_label(m.school)))
            )
        elif m.suggestions:
            names = ", ".join(escape(school_label(s)) for s in m.suggestions)
            lines.append(t("preferences.chat.suggest", typed=typed, names=names))
        else:
            lines.append(t("preferences.chat.unknown", typed=typed))
    return lines
