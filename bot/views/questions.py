"""The answer to a question in plain words: how it was understood, the students (a page at a time, with a
"more" button) and Export buttons; a question not understood gets examples that work."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, line_sections, mention, section
from models.questions import Found, Query, Refusal, Topic, Vocabulary

MORE_ACTION = "questions_more"
EXPORT_ACTION = "questions_export"
PAGE_SIZE = 50  # lines a page: a few sections, far below Slack's 50 blocks a message


def button_value(question: str, **extra: Any) -> str:
    return json.dumps({"q": question, **extra}, ensure_ascii=False)


def read_value(value: str | None) -> dict[str, Any]:
    """A button's value as it came back (under the clicker's control: anything may be in it)."""
    try:
        found = json.loads(value or "")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def reading(t: Translator, query: Query, vocabulary: Vocabulary, *, own_students: bool) -> str:
    """How the question was understood, in words ("studenten zonder goedgekeurd uittreksel …")."""
    yes_no = "no" if query.negated else "yes"
    if query.schools:
        text = t(f"questions.reading.schools_agreement.{yes_no}")
    elif query.topic is Topic.DOCUMENT:
        text = t(f"questions.reading.document.{query.document}.{yes_no}")
    elif query.topic is Topic.STEP and query.step is not None:
        step = int(query.step)
        text = t(f"questions.reading.step.{yes_no}", number=step, step=t(f"step.{step}.name"))
    elif query.topic in (Topic.PLANNING_LATE, Topic.LATE, Topic.LIO_PENDING):
        text = t(f"questions.reading.{query.topic.value}")
    else:
        text = t(f"questions.reading.{query.topic.value}.{yes_no}")
    if query.subject:
        text += t("questions.reading.subject", subject=escape(query.subject))
    if query.semester:
        text += t("questions.reading.semester", semester=query.semester)
    if query.school is not None:
        names = {i: name for i, _, name in vocabulary.schools}
        text += t("questions.reading.school", school=escape(names.get(query.school, "?")))
    if own_students:
        text += t("questions.reading.own_students")
    return t("questions.understood", reading=text)


def detail_text(t: Translator, found: Found) -> str:
    if found.detail is None:
        return ""
    params = {k: t.date(v, "medium") if isinstance(v, date) else v for k, v in found.params.items()}
    return t(found.detail, **params)


def answer_blocks(
    t: Translator, question: str, understood: str, found: list[Found], offset: int, *, schools: bool
) -> list[Block]:
    count_key = "questions.count_schools" if schools else "questions.count"
    blocks: list[Block] = [section(f"*{understood}*"), context(t(count_key, count=len(found)))]
    if not found:
        blocks.append(section(t("questions.none")))
        return blocks
    page = found[offset : offset + PAGE_SIZE]
    lines = []
    for f in page:
        who = mention(f.slack_user_id) if f.slack_user_id else escape(f.name)
        detail = detail_text(t, f)
        lines.append(f"• {who}" + (f" · {detail}" if detail else ""))
    blocks += line_sections(lines)
    shown_to = offset + len(page)
    if len(found) > PAGE_SIZE:
        blocks.append(context(t("questions.page", first=offset + 1, last=shown_to, count=len(found))))
    elements = []
    if shown_to < len(found):
        elements.append(button(t("questions.more"), MORE_ACTION, button_value(question, o=shown_to)))
    elements.append(
        button(t("questions.export_xlsx"), f"{EXPORT_ACTION}_xlsx", button_value(question, f="xlsx"))
    )
    elements.append(
        button(t("questions.export_csv"), f"{EXPORT_ACTION}_csv", button_value(question, f="csv"))
    )
    blocks.append(actions(*elements))
    return blocks


def refusal_blocks(t: Translator, refusal: Refusal) -> list[Block]:
    return [
        section(t(f"questions.refused.{refusal.reason}")),
        section(t("questions.examples")),
    ]
