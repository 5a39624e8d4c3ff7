"""Intake meetings (step 1): a supervisor's time slots, the students' bookings, and the meeting held.

A slot is booked by inserting a booking row: the unique slot_id makes the database, not a prior check,
decide which of two simultaneous clicks wins; the unique student_id keeps it to one intake per student.
A cancelled booking is deleted (the audit log keeps the history); a held one stays, with the note only
staff read. Step 1 is done when the intake was held and the preferences were given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import UniqueConstraint, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from models import audit, progress
from models.db import AwareDateTime, utcnow
from models.people import Person, Student
from models.preferences import has_preferences
from models.progress import Step, StepState
from models.slot_text import SlotRange

CHANGE_LIMIT = timedelta(hours=24)  # booking, cancelling and moving close this long before the meeting
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240
MAX_SLOTS_PER_PUBLICATION = 40
MAX_NOTE_LENGTH = 2000
MAX_PLACE_LENGTH = 300
RECENT = timedelta(days=14)  # a supervisor's overview still shows meetings this old that are not marked held


class IntakeSlot(SQLModel, table=True):
    __tablename__ = "intake_slot"
    __table_args__ = (UniqueConstraint("supervisor_id", "starts_at", name="uq_intake_slot_start"),)

    id: int | None = Field(default=None, primary_key=True)
    supervisor_id: int = Field(foreign_key="person.id", index=True)
    starts_at: datetime = Field(sa_type=AwareDateTime, index=True)
    ends_at: datetime = Field(sa_type=AwareDateTime)
    place: str = Field(default="", max_length=MAX_PLACE_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class IntakeBooking(SQLModel, table=True):
    __tablename__ = "intake_booking"

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="intake_slot.id", unique=True)
    student_id: int = Field(foreign_key="student.person_id", unique=True, ondelete="CASCADE")
    booked_at: datetime = Field(sa_type=AwareDateTime)
    sequence: int = Field(default=0, description="times moved: the calendar invite's SEQUENCE")
    held_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    held_by_id: int | None = Field(default=None, foreign_key="person.id")
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH, description="staff only")


class IntakeError(Exception):
    """A refused change; `code` is what the view explains (slot_gone, taken, too_late: the slot chosen is
    within 24 h; booking_locked: the booking itself is, so it cannot be moved or cancelled any more)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- rules (pure) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSlot:
    starts_at: datetime
    ends_at: datetime
    place: str


@dataclass(frozen=True)
class RangeProblem:
    index: int  # which range of the publication
    code: str  # end_before_start | in_past | bad_length | too_short | too_many


def plan_slots(
    ranges: list[SlotRange], tz: ZoneInfo, now: datetime
) -> tuple[list[PlannedSlot], list[RangeProblem]]:
    """Cut each range into slots of its length; a range that ends before it starts, lies in the past,
    or cannot hold one slot is refused whole. Slots past the publication limit are refused too."""
    planned: list[PlannedSlot] = []
    problems: list[RangeProblem] = []
    for index, r in enumerate(ranges):
        start = datetime.combine(r.day, r.start, tzinfo=tz)
        end = datetime.combine(r.day, r.end, tzinfo=tz)
        length = timedelta(minutes=r.minutes)
        if end <= start:
            problems.append(RangeProblem(index, "end_before_start"))
        elif start <= now:
            problems.append(RangeProblem(index, "in_past"))
        elif not MIN_SLOT_MINUTES <= r.minutes <= MAX_SLOT_MINUTES:
            problems.append(RangeProblem(index, "bad_length"))
        elif start + length > end:
            problems.append(RangeProblem(index, "too_short"))
        else:
            place = r.place.strip()[:MAX_PLACE_LENGTH]
            while start + length <= end:
                planned.append(PlannedSlot(start, start + length, place))
                start += length
    if len(planned) > MAX_SLOTS_PER_PUBLICATION:
        problems.append(RangeProblem(len(ranges) - 1, "too_many"))
    return sorted(planned, key=lambda p: p.starts_at), problems


def may_change(starts_at: datetime, now: datetime) -> bool:
    """Students book, cancel and move until 24 h before the meeting."""
    return starts_at - now >= CHANGE_LIMIT


# --- publishing and reading slots ---------------------------------------------------------------------


def publish(session: Session, supervisor_id: int, planned: list[PlannedSlot], now: datetime) -> int:
    """Store the slots; one the supervisor already has at the same time is kept as it is (a cancelled one
    is opened again). Returns how many slots are new or reopened."""
    starts = [p.starts_at for p in planned]
    existing = {
        s.starts_at: s
        for s in session.exec(
            select(IntakeSlot).where(
                IntakeSlot.supervisor_id == supervisor_id, col(IntakeSlot.starts_at).in_(starts)
            )
        )
    }
    added = 0
    for p in planned:
        slot = existing.get(p.starts_at)
        if slot is None:
            session.add(
                IntakeSlot(
                    supervisor_id=supervisor_id,
                    starts_at=p.starts_at,
                    ends_at=p.ends_at,
                    place=p.place,
                    created_at=now,
                )
            )
        elif slot.cancelled_at is not None:
            slot.cancelled_at, slot.ends_at, slot.place = None, p.ends_at, p.place
            session.add(slot)
        else:
            continue
        added += 1
    audit.log(session, now, "intake.slots_published", actor_id=supervisor_id, count=added)
    return added


def _supervisor_ids(session: Session, student_id: int) -> set[int]:
    student = session.get(Student, student_id)
    if student is None:
        return set()
    ids = {student.supervisor_x_id, student.supervisor_y_id, student.supervisor_id}
    return {i for i in ids if i is not None}


def free_slots(session: Session, student_id: int, now: datetime) -> list[IntakeSlot]:
    """The open slots of the student's supervisors that can still be booked (one query)."""
    supervisors = _supervisor_ids(session, student_id)
    if not supervisors:
        return []
    return list(
        session.exec(
            select(IntakeSlot)
            .join(IntakeBooking, col(IntakeBooking.slot_id) == col(IntakeSlot.id), isouter=True)
            .where(
                col(IntakeSlot.supervisor_id).in_(supervisors),
                col(IntakeSlot.cancelled_at).is_(None),
                col(IntakeSlot.starts_at) >= now + CHANGE_LIMIT,
                col(IntakeBooking.id).is_(None),
            )
            .order_by(col(IntakeSlot.starts_at), col(IntakeSlot.id))
        )
    )


@dataclass(frozen=True)
class Booked:
    booking: IntakeBooking
    slot: IntakeSlot
    student: Person
    supervisor: Person


def booking_of(session: Session, student_id: int) -> Booked | None:
    """The student's booking (held or not) with its slot and both people, in one statement."""
    return _booked(session.exec(_booked_query().where(IntakeBooking.student_id == student_id)).first())


def booking(session: Session, booking_id: int) -> Booked | None:
    return _booked(session.exec(_booked_query().where(IntakeBooking.id == booking_id)).first())


_StudentPerson = aliased(Person, name="booking_student")
_SupervisorPerson = aliased(Person, name="slot_supervisor")


def _booked_query():  # type: ignore[no-untyped-def]
    return (
        select(IntakeBooking, IntakeSlot, _StudentPerson, _SupervisorPerson)
        .join(IntakeSlot, col(IntakeSlot.id) == col(IntakeBooking.slot_id))
        .join(_StudentPerson, _StudentPerson.id == IntakeBooking.student_id)
        .join(_SupervisorPerson, _SupervisorPerson.id == IntakeSlot.supervisor_id)
    )


def _booked(row: tuple[IntakeBooking, IntakeSlot, Person, Person] | None) -> Booked | None:
    return Booked(*row) if row is not None else None


# --- the student's changes -----------------------------------------------------------------------------


def _bookable(session: Session, student_id: int, slot_id: int, now: datetime) -> IntakeSlot:
    slot = session.get(IntakeSlot, slot_id)
    if slot is None or slot.cancelled_at is not None:
        raise IntakeError("slot_gone")
    if slot.supervisor_id not in _supervisor_ids(session, student_id):
        raise IntakeError("not_your_supervisor")
    if not may_change(slot.starts_at, now):
        raise IntakeError("too_late")
    return slot


def _flush_or_explain(session: Session, student_id: int) -> None:
    """The unique constraints decide a race; the loser's transaction is rolled back and told why."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        mine = session.exec(select(IntakeBooking.id).where(IntakeBooking.student_id == student_id)).first()
        raise IntakeError("already_booked" if mine is not None else "taken") from None


def book(session: Session, student_id: int, slot_id: int, now: datetime) -> IntakeBooking:
    """Book a slot. Run it first in its transaction: losing a race rolls the transaction back."""
    slot = _bookable(session, student_id, slot_id, now)
    booked = IntakeBooking(slot_id=slot_id, student_id=student_id, booked_at=now)
    session.add(booked)
    _flush_or_explain(session, student_id)
    audit.log(
        session,
        now,
        "intake.booked",
        actor_id=student_id,
        student_id=student_id,
        subject=f"intake_slot:{slot.id}",
    )
    refresh_step(session, student_id, now)
    return booked


def move(session: Session, student_id: int, slot_id: int, now: datetime) -> IntakeBooking:
    """Move the booking to another free slot; both the old and the new one must be 24 h away."""
    current = booking_of(session, student_id)
    if current is None:
        raise IntakeError("no_booking")
    if current.booking.held_at is not None:
        raise IntakeError("already_held")
    if not may_change(current.slot.starts_at, now):
        raise IntakeError("booking_locked")
    if current.slot.id == slot_id:
        return current.booking
    _bookable(session, student_id, slot_id, now)
    moved = current.booking
    old_slot = moved.slot_id
    moved.slot_id, moved.sequence, moved.booked_at = slot_id, moved.sequence + 1, now
    session.add(moved)
    _flush_or_explain(session, student_id)
    audit.log(
        session,
        now,
        "intake.moved",
        actor_id=student_id,
        student_id=student_id,
        subject=f"intake_slot:{slot_id}",
        previous_slot=old_slot,
    )
    return moved


def cancel(session: Session, student_id: int, now: datetime) -> Booked:
    """The student cancels until 24 h before; returns what was cancelled (to tell the supervisor)."""
    current = booking_of(session, student_id)
    if current is None:
        raise IntakeError("no_booking")
    if current.booking.held_at is not None:
        raise IntakeError("already_held")
    if not may_change(current.slot.starts_at, now):
        raise IntakeError("booking_locked")
    session.delete(current.booking)
    audit.log(
        session,
        now,
        "intake.cancelled",
        actor_id=student_id,
        student_id=student_id,
        subject=f"intake_slot:{current.slot.id}",
    )
    session.flush()
    refresh_step(session, student_id, now)
    return current


# --- the supervisor's changes --------------------------------------------------------------------------


def cancel_slot(
    session: Session, slot_id: int, actor_id: int, now: datetime
) -> tuple[IntakeSlot, Booked | None]:
    """Withdraw a slot (at any time before it starts); a student who had booked it loses the booking.
    Who may is checked by the caller with models.access.may_manage_slot."""
    slot = session.get(IntakeSlot, slot_id)
    if slot is None or slot.cancelled_at is not None:
        raise IntakeError("slot_gone")
    if slot.starts_at <= now:
        raise IntakeError("slot_started")
    booked = _booked(session.exec(_booked_query().where(IntakeBooking.slot_id == slot_id)).first())
    if booked is not None and booked.booking.held_at is not None:
        raise IntakeError("already_held")
    slot.cancelled_at = now
    session.add(slot)
    if booked is not None:
        session.delete(booked.booking)
    audit.log(
        session,
        now,
        "intake.slot_cancelled",
        actor_id=actor_id,
        student_id=booked.student.id if booked else None,
        subject=f"intake_slot:{slot_id}",
    )
    session.flush()
    if booked is not None and booked.student.id is not None:
        refresh_step(session, booked.student.id, now)
    return slot, booked


def mark_held(session: Session, booking_id: int, actor_id: int, note: str, now: datetime) -> Booked:
    """Record that the meeting took place, with the staff's note; marking again only changes the note.
    Who may is checked by the caller with models.access.may_review."""
    current = booking(session, booking_id)
    if current is None:
        raise IntakeError("no_booking")
    if current.slot.starts_at > now:
        raise IntakeError("not_yet")
    if len(note) > MAX_NOTE_LENGTH:
        raise IntakeError("note_too_long")
    held = current.booking
    first_time = held.held_at is None
    if first_time:
        held.held_at, held.held_by_id = now, actor_id
    held.note = note.strip() or None
    session.add(held)
    audit.log(
        session,
        now,
        "intake.held" if first_time else "intake.note_changed",
        actor_id=actor_id,
        student_id=held.student_id,
        subject=f"intake_booking:{booking_id}",
    )
    refresh_step(session, held.student_id, now)
    return current


# --- step 1 and what others read -----------------------------------------------------------------------


def step_state(held: bool, booked: bool, preferences: bool) -> StepState:
    """Step 1: done when the intake was held and the preferences were given; started by either."""
    if held and preferences:
        return StepState.DONE
    if held or booked or preferences:
        return StepState.IN_PROGRESS
    return StepState.NOT_STARTED


def refresh_step(session: Session, student_id: int, now: datetime) -> StepState:
    """Record step 1's state; the preferences feature calls this too after a student submits."""
    current = session.exec(select(IntakeBooking).where(IntakeBooking.student_id == student_id)).first()
    state = step_state(
        held=current is not None and current.held_at is not None,
        booked=current is not None,
        preferences=has_preferences(session, student_id),
    )
    progress.record(session, student_id, Step.INTAKE, state, now)
    return state


@dataclass(frozen=True)
class ScheduleRow:
    slot: IntakeSlot
    booking: IntakeBooking | None
    student: Person | None


def schedule(session: Session, supervisor_id: int, now: datetime) -> list[ScheduleRow]:
    """A supervisor's open slots from today on, and their recent meetings not yet marked held (all of
    them: the view shows them a page at a time)."""
    rows = session.exec(
        select(IntakeSlot, IntakeBooking, Person)
        .join(IntakeBooking, col(IntakeBooking.slot_id) == col(IntakeSlot.id), isouter=True)
        .join(Person, col(Person.id) == col(IntakeBooking.student_id), isouter=True)
        .where(
            IntakeSlot.supervisor_id == supervisor_id,
            col(IntakeSlot.cancelled_at).is_(None),
            or_(
                col(IntakeSlot.ends_at) >= now,
                (col(IntakeSlot.starts_at) >= now - RECENT)
                & col(IntakeBooking.id).is_not(None)
                & col(IntakeBooking.held_at).is_(None),
            ),
        )
        .order_by(col(IntakeSlot.starts_at), col(IntakeSlot.id))
    )
    return [ScheduleRow(slot, booked, person) for slot, booked, person in rows]


@dataclass(frozen=True)
class DueReminder:
    """One intake meeting tomorrow: for the scheduler's day-before reminder to both people."""

    booking_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    student_slack_id: str
    supervisor_slack_id: str
    due: date  # the meeting's local date: with the booking id, the reminder's natural key


def due_reminders(session: Session, now: datetime, tz: ZoneInfo) -> list[DueReminder]:
    """Booked meetings (not held, slot not cancelled) that take place tomorrow in local time."""
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=tz)
    student = aliased(Person, name="student_person")
    supervisor = aliased(Person, name="supervisor_person")
    rows = session.exec(
        select(IntakeBooking, IntakeSlot, col(student.slack_user_id), col(supervisor.slack_user_id))
        .join(IntakeSlot, col(IntakeSlot.id) == col(IntakeBooking.slot_id))
        .join(student, col(student.id) == col(IntakeBooking.student_id))
        .join(supervisor, col(supervisor.id) == col(IntakeSlot.supervisor_id))
        .where(
            col(IntakeSlot.cancelled_at).is_(None),
            col(IntakeBooking.held_at).is_(None),
            col(IntakeSlot.starts_at) >= start,
            col(IntakeSlot.starts_at) < start + timedelta(days=1),
        )
        .order_by(col(IntakeSlot.starts_at))
    )
    return [
        DueReminder(b.id, s.starts_at, s.ends_at, s.place, student_slack, supervisor_slack, tomorrow)  # type: ignore[arg-type]
        for b, s, student_slack, supervisor_slack in rows
    ]


def intake_held(session: Session, student_id: int) -> bool:
    """The half of step 1 that the preferences feature asks about (one indexed query)."""
    return (
        session.exec(
            select(IntakeBooking.id).where(
                IntakeBooking.student_id == student_id, col(IntakeBooking.held_at).is_not(None)
            )
        ).first()
        is not None
    )
