"""Students clicking the same intake slot at the same moment: the database decides, exactly one wins,
and every other one is offered the slots that remain."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from models.intake import IntakeBooking, IntakeSlot
from models.people import Role
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack


@pytest.mark.parametrize("students", [2, 4])
def test_concurrent_bookings_of_one_slot_have_exactly_one_winner(wire: Stack, students: int) -> None:
    with wire.session() as s:
        els = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        people = [factories.student(s, f"U0STU{i}", f"Student {i}", supervisor=els) for i in range(students)]
        ids = {p.slack_user_id: p.id for p in people}
    wire.sync_users()
    wire.ws.slash_command("U0SUP", "/stage", "intake slots di 8 dec 14u-15u, 20 min")
    wire.ws.click("U0SUP", "intake_publish")
    wire.services.outbox.settle()
    with wire.session() as s:
        slots = list(s.exec(select(IntakeSlot).order_by(IntakeSlot.starts_at)))
    contested = slots[0]
    offers = {user: wire.ws.messages(user)[-1] for user in ids}  # each student's DM with the free slots

    start = threading.Barrier(students)
    failures: list[BaseException] = []

    def click(user: str) -> None:
        try:
            start.wait(timeout=5)
            wire.ws.click(user, f"intake_book_{contested.id}", message=offers[user])
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=click, args=(user,)) for user in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    wire.services.outbox.settle()

    with wire.session() as s:
        bookings = list(s.exec(select(IntakeBooking)))
    assert len(bookings) == 1 and bookings[0].slot_id == contested.id
    winner = next(user for user, pid in ids.items() if pid == bookings[0].student_id)
    for user in ids:
        shown = text_of(next(m for m in wire.ws.messages(user) if m.ts == offers[user].ts).blocks)
        if user == winner:
            assert "Geboekt" in shown
        else:
            assert "net door iemand anders geboekt" in shown
            remaining = next(m for m in wire.ws.messages(user) if m.ts == offers[user].ts)
            assert f"intake_book_{slots[1].id}" in str(remaining.blocks)
            assert f"intake_book_{contested.id}" not in str(remaining.blocks)
