"""`/stage capacity` (capaciteit): the coordinator declares one school's places, as one CSV row would.

`/stage capaciteit CODE SEMESTER ACTIVITY PLACES LEVELS [GRADES] [SUBJECT]`, e.g.
`/stage capaciteit ATH 2 guided 3 aso 2;3 Wiskunde`; without arguments: the usage and what is declared.
"""

from __future__ import annotations

import re

from bot.i18n import Translator
from bot.views.blocks import section
from bot.views.matching import capacity_overview
from handlers.commands.registry import Invocation, Reply, reply
from models import capacity
from models.capacity_csv import declaration
from models.schools import all_institutions, by_code

GRADES = re.compile(r"^[1-3]([;|,][1-3])*$")
NO_LINE = "—"
LINE_PREFIX = re.compile(rf"^\S+ {NO_LINE}: ")


def _problem(t: Translator, key: str, params: dict[str, str]) -> str:
    """The import's message for one problem, without its "Line N:" (a command has no lines)."""
    return LINE_PREFIX.sub("", t(key, line=NO_LINE, **params))


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session = scope.t, scope.session
    words = invocation.args.split()
    if not words:
        codes = {s.id: s.code for s in all_institutions(session)}
        blocks = capacity_overview(t, capacity.all_capacity(session), codes)
        return reply(blocks, t("capacity.command.usage"))
    if len(words) < 5:
        text = t("capacity.command.usage")
        return reply([section(text)], text)
    code, semester, activity, places, levels, *rest = words
    grades = rest.pop(0) if rest and GRADES.match(rest[0]) else ""
    values = {"semester": semester, "activity": activity, "places": places, "levels": levels,
              "grades": grades, "subject": " ".join(rest)}  # fmt: skip
    school = by_code(session, {code}).get(code)
    if school is None or school.id is None:
        text = _problem(t, "capacity.import.unknown_school", {"value": code})
        return reply([section(text)], text)
    declared, problems = declaration(school.id, lambda column: values.get(column, ""))
    if problems:
        text = "\n".join(_problem(t, key, params) for key, params in problems)
        return reply([section(text)], text)
    changed = capacity.declare(session, declared, actor_id=scope.actor.person_id, now=scope.now)
    text = t.ngettext(
        "capacity.command.saved" if changed else "capacity.command.unchanged",
        declared.places,
        school=school.name,
        places=declared.places,
        semester=declared.semester,
        activity=declared.activity,
        subject=declared.subject or "—",
    )
    return reply([section(text)], text)
