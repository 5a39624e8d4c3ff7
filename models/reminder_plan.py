"""What is due in one sweep: a pure function of the cohort's state, what was sent, and today.

"Newest due only": every reminder has a series of send days (e.g. 7 and 2 days before a deadline);
on a sweep only the newest send day on or before today counts, so after downtime one reminder of a
kind goes out, not the backlog. Its key includes that day, so it goes out once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from models.catalogue import Catalogue, Deadline, ReminderRules
from models.intake import DueReminder
from models.progress import FINISHED, Step, StepState
from models.reminders import Key

ESCALATION_DUE = date(2000, 1, 1)  # an escalation is told once, ever: its key has a fixed due


@dataclass(frozen=True)
class StudentState:
    student_id: int
    slack_id: str
    supervisor_slack_ids: tuple[str, ...]
    steps: dict[Step, tuple[StepState, datetime]] = field(default_factory=dict)
    # per step, since when the oldest thing of it waits for a reviewer (a document uploaded, a planning
    # submitted), also while the step as a whole is not awaiting review (the other document is not in yet)
    waiting: dict[Step, datetime] = field(default_factory=dict)

    def state(self, step: Step) -> StepState:
        return self.steps[step][0] if step in self.steps else StepState.NOT_STARTED

    def awaiting_review(self) -> dict[Step, datetime]:
        """What waits for a reviewer, per step, since when: the step awaiting review as a whole, or what
        of it waits (its oldest waiting part, so one series of reminders runs from the first upload)."""
        found = {
            step: changed
            for step, (state, changed) in self.steps.items()
            if state == StepState.AWAITING_REVIEW
        }
        return found | self.waiting


@dataclass(frozen=True)
class AgreementToDraft:
    """A school where students are placed with no valid agreement and none drafted yet."""

    institution_id: int
    name: str
    students: int


@dataclass(frozen=True)
class Item:
    """One thing to tell one recipient; `key` is what makes it once-only."""

    recipient: str
    kind: str
    subject: str
    due: date
    student_slack_id: str | None = None
    step: Step | None = None
    deadline: Deadline | None = None
    since: date | None = None
    meeting: DueReminder | None = None
    school: AgreementToDraft | None = None

    @property
    def key(self) -> Key:
        return (self.recipient, self.kind, self.subject, self.due)


def newest_on_or_before(days: Iterable[date], today: date) -> date | None:
    return max((d for d in days if d <= today), default=None)


def repeating(first: date, every: int, rules: ReminderRules, today: date) -> date | None:
    """`first`, then every `every` working days after it: the newest such day up to today."""
    if first > today:
        return None
    day = first
    while (following := rules.add_working_days(day, every)) <= today:
        day = following
    return day


def _deadline_send_days(deadline: Deadline, rules: ReminderRules) -> list[date]:
    if deadline.period_start is not None:
        return [deadline.period_start - timedelta(days=k) for k in rules.planning_days_before]
    return [deadline.due - timedelta(days=k) for k in rules.deadline_days_before]


def student_items(catalogue: Catalogue, student: StudentState, today: date) -> list[Item]:
    rules = catalogue.reminders
    items = []
    for deadline in catalogue.all_deadlines():
        if deadline.due < today or student.state(Step(deadline.step)) in FINISHED:
            continue
        send_day = newest_on_or_before(_deadline_send_days(deadline, rules), today)
        if send_day is not None:
            subject = f"{deadline.code}:{deadline.due.isoformat()}"
            items.append(
                Item(
                    student.slack_id,
                    "deadline",
                    subject,
                    send_day,
                    step=Step(deadline.step),
                    deadline=deadline,
                )
            )
    for step, (state, changed) in student.steps.items():
        if state != StepState.SENT_BACK:
            continue
        since = changed.date()
        send_day = repeating(
            rules.add_working_days(since, rules.resubmit_after_working_days),
            rules.resubmit_after_working_days,
            rules,
            today,
        )
        if send_day is not None:
            subject = f"step:{int(step)}:{since.isoformat()}"
            items.append(Item(student.slack_id, "resubmit", subject, send_day, step=step, since=since))
    return items


def approval_items(student: StudentState, rules: ReminderRules, today: date) -> list[Item]:
    items = []
    for step, waiting_since in sorted(student.awaiting_review().items()):
        since = waiting_since.date()
        first = rules.add_working_days(since, rules.approval_after_working_days)
        send_day = repeating(first, rules.approval_after_working_days, rules, today)
        if send_day is None:
            continue
        subject = f"student:{student.student_id}:step:{int(step)}:{since.isoformat()}"
        for supervisor in student.supervisor_slack_ids:
            items.append(
                Item(
                    supervisor,
                    "approval",
                    subject,
                    send_day,
                    student_slack_id=student.slack_id,
                    step=step,
                    since=since,
                )
            )
    return items


Thing = tuple[str, str, str]  # (recipient, kind, subject): one reminder, whatever its due day


def ignored_reminders(sent: Iterable[Key], rules: ReminderRules, today: date) -> Counter[Thing]:
    """For each (recipient, kind, subject): on how many distinct working days before today a reminder of
    it went out. A reminder due on a given day goes out on the first working day from then (no sweep runs
    on a day off), so that is the day it counts for; one sent today has not been ignored yet, however
    often the sweep runs today."""
    days: dict[Thing, set[date]] = {}
    for recipient, kind, subject, due in sent:
        sent_on = due if rules.is_working_day(due) else rules.add_working_days(due, 1)
        if sent_on < today:
            days.setdefault((recipient, kind, subject), set()).add(sent_on)
    return Counter({thing: len(on) for thing, on in days.items()})


def escalation_items(
    student: StudentState, items: list[Item], sent_counts: Counter[tuple[str, str, str]], rules: ReminderRules
) -> list[Item]:
    """A student who ignored `escalate_after` reminders of one thing (`sent_counts`, from
    `ignored_reminders`): their supervisors are told, once."""
    escalations = []
    for item in items:
        if sent_counts[(item.recipient, item.kind, item.subject)] < rules.escalate_after:
            continue
        subject = f"{student.slack_id}:{item.kind}:{item.subject}"
        for supervisor in student.supervisor_slack_ids:
            escalations.append(
                Item(
                    supervisor,
                    "escalation",
                    subject,
                    ESCALATION_DUE,
                    student_slack_id=student.slack_id,
                    step=item.step,
                    deadline=item.deadline,
                )
            )
    return escalations


def channel_items(catalogue: Catalogue, channel: str, today: date) -> list[Item]:
    rules = catalogue.reminders
    items = []
    for start in catalogue.period_starts():
        if start < today:
            continue
        send_day = newest_on_or_before(
            [start - timedelta(days=k) for k in rules.announce_days_before_period], today
        )
        if send_day is not None:
            items.append(Item(channel, "announce_period", start.isoformat(), send_day, since=start))
    for deadline in catalogue.all_deadlines():
        if deadline.due < today:
            continue
        days = [deadline.due - timedelta(days=k) for k in rules.announce_days_before_deadline]
        send_day = newest_on_or_before(days, today)
        if send_day is not None:
            subject = f"{deadline.code}:{deadline.due.isoformat()}"
            items.append(Item(channel, "announce_deadline", subject, send_day, deadline=deadline))
    return items


def meeting_items(meetings: list[DueReminder], rules: ReminderRules, today: date) -> list[Item]:
    """Intake meetings up to the next working day: both people hear of it the working day before."""
    until = rules.add_working_days(today, 1)
    items = []
    for meeting in meetings:
        if today < meeting.due <= until:
            subject = f"intake:{meeting.booking_id}"
            for recipient in (meeting.student_slack_id, meeting.supervisor_slack_id):
                items.append(
                    Item(
                        recipient,
                        "intake",
                        subject,
                        meeting.due,
                        student_slack_id=meeting.student_slack_id,
                        meeting=meeting,
                    )
                )
    return items


def agreement_items(coordinators: list[str], schools: list[AgreementToDraft]) -> list[Item]:
    """Each school is told to the coordinators once; drafting the agreement is theirs to start."""
    return [
        Item(c, "agreement_to_draft", f"institution:{s.institution_id}", ESCALATION_DUE, school=s)
        for s in schools
        for c in coordinators
    ]


def digest_items(coordinators: list[str], rules: ReminderRules, today: date) -> list[Item]:
    """The coordinator's weekly digest, on the first working day of the week."""
    monday = today - timedelta(days=today.weekday())
    first = monday if rules.is_working_day(monday) else rules.add_working_days(monday, 1)
    if first > today or first - monday >= timedelta(days=7):
        return []
    return [Item(c, "digest", "cohort", first) for c in coordinators]


def plan(
    catalogue: Catalogue,
    students: list[StudentState],
    coordinators: list[str],
    channel: str | None,
    sent: set[Key],
    snoozed: dict[str, date],
    today: date,
    meetings: list[DueReminder] = (),  # type: ignore[assignment]
    schools: list[AgreementToDraft] = (),  # type: ignore[assignment]
) -> list[Item]:
    """Everything that should go out now and has not gone out yet; nothing on a day off."""
    rules = catalogue.reminders
    if not rules.is_working_day(today):
        return []
    sent_counts = ignored_reminders(sent, rules, today)
    due: list[Item] = []
    for student in students:
        own = student_items(catalogue, student, today)
        due += own
        due += approval_items(student, rules, today)
        due += escalation_items(student, own, sent_counts, rules)
    due += meeting_items(list(meetings), rules, today)
    due += agreement_items(coordinators, list(schools))
    due += digest_items(coordinators, rules, today)
    if channel:
        due += channel_items(catalogue, channel, today)
    return [
        item
        for item in due
        if item.key not in sent and not (item.recipient in snoozed and snoozed[item.recipient] > today)
    ]


# --- the school side: reminders by mail (bot/flows/school_reminders.py sends them) ------------------------

SCHOOL_RECIPIENT = "school"  # a mail to the school's person of the subject (the address is the record's)


@dataclass(frozen=True)
class SchoolWait:
    """Something the school side owes: a mentor's evaluation, or the contact person's answer to a request.
    `due` is the day from which it is late; `supervisors` hear who is missing."""

    kind: str  # "evaluation" or "request"
    subject: str  # "evaluation:<id>" or "request:<student id>:<school id>"
    due: date
    supervisors: tuple[str, ...] = ()


def request_answer_due(requested_on: date, rules: ReminderRules) -> date:
    """A request mailed to a school is late after this many working days without an answer."""
    return rules.add_working_days(requested_on, rules.request_answer_after_working_days)


def school_items(
    waits: Iterable[SchoolWait], sent: set[Key], rules: ReminderRules, today: date
) -> list[Item]:
    """Once per thing owed, on the first working day it is late: a mail to the school's person, and a
    line for each supervisor; never again (the key's due is the day it became late)."""
    if not rules.is_working_day(today):
        return []
    due = []
    for wait in waits:
        if wait.due > today:
            continue
        due.append(Item(SCHOOL_RECIPIENT, f"school_{wait.kind}", wait.subject, wait.due))
        due += [Item(s, f"school_{wait.kind}_missing", wait.subject, wait.due) for s in wait.supervisors]
    return [item for item in due if item.key not in sent]


# --- hours: the shortfall before a period ends, the mentor's confirmations that wait -----------------------

HOURS_SHORTFALL_WORKING_DAYS = 10  # a student short of hours hears this many working days before the end
HOURS_CONFIRMATION_WORKING_DAYS = 5  # a mentor's waiting confirmation is mailed again after this many


@dataclass(frozen=True)
class HoursShortfall:
    """A student's period whose confirmed + waiting hours are below the required ones."""

    slack_id: str
    supervisors: tuple[str, ...]
    period: str  # a stable name of the placement's period, part of the once-only key
    ends_on: date
    short: float


def hours_shortfall_items(
    shortfalls: Iterable[HoursShortfall], sent: set[Key], rules: ReminderRules, today: date
) -> list[Item]:
    """From the working day that is 10 working days before the end: the student, and each supervisor,
    once per period (the key's due is that day, so a later sweep does not tell it again)."""
    due = []
    for gap in shortfalls:
        if gap.short <= 0 or gap.ends_on < today:
            continue
        if rules.add_working_days(today, HOURS_SHORTFALL_WORKING_DAYS) < gap.ends_on:
            continue
        subject = f"hours:{gap.period}"
        due.append(Item(gap.slack_id, "hours_shortfall", subject, gap.ends_on, student_slack_id=gap.slack_id))
        due += [
            Item(s, "hours_shortfall_supervisor", subject, gap.ends_on, student_slack_id=gap.slack_id)
            for s in gap.supervisors
        ]
    return [item for item in due if item.key not in sent]


def hours_confirmation_items(
    waits: Iterable[SchoolWait], sent: set[Key], rules: ReminderRules, today: date
) -> list[Item]:
    """A confirmation mailed on `due` that still waits 5 working days later is mailed once more."""
    if not rules.is_working_day(today):
        return []
    due = []
    for wait in waits:
        again = rules.add_working_days(wait.due, HOURS_CONFIRMATION_WORKING_DAYS)
        if again <= today:
            due.append(Item(SCHOOL_RECIPIENT, "school_hours_confirmation", wait.subject, again))
    return [item for item in due if item.key not in sent]
