"""Block Kit for step 2: the upload modal, the questions in the DM, the review message and the lists.

Pure functions: domain objects in, blocks out. File names and reasons are typed by people: escaped.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, header, mention, plain, section
from bot.views.decision import Wire
from models import documents, free_text
from models.document_checks import FileKind, Refusal
from models.document_dates import IssueDateProblem
from models.documents import (
    Document,
    DocumentDecision,
    DocumentLine,
    DocumentType,
    LineState,
)

UPLOAD_CALLBACK = "documents_upload"
PICK_ACTION = "documents_pick"  # + ":<type code>"; the value: {"file": Slack file id, "name": ...}
DATE_ACTION = "documents_issue_date"
DATE_BLOCK = "documents_date_"  # + document id
# the review's ids: documents_approve, documents_reject, documents_reject_reason
REVIEW_WIRE = Wire("documents", "reject", documents.MAX_REASON_LENGTH, "decision.not_allowed")
UPLOAD_AGAIN_ACTION = "documents_upload_again"
OPEN_ACTION = "documents_open"
TYPE_BLOCK, TYPE_INPUT = "doc_type", "type"
FILE_BLOCK, FILE_INPUT = "doc_file", "file"
ISSUE_BLOCK, ISSUE_INPUT = "doc_issue_date", "date"
REASON_BLOCK, REASON_INPUT = "reason", "reason"

FILETYPES = {FileKind.PDF: ["pdf"], FileKind.JPEG: ["jpg", "jpeg"], FileKind.PNG: ["png"]}
LINE_ICONS = {
    LineState.MISSING: "⬜",
    LineState.AWAITING_DATE: "📅",
    LineState.AWAITING_REVIEW: "⏳",
    LineState.APPROVED: "✅",
    LineState.REJECTED: "↩️",
    LineState.EXPIRED: "⚠️",
    LineState.RENEW: "⚠️",
}
NEEDS_UPLOAD = (LineState.MISSING, LineState.REJECTED, LineState.EXPIRED, LineState.RENEW)


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} kB"


def formats_text(doctype: DocumentType) -> str:
    return ", ".join(kind.value.upper() for kind in FileKind if kind in doctype.formats)


def upload_modal(t: Translator, types: list[DocumentType], initial: str | None) -> dict[str, Any]:
    options = [{"text": plain(d.label(t.language)), "value": d.code} for d in types]
    select: dict[str, Any] = {"type": "static_select", "action_id": TYPE_INPUT, "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        select["initial_option"] = chosen
    filetypes = sorted({ext for d in types for kind in d.formats for ext in FILETYPES[kind]})
    max_mb = max(d.max_bytes for d in types) / (1024 * 1024)
    dated = [d.label(t.language) for d in types if d.needs_issue_date]
    undated = [d.label(t.language) for d in types if not d.needs_issue_date]
    return {
        "type": "modal",
        "callback_id": UPLOAD_CALLBACK,
        "title": plain(t("documents.modal.title")),
        "submit": plain(t("documents.modal.submit")),
        "close": plain(t("documents.modal.close")),
        "blocks": [
            section(t("documents.modal.intro", max=f"{max_mb:g}")),
            {
                "type": "input",
                "block_id": TYPE_BLOCK,
                "label": plain(t("documents.modal.type")),
                "element": select,
            },
            {
                "type": "input",
                "block_id": FILE_BLOCK,
                "label": plain(t("documents.modal.file")),
                "element": {
                    "type": "file_input",
                    "action_id": FILE_INPUT,
                    "filetypes": filetypes,
                    "max_files": 1,
                },
            },
            {
                "type": "input",
                "block_id": ISSUE_BLOCK,
                "optional": True,
                # optional for Slack (one form for every type), so the label says for which it is required
                "label": plain(t("documents.modal.issue_date", types=", ".join(dated))),
                "hint": plain(t("documents.modal.issue_date_hint", types=", ".join(undated) or "—")),
                "element": {"type": "datepicker", "action_id": ISSUE_INPUT},
            },
        ],
    }


def which_type(t: Translator, filename: str, file_id: str, types: list[DocumentType]) -> list[Block]:
    filename = free_text.filename(filename, limit=200)
    value = json.dumps({"file": file_id, "name": filename})
    buttons = [button(d.label(t.language), f"{PICK_ACTION}:{d.code}", value) for d in types]
    return [
        section(t("documents.ask_type", file=escape(filename))),
        actions(*buttons, block_id="documents_pick"),
        context(t("documents.ask_type_hint")),
    ]


def checking(t: Translator, filename: str, doctype: DocumentType) -> list[Block]:
    return [context(t("documents.checking", file=escape(filename), type=doctype.label(t.language)))]


def refused_text(t: Translator, refusal: Refusal, doctype: DocumentType, filename: str) -> str:
    reason = t(
        f"documents.refused.{refusal.value}",
        formats=formats_text(doctype),
        max=size_text(doctype.max_bytes),
    )
    return t("documents.refused", file=escape(filename), type=doctype.label(t.language), reason=reason)


def issue_date_problem_text(t: Translator, problem: IssueDateProblem, max_age_months: int) -> str:
    return t(f"documents.issue_date.{problem.value}", months=max_age_months)


def ask_issue_date(t: Translator, document: Document, doctype: DocumentType, note: str = "") -> list[Block]:
    blocks = [
        section(
            t("documents.ask_date", type=doctype.label(t.language), file=escape(document.filename))
            + (f"\n{note}" if note else "")
        ),
        actions(
            {
                "type": "datepicker",
                "action_id": DATE_ACTION,
                "placeholder": plain(t("documents.ask_date_placeholder")),
            },
            block_id=f"{DATE_BLOCK}{document.id}",
        ),
    ]
    return blocks


def received(t: Translator, doctype: DocumentType, document: Document, reviewers: list[str]) -> list[Block]:
    who = ", ".join(mention(r) for r in reviewers) if reviewers else t("documents.nobody_to_review")
    return [
        section(
            t(
                "documents.received",
                type=doctype.label(t.language),
                version=document.version,
                file=escape(document.filename),
                reviewers=who,
            )
        )
    ]


def duplicate(t: Translator, doctype: DocumentType, document: Document) -> list[Block]:
    return [
        section(
            t(
                "documents.duplicate",
                type=doctype.label(t.language),
                version=document.version,
                state=t(f"documents.state.{document.status}"),
            )
        )
    ]


def _issue_lines(t: Translator, line: DocumentLine) -> list[str]:
    document = line.document
    if document is None or document.issue_date is None:
        return []
    lines = [
        t("documents.issued_on", date=t.date(document.issue_date), expires=t.date(line.expires or date.max))
    ]
    if line.expires_too_soon:
        lines.append(t("documents.expires_too_soon"))
    return lines


def review_message(
    t: Translator, student_slack_id: str, student_name: str, line: DocumentLine
) -> list[Block]:
    """The reviewer's DM above its buttons (bot.flows.review adds them, or what became of them)."""
    document = line.document
    assert document is not None
    facts = [
        t(
            "documents.review.intro",
            student=mention(student_slack_id),
            name=escape(student_name),
            type=line.type.label(t.language),
            version=document.version,
        ),
        t(
            "documents.review.file",
            file=escape(document.filename),
            kind=document.kind.upper(),
            size=size_text(document.size),
            when=t.datetime(document.uploaded_at, "short"),
        ),
        *_issue_lines(t, line),
    ]
    return [
        header(t("documents.review.header")),
        section("\n".join(facts), accessory=open_button(t, document)),
    ]


def open_button(t: Translator, document: Document) -> Block | None:
    """Opens the file for whoever clicks, if they may: a short-lived link only they receive."""
    if document.purged_at is not None or document.id is None:
        return None
    return button(t("documents.open"), OPEN_ACTION, str(document.id))


def open_link(t: Translator, url: str, filename: str) -> str:
    return t("documents.open.link", url=url, file=escape(filename))


def student_decision(
    t: Translator, doctype: DocumentType, document: Document, decision: DocumentDecision, by_slack_id: str
) -> list[Block]:
    if decision.approved:
        return [
            section(
                t(
                    "documents.student.approved",
                    type=doctype.label(t.language),
                    version=document.version,
                    who=mention(by_slack_id),
                )
            )
        ]
    return [
        section(
            t(
                "documents.student.rejected",
                type=doctype.label(t.language),
                version=document.version,
                who=mention(by_slack_id),
                reason=escape(decision.reason or ""),
            )
        ),
        actions(button(t("documents.upload_again"), UPLOAD_AGAIN_ACTION, doctype.code, style="primary")),
    ]


def line_text(t: Translator, line: DocumentLine) -> str:
    """One document's state, with the reason it came back or the extract's validity."""
    text = t(
        "documents.line",
        icon=LINE_ICONS[line.state],
        type=line.type.label(t.language),
        state=t(f"documents.state.{line.state.value}"),
    )
    if line.state is LineState.REJECTED and line.decision and line.decision.reason:
        text += " " + t("documents.line_reason", reason=escape(line.decision.reason))
    if line.document is not None and line.document.issue_date and line.state is not LineState.REJECTED:
        text += " " + t("documents.line_expires", date=t.date(line.expires or date.max))
        if line.expires_too_soon:
            text += " " + t("documents.line_too_soon")
    return text


def status_lines(t: Translator, lines: list[DocumentLine]) -> list[str]:
    """Under step 2 of the checklist: one line per document."""
    result = [line_text(t, line) for line in lines]
    if any(line.state in NEEDS_UPLOAD for line in lines):
        result.append(t("documents.line_how"))
    return result


def staff_detail(t: Translator, lines: list[DocumentLine]) -> list[Block]:
    """The documents section of a student's record for staff: the lines the viewer may see, each with Open."""
    if not lines:
        return []
    blocks: list[Block] = [header(t("documents.detail.header"))]
    for line in lines:
        accessory = open_button(t, line.document) if line.document is not None else None
        blocks.append(section(line_text(t, line), accessory=accessory))
    return blocks


def renewal_for_student(
    t: Translator, doctype: DocumentType, document: Document, expires: date, last: date | None, today: date
) -> list[Block]:
    """The approved extract runs out (or ran out) before the internships end: ask a newer one."""
    assert document.issue_date is not None
    key = "documents.renewal.student_expired" if expires < today else "documents.renewal.student_soon"
    text = t(
        key,
        type=doctype.label(t.language),
        issued=t.date(document.issue_date),
        expires=t.date(expires),
        last=t.date(last) if last else "—",
    )
    return [
        section(text),
        actions(button(t("documents.upload_again"), UPLOAD_AGAIN_ACTION, doctype.code, style="primary")),
    ]


def renewal_for_supervisor(
    t: Translator,
    student_slack_id: str,
    student_name: str,
    doctype: DocumentType,
    expires: date,
    last: date | None,
    today: date,
) -> list[Block]:
    key = "documents.renewal.supervisor_expired" if expires < today else "documents.renewal.supervisor_soon"
    text = t(
        key,
        student=mention(student_slack_id),
        name=escape(student_name),
        type=doctype.label(t.language),
        expires=t.date(expires),
        last=t.date(last) if last else "—",
    )
    return [section(text)]


def documents_overview(
    t: Translator,
    student_name: str,
    lines: list[DocumentLine],
    history: list[tuple[Document, DocumentDecision | None, str | None]],
    type_labels: dict[str, str],
) -> list[Block]:
    """A student's documents and every version with its decision (for the student and their staff)."""
    blocks: list[Block] = [header(t("documents.overview.header", name=student_name))]
    blocks.append(section("\n".join(status_lines(t, lines)) or t("documents.overview.none")))
    for line in lines:
        if line.document is not None and line.document.purged_at is None:
            label = t(
                "documents.open.line", type=line.type.label(t.language), file=escape(line.document.filename)
            )
            blocks.append(section(label, accessory=open_button(t, line.document)))
    rows = []
    for document, decision, decider in history[-40:]:
        row = t(
            "documents.overview.version",
            type=type_labels.get(document.type_code, document.type_code),
            version=document.version,
            file=escape(document.filename),
            when=t.date(document.uploaded_at.astimezone(t.tz).date(), "medium"),
            state=t(f"documents.state.{document.status}"),
        )
        if decision is not None and decider:
            row += " · " + mention(decider)
        if document.purged_at is not None:
            row += " · " + t("documents.overview.purged")
        rows.append(row)
    if rows:
        blocks.append(section("\n".join(rows)))
    return blocks
