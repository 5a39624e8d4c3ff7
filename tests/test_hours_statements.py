"""The hours in `/stage status` and the staff's `/stage uren` overview take a fixed number of SQL
statements, whatever the number of hours logged or students followed."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlmodel import select

from models.hours import HoursConfirmation, HoursEntry
from models.people import Person, Role
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.schools import Institution
from tests import factories
from tests.conftest import NOW, Stack
from tests.statements import counted


def _grow(wire: Stack, start: int, count: int) -> None:
    """Students with an approved planning of 9 lessons, 9 hours logged and a confirmed week each."""
    with wire.session() as s:
        sup = s.exec(select(Person).where(Person.slack_user_id == "U0SUP")).one()
        school = s.exec(select(Institution)).one()
        for i in range(start, start + count):
            who = factories.student(s, f"U0ST{i:04d}", f"Student {i:04d}", supervisor=sup)
            assert who.id is not None and school.id is not None
            placement = Placement(
                student_id=who.id, institution_id=school.id, course_code="VDX2",
                activities=["co_teaching", "guided"], semester=2, start=date(2027, 2, 15),
                end=date(2027, 4, 2), hours=9, level="aso", grade=3, placed_at=NOW,
            )  # fmt: skip
            s.add(placement)
            s.flush()
            version = PlanningVersion(
                placement_id=placement.id or 0, student_id=who.id, number=1, status="approved", created_at=NOW
            )
            record = HoursConfirmation(student_id=who.id, week_start=date(2027, 2, 15), state="confirmed",
                                       created_at=NOW)  # fmt: skip
            s.add_all([version, record])
            s.flush()
            for n in range(9):
                day = date(2027, 2, 15) + timedelta(days=n + 2 * (n // 5))
                activity = "co_teaching" if n < 2 else "guided"
                s.add(
                    PlannedLesson(version_id=version.id or 0, day=day, start=time(10), end=time(10, 50),
                                  activity=activity, level="aso", grade=3)
                )  # fmt: skip
                s.add(
                    HoursEntry(
                        key=f"lesson:{placement.id}:{n}", student_id=who.id, placement_id=placement.id or 0,
                        day=day, activity=activity, level="aso", grade=3, hours=1.0, state="given",
                        lesson_start=time(10), confirmation_id=record.id if n < 4 else None, updated_at=NOW,
                    )
                )  # fmt: skip
    wire.sync_users()


def _statements(wire: Stack, user: str, text: str) -> int:
    wire.services.outbox.settle()
    with counted(wire.services.db.engine) as statements:
        answer = wire.ws.slash_command(user, "/stage", text)
    assert answer.status == 200
    return len(statements)


def test_hours_statements_are_independent_of_cohort_and_log_size(wire: Stack) -> None:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        s.add(Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3]))
    _grow(wire, 0, 3)
    asks = [("U0COORD", "uren"), ("U0SUP", "uren"), ("U0ST0001", "status"), ("U0ST0001", "uren")]
    small = [_statements(wire, u, text) for u, text in asks]
    _grow(wire, 3, 60)
    large = [_statements(wire, u, text) for u, text in asks]
    assert small == large
    assert all(n <= 30 for n in large), large
