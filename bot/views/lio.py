"""Block Kit for the LIO track: the application and reduction modals, the outcome with its reasons, the
counsellor's review message, the decision as the student and supervisors read it, and the overview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    datepicker,
    divider,
    escape,
    header,
    input_block,
    mention,
    plain,
    section,
)
from bot.views.decision import Wire
from bot.views.documents import open_button
from models import lio
from models.catalogue import Catalogue
from models.documents import Document
from models.lio import (
    Level,
    LioApplication,
    Outcome,
    Overview,
    OverviewRow,
    Problem,
    ReductionRequest,
    RequestStatus,
)

APPLY_FORM = "lio_apply"
REDUCTION_FORM = "lio_reduction"
# the review's ids: lio_approve, lio_reject, lio_reject_reason
REVIEW_WIRE = Wire("lio", "reject", lio.MAX_REASON_LENGTH, "lio.not_allowed")
INPUT = "value"  # the one action id of every input in the LIO modals (its block id names the field)
FIELDS = ("employer", "level", "teacher_hours", "grades_2_3_hours", "subject_x_hours", "subject_y_hours")
START, END, PROOF, MOTIVATION, REASON = "start", "end", "proof", "motivation", "reason"
PROOF_TYPE = "lio_proof"  # the document type of catalogues/documents.yaml that proves the job
OVERVIEW_LIMIT = 40  # one section per row plus a header: under Slack's 50 blocks
OVERVIEW_BLOCKS = 50  # Slack's limit per message: rows with buttons take two blocks
OVERVIEW_APPROVE = "lio_overview_approve"  # approving from the overview also redraws the overview


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> Block:
    """Every LIO field has the one action id INPUT: its block id names the field."""
    return input_block(block_id, label, {"action_id": INPUT, **element}, optional=optional, hint=hint or None)


def _text_input(initial: str | None, *, multiline: bool = False, max_length: int = 200) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    return element


def _modal(
    callback_id: str, title: str, submit: str, blocks: list[Block], metadata: str = ""
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("✕"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


# --- applying ------------------------------------------------------------------------------------------


def apply_modal(
    t: Translator, subjects: tuple[str, str], earlier: LioApplication | None, proof: Document | None
) -> dict[str, Any]:
    """The job as the student describes it; the proof is required unless one is already on file."""
    level_options = [{"text": plain(t(f"lio.level.{level.value}")), "value": level.value} for level in Level]
    level: dict[str, Any] = {"type": "static_select", "options": level_options}
    if earlier is not None:
        level["initial_option"] = next(o for o in level_options if o["value"] == earlier.level)

    def hours(name: str, label: str, hint: str = "") -> Block:
        value = str(getattr(earlier, name)) if earlier is not None else None
        return _input(name, label, _text_input(value, max_length=5), hint=hint)

    proof_hint = (
        t("lio.form.proof_on_file", file=proof.filename) if proof is not None else t("lio.form.proof_hint")
    )
    blocks: list[Block] = [
        section(t("lio.form.intro")),
        _input("employer", t("lio.form.employer"), _text_input(earlier.employer if earlier else None)),
        _input("level", t("lio.form.level"), level),
        hours("teacher_hours", t("lio.form.teacher_hours"), t("lio.form.teacher_hours_hint")),
        hours("grades_2_3_hours", t("lio.form.grades_2_3_hours")),
        hours("subject_x_hours", t("lio.form.subject_hours", subject=subjects[0])),
        hours("subject_y_hours", t("lio.form.subject_hours", subject=subjects[1])),
        _input(START, t("lio.form.start"), datepicker(None, earlier.job_start if earlier else None)),
        _input(END, t("lio.form.end"), datepicker(None, earlier.job_end if earlier else None)),
        _input(
            PROOF,
            t("lio.form.proof"),
            {"type": "file_input", "filetypes": ["pdf", "jpg", "jpeg", "png"], "max_files": 1},
            optional=proof is not None,
            hint=proof_hint,
        ),
    ]
    return _modal(APPLY_FORM, t("lio.form.title"), t("lio.form.submit"), blocks)


def problem_text(t: Translator, problem: Problem) -> str:
    return t(f"lio.problem.{problem.value}")


# --- the outcome and its reasons -----------------------------------------------------------------------


def reason_lines(t: Translator, outcome: Outcome, *, for_student: bool = True) -> list[str]:
    """One line per threshold: the student's number, the threshold, met or not."""
    staff = "" if for_student else ".staff"
    return [
        ("✅ " if r.met else "❌ ")
        + t(f"lio.criterion.{r.criterion.value}{staff}", actual=r.actual, threshold=r.threshold)
        for r in outcome.reasons
    ]


def outcome_text(t: Translator, outcome: Outcome, catalogue: Catalogue, *, for_student: bool = True) -> str:
    """What the rules say: not eligible, fully exempt, or which extra hours (and whether a reduction can be
    requested), then the reasons; addressed to the student, or about them (`for_student=False`: the
    counsellor and the supervisors)."""
    staff = "" if for_student else ".staff"
    if not outcome.eligible:
        head = t("lio.outcome.not_eligible" + staff)
    elif outcome.exempt:
        head = t("lio.outcome.exempt" + staff)
    else:
        extra = [
            t(
                "lio.outcome.extra_line",
                course=_course_name(t, catalogue, e.course),
                activity=t(f"lio.activity.{e.activity.value}"),
                hours=e.hours,
            )
            for e in outcome.extra
        ]
        hours = sum(e.hours for e in outcome.extra)
        head = t("lio.outcome.extra" + staff, hours=hours) + "\n" + "\n".join(extra)
        if outcome.may_request_reduction:
            head += "\n" + t("lio.outcome.reduction_possible" + staff)
    return head + "\n" + "\n".join(reason_lines(t, outcome, for_student=for_student))


def _course_name(t: Translator, catalogue: Catalogue, code: str) -> str:
    course = catalogue.course(code)
    return course.name.get(t.language, code) if course else code


def job_text(t: Translator, application: LioApplication, subjects: tuple[str, str]) -> str:
    return t(
        "lio.job",
        employer=escape(application.employer),
        level=t(f"lio.level.{application.level}"),
        hours=application.teacher_hours,
        grades=application.grades_2_3_hours,
        subject_x=escape(subjects[0]),
        hours_x=application.subject_x_hours,
        subject_y=escape(subjects[1]),
        hours_y=application.subject_y_hours,
        start=t.date(application.job_start, "medium"),
        end=t.date(application.job_end, "medium"),
    )


def proof_text(t: Translator, proof: Document | None) -> str:
    if proof is None:
        return t("lio.proof.missing")
    return t(
        "lio.proof.line",
        file=escape(proof.filename),
        version=proof.version,
        state=t(f"documents.state.{proof.status}") if proof.status != "superseded" else proof.status,
    )


def submitted(t: Translator, outcome: Outcome, catalogue: Catalogue) -> list[Block]:
    """What the student reads after applying."""
    return [section(t("lio.submitted")), section(outcome_text(t, outcome, catalogue))]


# --- the counsellor's review ---------------------------------------------------------------------------


def review_value(kind: str, request_id: int) -> str:
    return f"{kind}:{request_id}"


def application_review(
    t: Translator,
    student_slack_id: str,
    student_name: str,
    subjects: tuple[str, str],
    application: LioApplication,
    outcome: Outcome,
    catalogue: Catalogue,
    proof: Document | None,
) -> list[Block]:
    """The application as the counsellor sees it, above the buttons (bot.flows.review adds them)."""
    blocks = [
        header(t("lio.review.header", name=student_name)),
        section(t("lio.review.intro", who=mention(student_slack_id))),
        section(job_text(t, application, subjects)),
        section(proof_text(t, proof), accessory=open_button(t, proof) if proof is not None else None),
        section(outcome_text(t, outcome, catalogue, for_student=False)),
    ]
    return blocks


def reduction_review(
    t: Translator,
    student_slack_id: str,
    student_name: str,
    subjects: tuple[str, str],
    request: ReductionRequest,
    application: LioApplication,
    outcome: Outcome,
    catalogue: Catalogue,
) -> list[Block]:
    blocks = [
        header(t("lio.reduction.review.header", name=student_name)),
        section(t("lio.reduction.review.intro", who=mention(student_slack_id))),
        section(t("lio.reduction.motivation", text=escape(request.motivation))),
        section(job_text(t, application, subjects)),
        section(outcome_text(t, outcome, catalogue, for_student=False)),
    ]
    return blocks


# --- the decision as the student and supervisors read it ------------------------------------------------


def decision_for_student(
    t: Translator,
    kind: str,
    approved: bool,
    reason: str | None,
    decider_slack_id: str,
    at: datetime,
    outcome: Outcome | None,
    catalogue: Catalogue,
) -> list[Block]:
    key = f"lio.{kind}.{'approved' if approved else 'rejected'}"
    blocks = [section(t(key, who=mention(decider_slack_id), when=t.datetime(at, "short")))]
    if reason:
        blocks.append(section(t("decision.reason", reason=escape(reason))))
    if approved and outcome is not None:
        blocks.append(section(outcome_text(t, outcome, catalogue)))
    return blocks


def decision_for_supervisor(
    t: Translator,
    kind: str,
    approved: bool,
    student_slack_id: str,
    student_name: str,
    outcome: Outcome | None,
    catalogue: Catalogue,
) -> list[Block]:
    key = f"lio.{kind}.supervisor.{'approved' if approved else 'rejected'}"
    blocks = [section(t(key, who=mention(student_slack_id), name=escape(student_name)))]
    if approved and outcome is not None:
        blocks.append(section(outcome_text(t, outcome, catalogue, for_student=False)))
    return blocks


# --- reduction -------------------------------------------------------------------------------------------


def reduction_modal(t: Translator, subjects: list[str]) -> dict[str, Any]:
    blocks = [
        section(t("lio.reduction.form.intro", subjects=", ".join(escape(s) for s in subjects))),
        _input(
            MOTIVATION, t("lio.reduction.form.motivation"), _text_input(None, multiline=True, max_length=1000)
        ),
    ]
    return _modal(REDUCTION_FORM, t("lio.reduction.form.title"), t("lio.form.submit"), blocks)


# --- overview and checklist ------------------------------------------------------------------------------


def overview_blocks(
    t: Translator, found: Overview, people: dict[int, tuple[str, str]], *, may_decide: bool = False
) -> list[Block]:
    """All LIO students and open requests for the counsellor and the coordinator (open ones first); the
    counsellor decides an open request right here (Approve / Send back, as in the review DM)."""
    blocks: list[Block] = [
        header(t("lio.overview.header", count=len(found.rows))),
        context(
            t(
                "lio.overview.open",
                applications=t.ngettext("lio.overview.open.applications", found.open_applications),
                reductions=t.ngettext("lio.overview.open.reductions", found.open_reductions),
            )
        ),
    ]
    if not found.rows:
        blocks.append(section(t("lio.overview.empty")))
        return blocks
    blocks.append(divider())
    rows = found.rows[:OVERVIEW_LIMIT]
    for index, row in enumerate(rows):
        slack_id, name = people.get(row.student_id, ("", "?"))
        parts = [mention(slack_id) if slack_id else f"*{escape(name)}*"]
        if row.application is None:
            parts.append(t("lio.overview.no_application"))
        else:
            parts.append(
                t(f"lio.overview.application.{row.application.status}", hours=row.application.teacher_hours)
            )
        if row.reduction is not None:
            parts.append(t(f"lio.overview.reduction.{row.reduction.status}"))
        buttons = _overview_buttons(t, row) if may_decide else []
        if len(blocks) + 1 + len(buttons) > OVERVIEW_BLOCKS - 1:
            blocks.append(context(t.ngettext("lio.overview.more", len(rows) - index)))
            break
        blocks.append(section(" · ".join(parts)))
        blocks.extend(buttons)
    return blocks


def _overview_buttons(t: Translator, row: OverviewRow) -> list[Block]:
    """One row of buttons per open request (each with its own block id: Slack wants them unique)."""
    found: list[Block] = []
    for kind, request in (("application", row.application), ("reduction", row.reduction)):
        if request is None or request.status != RequestStatus.PENDING:
            continue
        value = review_value(kind, request.id or 0)
        found.append(
            actions(
                button(t(f"lio.overview.approve.{kind}"), OVERVIEW_APPROVE, value, style="primary"),
                button(
                    t(f"lio.overview.send_back.{kind}"), REVIEW_WIRE.send_back_action, value, style="danger"
                ),
                block_id=f"lio_overview_{kind}_{request.id}",
            )
        )
    return found


def checklist_lines(
    t: Translator,
    latest: LioApplication | None,
    outcome: Outcome | None,
    reduced: bool,
    pending_reduction: bool,
) -> list[str]:
    """What the student's checklist shows under the planning step: their LIO situation in one or two lines."""
    lines: list[str] = []
    if latest is not None and latest.status == RequestStatus.PENDING:
        lines.append(t("lio.status.pending"))
    elif latest is not None and latest.status == RequestStatus.REJECTED and outcome is None:
        lines.append(t("lio.status.rejected"))
    if outcome is not None:
        if outcome.exempt:
            lines.append(t("lio.status.exempt"))
        else:
            hours = sum(e.hours for e in outcome.extra)
            lines.append(t("lio.status.extra_reduced" if reduced else "lio.status.extra", hours=hours))
    if pending_reduction:
        lines.append(t("lio.status.reduction_pending"))
    return lines
