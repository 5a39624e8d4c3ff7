"""The review flow through the wire: propose, read the DM, accept one, exclude and propose again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from models.capacity import Declared, declare
from models.matching_runs import MatchProposal, MatchRun, ProposalStatus
from models.people import Role
from models.placements import Placement
from models.preferences import PreferenceSubmission
from models.progress import Step, StepProgress
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ALL = [
    ("Wiskunde", 1, "observation"), ("Wiskunde", 1, "co_teaching"), ("Wiskunde", 2, "co_teaching"),
    ("Wiskunde", 2, "guided"), ("Fysica", 1, "observation"), ("Fysica", 1, "co_teaching"),
    ("Fysica", 2, "co_teaching"), ("Fysica", 2, "guided"), ("", 1, "tutoring"), ("", 2, "tutoring"),
    ("", 1, "guided"), ("", 1, "independent"), ("", 1, "workplace_task"), ("", 2, "guided"),
    ("", 2, "independent"), ("", 2, "workplace_task"),
]  # fmt: skip


def school(s: Any, code: str, places: int) -> int:
    institution = Institution(code=code, name=f"School {code}", city="Gent", levels=["aso"], grades=[1, 2, 3])
    s.add(institution)
    s.flush()
    assert institution.id is not None
    for subject, semester, activity in ALL:
        declare(s, Declared(institution.id, subject, semester, activity, places, ("aso",), (2, 3)),
                actor_id=None, now=NOW)  # fmt: skip
    return institution.id


def setup(wire: Stack) -> dict[str, int]:
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        other = factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        ben = factories.student(s, "U0BEN", "Ben Peeters", supervisor=sup)
        carl = factories.student(s, "U0CARL", "Carl Janssens", supervisor=other)
        ids = {"anna": anna.id or 0, "ben": ben.id or 0, "carl": carl.id or 0}
        ids["ath"], ids["col"] = school(s, "ATH", 2), school(s, "COL", 2)
        for who in ("anna", "ben", "carl"):
            s.add(PreferenceSubmission(student_id=ids[who], submitted_at=NOW, source="modal",
                                       institution_ids=[ids["ath"], ids["col"]]))  # fmt: skip
        s.commit()
    wire.sync_users()
    return ids


def proposals(wire: Stack) -> list[MatchProposal]:
    with wire.session() as s:
        return list(s.exec(select(MatchProposal).order_by(MatchProposal.id)))


def test_supervisor_reviews_and_accepts_one_student(wire: Stack) -> None:
    ids = setup(wire)
    answer = wire.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    assert answer.ok
    assert "privébericht" in text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    wire.services.outbox.settle(timeout=60)
    dm = [m for m in wire.ws.messages(wire.ws.dm_channel("U0SUP")) if m.ephemeral_to is None][-1]
    shown = text_of(dm.blocks)
    assert "Anna De Smet" in shown and "Ben Peeters" in shown and "Carl" not in shown
    assert "voorkeur 1" in shown
    stored = proposals(wire)
    assert {p.student_id for p in stored} == {ids["anna"], ids["ben"]}
    assert all(p.institution_id == ids["ath"] for p in stored)  # both fit at their 1st choice
    assert not any_placements(wire)

    with wire.session() as s:
        run = s.exec(select(MatchRun)).one()
    wire.ws.click("U0SUP", "match_accept_one", block_id=f"match_{run.id}_{ids['anna']}")
    placed = any_placements(wire)
    assert {p.student_id for p in placed} == {ids["anna"]} and len(placed) == 6
    assert all(p.is_approved and p.institution_id == ids["ath"] for p in placed)
    with wire.session() as s:
        assert s.get(StepProgress, (ids["anna"], int(Step.MATCHING))).state == "done"  # type: ignore[union-attr]
    assert {p.status for p in proposals(wire) if p.student_id == ids["anna"]} == {ProposalStatus.ACCEPTED}
    assert "School ATH" in text_of(wire.ws.messages(wire.ws.dm_channel("U0ANNA"))[-1].blocks)


def test_another_supervisor_cannot_accept_and_nothing_changes(wire: Stack) -> None:
    setup(wire)
    wire.ws.slash_command("U0SUP", "/stage", "match propose")
    wire.services.outbox.settle(timeout=60)
    dm = [m for m in wire.ws.messages(wire.ws.dm_channel("U0SUP")) if m.ephemeral_to is None][-1]
    button = next(e for b in dm.blocks if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "match_accept_all")  # fmt: skip
    wire.ws.slash_command("U0OTHER", "/stage", "match propose")
    wire.services.outbox.settle(timeout=60)
    wire.ws.click("U0OTHER", "match_accept_all", value=button["value"])
    assert not any_placements(wire)
    assert "niet van jou" in text_of(wire.ws.ephemerals("U0OTHER")[-1].blocks) or "niet van jou" in (
        wire.ws.ephemerals("U0OTHER")[-1].text or ""
    )


def test_exclude_an_institution_and_propose_again(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    wire.services.outbox.settle(timeout=60)
    with wire.session() as s:
        run = s.exec(select(MatchRun)).one()
    wire.ws.click("U0SUP", "match_exclude", value=f"{run.id}:{ids['ath']}")
    wire.services.outbox.settle(timeout=60)
    latest = [p for p in proposals(wire) if p.run_id != run.id]
    assert latest and all(p.institution_id == ids["col"] and p.rank == 2 for p in latest)
    assert {p.status for p in proposals(wire) if p.run_id == run.id} == {ProposalStatus.SUPERSEDED}
    shown = text_of(wire.ws.messages(wire.ws.dm_channel("U0SUP"))[-1].blocks)
    assert "uitgesloten" in shown and "voorkeur 2" in shown


def test_students_may_not_propose(wire: Stack) -> None:
    setup(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "matchen voorstel")
    wire.services.outbox.settle(timeout=10)
    assert not proposals(wire)


def any_placements(wire: Stack) -> list[Placement]:
    with wire.session() as s:
        return list(s.exec(select(Placement)))


def test_too_few_guided_places_are_named_without_a_cause_that_does_not_exist(wire: Stack) -> None:
    """No former schools, conflicts or level limits: the co-teaching left over is tied to the scarce
    guided places, and the DM says so instead of "not where they may go (former school, ...)"."""
    with wire.session() as s:
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        students = [factories.student(s, f"U0ST{i}", f"Student {i}", supervisor=sup) for i in range(3)]
        institution = Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3])
        s.add(institution)
        s.flush()
        assert institution.id is not None
        for subject, semester, activity in ALL:
            places = 1 if (subject, semester, activity) == ("Wiskunde", 2, "guided") else 30
            declare(s, Declared(institution.id, subject, semester, activity, places, ("aso",), (2, 3)),
                    actor_id=None, now=NOW)  # fmt: skip
        for student in students:
            s.add(PreferenceSubmission(student_id=student.id, submitted_at=NOW, source="modal",
                                       institution_ids=[institution.id]))  # fmt: skip
        s.commit()
    wire.sync_users()
    wire.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    wire.services.outbox.settle(timeout=60)
    posted = [m for m in wire.ws.messages(wire.ws.dm_channel("U0SUP")) if m.ephemeral_to is None]
    dm = text_of(posted[-1].blocks)  # the proposal DM may arrive before or after the ephemeral answer
    assert "Geen volledig voorstel mogelijk" in dm
    assert "Wiskunde, semester 2, begeleide stage: 3 studenten, 1 plaatsen (2 niet geplaatst)" in dm
    assert "co-teaching moet op dezelfde school als begeleide stage, en daar zijn maar 1 plaatsen" in dm
    assert "oude school" not in dm and "onderwijsniveau" not in dm
