"""The mentor's evaluation in Slack: the supervisor's review DM (above its buttons) and the student's copy
once it is released. Pure functions: an evaluation and its form in, blocks out."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from bot.views.blocks import Block, button, context, escape, header, section
from bot.views.decision import Wire
from bot.views.placements import activity_name
from models.evaluations import MAX_QUESTION, MAX_TEXT, Evaluation, Form, forms
from models.people import Person

# The supervisor's review: "evaluation_approve" (acknowledge, which releases it to the student) and
# "evaluation_question" (ask the mentor), the modal "evaluation_question_reason" with the question.
REVIEW_WIRE = Wire(
    "evaluation", "question", MAX_QUESTION, "evaluation.review.not_allowed",
    approve_label="evaluation.review.acknowledge", send_back_label="evaluation.review.ask",
    approved_by="evaluation.review.acknowledged_by", sent_back_by="evaluation.review.asked_by",
)  # fmt: skip
RESEND_ACTION = "evaluation_resend"
MAX_BLOCKS = 45  # a message holds 50; the intro and the buttons need room


def answer_text(t: Translator, form: Form, criterion_kind: str, value: str) -> str:
    """A scale answer by its name in the reader's language; a comment as written (or a dash)."""
    if not value:
        return "—"
    if criterion_kind == "scale":
        choice = next((c for c in form.scale if c.value == value), None)
        return choice.name[t.language] if choice else value
    return value[:MAX_TEXT]


def answer_blocks(t: Translator, evaluation: Evaluation) -> list[Block]:
    """Every criterion with its answer, section by section (a long comment gets its own block)."""
    form = forms()[evaluation.activity]
    blocks: list[Block] = []
    for part in form.sections:
        lines = [f"*{escape(part.name[t.language])}*"]
        for criterion in part.criteria:
            value = evaluation.answers.get(form.field(part, criterion), "")
            shown = escape(answer_text(t, form, criterion.kind, value))
            if criterion.kind == "text":
                if lines:
                    blocks.append(section("\n".join(lines)))
                lines = []
                blocks.append(section(f"_{escape(criterion.name[t.language])}_\n{shown}"))
            else:
                lines.append(f"• {escape(criterion.name[t.language])}: *{shown}*")
        if lines:
            blocks.append(section("\n".join(lines)))
    return blocks[:MAX_BLOCKS]


def review_message(t: Translator, evaluation: Evaluation, student: Person, school: str) -> list[Block]:
    """The supervisor's DM above its buttons (bot.flows.review adds them, or what became of them)."""
    form = forms()[evaluation.activity]
    intro = t(
        "evaluation.review.intro",
        mentor=escape(evaluation.mentor_name or evaluation.mentor_email),
        student=f"<@{student.slack_user_id}>",
        activity=escape(activity_name(t, evaluation.activity)),
        school=escape(school),
    )
    blocks: list[Block] = [header(form.title[t.language]), section(intro), *answer_blocks(t, evaluation)]
    if evaluation.submitted_at is not None:
        blocks.append(context(t("evaluation.review.submitted_at", when=t.datetime(evaluation.submitted_at))))
    return blocks


def released(t: Translator, evaluation: Evaluation) -> tuple[str, list[Block]]:
    """The student's copy, once the supervisor released it."""
    form = forms()[evaluation.activity]
    text = t("evaluation.released", mentor=evaluation.mentor_name or evaluation.mentor_email)
    return text, [header(form.title[t.language]), section(escape(text)), *answer_blocks(t, evaluation)]


def overview(t: Translator, rows: list[tuple[Evaluation, Person, str, date]], today: date) -> list[Block]:
    """The evaluations still open for the supervisor's students: who has not filled in, what waits for
    them, and a "send the link again" button where a mentor is waiting for a form."""
    if not rows:
        return [section(t("evaluation.overview.none"))]
    blocks: list[Block] = [section(t("evaluation.overview.intro"))]
    for evaluation, student, school, due in rows[:MAX_BLOCKS]:
        mentor = escape(evaluation.mentor_name or evaluation.mentor_email) or "—"
        line = t(
            "evaluation.overview.line", student=f"<@{student.slack_user_id}>",
            activity=escape(activity_name(t, evaluation.activity)), school=escape(school), mentor=mentor,
            due=t.date(due, "medium"),
        )  # fmt: skip
        invited = evaluation.invited_at is not None or evaluation.status != "pending"
        state = t(f"evaluation.overview.{evaluation.status}" if invited else "evaluation.overview.not_sent")
        if evaluation.status in ("pending", "question") and due < today:
            state += " " + t("evaluation.overview.late")
        accessory = None
        if evaluation.status in ("pending", "question"):
            accessory = button(t("evaluation.overview.resend"), RESEND_ACTION, str(evaluation.id))
        blocks.append(section(f"{line}\n{state}", accessory=accessory))
    return blocks
