"""The number of SQL statements per `/stage status` does not grow with the cohort."""

from __future__ import annotations

from sqlmodel import select

from models.people import Person, Role
from models.progress import StepState
from tests import factories
from tests.conftest import Stack
from tests.statements import counted


def _grow(wire: Stack, start: int, count: int) -> None:
    with wire.session() as s:
        supervisor = s.exec(select(Person).where(Person.slack_user_id == "U0SUP0000")).one()
        for i in range(start, start + count):
            who = factories.student(s, f"U0ST{i:04d}", f"Student {i:04d}", supervisor=supervisor)
            factories.progress(s, who, INTAKE=StepState.DONE, DOCUMENTS=StepState.AWAITING_REVIEW)
    wire.sync_users()


def _statements_for(wire: Stack, user: str) -> int:
    wire.services.outbox.settle()
    with counted(wire.services.db.engine) as statements:
        answer = wire.ws.slash_command(user, "/stage", "status")
    assert answer.status == 200
    return len(statements)


def test_statements_per_status_are_independent_of_cohort_size(wire: Stack) -> None:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.person(s, "U0SUP0000", "Els Wouters", Role.SUPERVISOR)
    _grow(wire, 0, 5)
    small = {u: _statements_for(wire, u) for u in ("U0COORD", "U0SUP0000", "U0ST0001")}
    _grow(wire, 5, 120)
    large = {u: _statements_for(wire, u) for u in ("U0COORD", "U0SUP0000", "U0ST0001")}
    assert small == large
    assert all(n <= 20 for n in large.values()), large
