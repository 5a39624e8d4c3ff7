"""What the student's checklist shows of the LIO track, under the planning step (STEP_DETAILS), and the
LIO overview for the counsellor and the coordinator."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import Translator
from bot.views.blocks import Block, header, section
from bot.views.lio import OVERVIEW_LIMIT, checklist_lines, overview_blocks
from models import lio
from models.access import may_decide_lio
from models.lio import LioApplication, ReductionRequest, RequestStatus
from models.people import Actor, Person


def step_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    """Pending, exempt or how many extra hours (four queries, whatever the cohort size)."""
    rules = lio.load_lio_rules()
    latest = lio.latest_application(session, student_id)
    found = lio.standing(session, rules, student_id)
    pending = lio.pending_reduction(session, student_id) is not None
    return checklist_lines(
        t,
        latest,
        found.outcome if found else None,
        found.reduced if found else False,
        pending,
    )


def waiting_for_decision(session: Session, t: Translator) -> list[Block]:
    """For the counsellor's status and Home tab: what waits for their decision, and where (two queries)."""
    applications = session.exec(
        select(func.count()).select_from(LioApplication).where(LioApplication.status == RequestStatus.PENDING)
    ).one()
    reductions = session.exec(
        select(func.count())
        .select_from(ReductionRequest)
        .where(ReductionRequest.status == RequestStatus.PENDING)
    ).one()
    if not applications and not reductions:
        return []
    parts = [
        t.ngettext(key, count)
        for key, count in (
            ("lio.overview.open.applications", applications),
            ("lio.overview.open.reductions", reductions),
        )
        if count
    ]
    return [section(t("lio.waiting_for_you", what=", ".join(parts)))]


def overview(session: Session, t: Translator, viewer: Actor) -> list[Block]:
    """LIO students and open requests, with the decision buttons for whoever may decide (two queries)."""
    found = lio.overview(session, limit=OVERVIEW_LIMIT)
    ids = [row.student_id for row in found.rows]
    people = (
        {
            pid: (slack_id, name)
            for pid, slack_id, name in session.exec(
                select(Person.id, Person.slack_user_id, Person.name).where(col(Person.id).in_(ids))
            )
            if pid is not None
        }
        if ids
        else {}
    )
    return overview_blocks(t, found, people, may_decide=may_decide_lio(viewer))


def detail_section(session: Session, t: Translator, viewer: Actor, student_id: int) -> list[Block]:
    """A student's LIO situation in their record, and where the counsellor decides an open request."""
    lines = step_lines(session, t, student_id)
    if not lines:
        return []
    latest = lio.latest_application(session, student_id)
    waiting = (latest is not None and latest.status == lio.RequestStatus.PENDING) or (
        lio.pending_reduction(session, student_id) is not None
    )
    if waiting and may_decide_lio(viewer):
        lines.append(t("lio.detail.decide_hint"))
    return [header(t("lio.detail.header")), section("\n".join(lines))]
