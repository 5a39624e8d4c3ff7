"""The daily sweep: read the cohort in a fixed number of queries, plan, send one DM per person, record.

Each message is an outbox row written with its reminder rows in one transaction: the outbox delivers it
exactly once, and a crash, a retried sweep or a second scheduler queues nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session, col, func, select

from bot.delivery.outbox import wall_now
from bot.flows import school_reminders
from bot.i18n import Translator, translator
from bot.services import Services
from bot.views import reminders as views
from models import agreements, intake, outbox, progress, reminders
from models.documents import Document, DocumentStatus
from models.people import Person, PersonRole, Role, Student
from models.planning import PlanningVersion, VersionStatus
from models.progress import Step, StepProgress, StepState
from models.reminder_plan import AgreementToDraft, Item, StudentState, plan
from models.schools import Institution

logger = logging.getLogger(__name__)
MEMORY = timedelta(days=120)
SWEEP_RECIPIENT = "*"
CHUNK = 500  # recipients rendered and queued per transaction


@dataclass
class Snapshot:
    students: list[StudentState]
    people: dict[str, Person]
    coordinators: list[str]
    sent: set[reminders.Key]
    snoozed: dict[str, date]
    unsent: tuple[int, int] | None = None  # (pending, failed) outbox rows, when read before writing


def waiting_for_review(session: Session) -> dict[int, dict[Step, datetime]]:
    """Per student and step, since when the oldest part waits for a reviewer: a document version awaiting
    review (step 2, also while the other document is not uploaded yet) or a submitted planning (step 7,
    also while another placement's planning is still a draft). Two queries for any cohort size."""
    waiting: dict[int, dict[Step, datetime]] = defaultdict(dict)
    documents = session.exec(
        select(Document.student_id, func.min(Document.uploaded_at))
        .where(Document.status == DocumentStatus.AWAITING_REVIEW.value)
        .group_by(col(Document.student_id))
    )
    plannings = session.exec(
        select(PlanningVersion.student_id, func.min(PlanningVersion.submitted_at))
        .where(PlanningVersion.status == VersionStatus.SUBMITTED.value)
        .group_by(col(PlanningVersion.student_id))
    )
    for step, rows in ((Step.DOCUMENTS, documents), (Step.PLANNING, plannings)):
        for student_id, since in rows:
            if since is not None:
                waiting[student_id][step] = _aware(since)
    return waiting


def _aware(moment: datetime) -> datetime:
    """An aggregate comes back without the column type's time zone on SQLite: it was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_snapshot(session: Session, today: date) -> Snapshot:
    """Eight queries for any cohort size."""
    people = list(session.exec(select(Person)))
    slack_of = {p.id: p.slack_user_id for p in people}
    steps: dict[int, dict[Step, tuple[StepState, datetime]]] = defaultdict(dict)
    for row in session.exec(select(StepProgress)):
        steps[row.student_id][Step(row.step)] = (StepState(row.state), row.updated_at)
    waiting = waiting_for_review(session)
    students = [
        StudentState(
            s.person_id,
            slack_of[s.person_id],
            tuple(
                dict.fromkeys(
                    slack_of[i] for i in (s.supervisor_x_id, s.supervisor_y_id, s.supervisor_id) if i
                )
            ),
            steps.get(s.person_id, {}),
            waiting.get(s.person_id, {}),
        )
        for s in session.exec(select(Student))
    ]
    coordinator_ids = session.exec(
        select(PersonRole.person_id).where(PersonRole.role == Role.COORDINATOR.value)
    )
    return Snapshot(
        students=students,
        people={p.slack_user_id: p for p in people},
        coordinators=sorted(slack_of[i] for i in coordinator_ids),
        sent=reminders.sent_keys(session, today - MEMORY, always=("escalation", "agreement_to_draft")),
        snoozed=reminders.snoozes(session, today),
    )


def due_now(services: Services, session: Session, today: date) -> tuple[list[Item], Snapshot]:
    snapshot = read_snapshot(session, today)
    channel = services.settings.channel
    tz = Translator(timezone=services.settings.timezone).tz
    next_working = services.catalogue.reminders.add_working_days(today, 1)
    noon = datetime.combine(today, time(12), tz)
    meetings = [
        meeting
        for ahead in range(1, (next_working - today).days + 1)
        for meeting in intake.due_reminders(session, noon + timedelta(days=ahead - 1), tz)
    ]
    uncovered = [u for u in agreements.uncovered_institutions(session) if u.pending_framework is None]
    wanted = [u.institution_id for u in uncovered]
    names = dict(
        session.exec(select(Institution.id, Institution.name).where(col(Institution.id).in_(wanted))).all()
    )
    schools = [
        AgreementToDraft(u.institution_id, names.get(u.institution_id, "?"), len(u.student_ids))
        for u in uncovered
    ]
    items = plan(
        services.catalogue,
        snapshot.students,
        snapshot.coordinators,
        channel,
        snapshot.sent,
        snapshot.snoozed,
        today,
        meetings,
        schools,
    )
    return items, snapshot


def _translator_for(services: Services, snapshot: Snapshot, recipient: str) -> Translator:
    person = snapshot.people.get(recipient)
    if person is None:  # the channel speaks the programme's language
        return Translator("nl", services.settings.timezone)
    return translator(person.language, person.slack_locale, services.settings.timezone)


def render(
    services: Services, session: Session, snapshot: Snapshot, recipient: str, items: list[Item], today: date
) -> tuple[list[dict[str, Any]], str]:
    t = _translator_for(services, snapshot, recipient)
    student_ids = {s.slack_id for s in snapshot.students}
    if recipient not in snapshot.people:
        return views.announcement(t, items, today)
    kinds = {i.kind for i in items}
    if recipient in student_ids:
        return views.student_reminder(t, items, today)
    blocks, text = views.staff_reminder(t, [i for i in items if i.kind != "digest"], today)
    if "digest" in kinds:
        total, counts = progress.step_counts(session)
        blocked = [
            s.slack_id
            for s in snapshot.students
            if any(state == StepState.SENT_BACK for state, _ in s.steps.values())
        ]
        unsent = snapshot.unsent if snapshot.unsent is not None else unsent_counts(session)
        digest_blocks, digest_text = views.digest(t, total, counts, blocked, unsent)
        blocks, text = (blocks + digest_blocks if blocks else digest_blocks), (text or digest_text)
    return blocks, text


def run_sweep(
    services: Services, client: WebClient, now: datetime, check: Callable[[], None] | None = None
) -> tuple[int, int]:
    """Queue what is due: per recipient one outbox row, written with its reminder rows in one transaction
    per chunk of recipients, so the sweep never waits for Slack, the outbox starts delivering the first
    chunk while the next is rendered, and a second sweep (another scheduler, `stagebot remind`) finds the
    keys taken and queues nothing twice. The lease is checked before every chunk is rendered and before
    it is written: once it is lost nothing more is queued (what was queued stays whole, message and
    reminder rows together). Returns (messages queued, 0)."""
    today = now.astimezone(Translator(timezone=services.settings.timezone).tz).date()
    queued = 0
    with services.db.session() as session:
        items, snapshot = due_now(services, session, today)
        by_recipient: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            by_recipient[item.recipient].append(item)
        snapshot.unsent = unsent_counts(session)  # as before this sweep: its own rows are not "unsent"
        recipients = list(by_recipient.items())
        for start in range(0, len(recipients), CHUNK):
            if check is not None:  # the scheduler's lease: raises when it was lost
                check()
            rendered = [
                (recipient, own, *render(services, session, snapshot, recipient, own, today))
                for recipient, own in recipients[start : start + CHUNK]
            ]
            if check is not None:
                check()
            queued += _queue(session, rendered, today, now)
            session.commit()
            services.outbox.kick()
        if check is not None:
            check()
        queued += school_reminders.remind(services, session, today, now)  # the school side, by mail
        session.commit()
        done = (SWEEP_RECIPIENT, reminders.SWEEP_DONE, "", today)
        reminders.record_sent(session, [done], now, commit=False)
    services.outbox.kick()
    return queued, 0


def _queue(
    session: Session,
    rendered: list[tuple[str, list[Item], list[dict[str, Any]], str]],
    today: date,
    now: datetime,
) -> int:
    """One chunk's outbox rows in one statement, then the reminder rows of those that were new."""
    keyed = {
        f"reminder:{recipient}:{today.isoformat()}:{_digest(own)}": (recipient, own, blocks, text)
        for recipient, own, blocks, text in rendered
    }
    messages = [
        (key, recipient, "chat.postMessage", {"channel": recipient, "text": text, "blocks": blocks})
        for key, (recipient, _, blocks, text) in keyed.items()
    ]
    new = outbox.enqueue_many(session, messages, wall_now())
    reminders.record_sent(session, [i.key for key in new for i in keyed[key][1]], now, commit=False)
    return len(new)


def unsent_counts(session: Session) -> tuple[int, int]:
    """(pending, failed) rows of the outbox, for the coordinator's digest."""
    box = outbox.counts(session)
    return box[outbox.OutboxState.PENDING.value], box[outbox.OutboxState.FAILED.value]


def _digest(items: list[Item]) -> str:
    """A short fingerprint of what one message reminds of, for its outbox key."""
    keys = sorted(f"{k}|{s}|{d.isoformat()}" for _, k, s, d in (i.key for i in items))
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def sweep_is_due(services: Services, now: datetime) -> bool:
    rules = services.catalogue.reminders
    local = now.astimezone(Translator(timezone=services.settings.timezone).tz)
    if not rules.is_working_day(local.date()) or local.time() < rules.sweep_time:
        return False
    with services.db.session() as session:
        return not reminders.sweep_done(session, local.date())


def dry_run(services: Services, now: datetime) -> list[str]:
    """What a sweep would send now, to whom and why: one line per item, nothing sent or written."""
    today = now.astimezone(Translator(timezone=services.settings.timezone).tz).date()
    with services.db.session() as session:
        items, snapshot = due_now(services, session, today)
    names = {p.slack_user_id: p.name for p in snapshot.people.values()}
    lines = []
    for item in sorted(items, key=lambda i: (i.recipient, i.kind, i.subject)):
        who = names.get(item.recipient, item.recipient)
        about = (
            f" about {names.get(item.student_slack_id or '', item.student_slack_id)}"
            if item.student_slack_id
            else ""
        )
        lines.append(
            f"{who} ({item.recipient}): {item.kind} {item.subject}{about}, due {item.due.isoformat()}"
        )
    if not services.catalogue.reminders.is_working_day(today):
        lines.append(f"{today.isoformat()} is not a working day: no sweep.")
    return lines
