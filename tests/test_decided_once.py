"""Every decision is decided once, every creation happens once: two requests released together (two
clicks, two people, a double submit), on each database. One outcome, one set of messages, and the second
clicker is told who decided, and when, in their own language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from bot.flows import documents as document_flow
from models.agreements import FrameworkAgreement
from models.audit import AuditEntry
from models.document_store import DocumentStore
from models.documents import Document, DocumentDecision
from models.lio import ReductionRequest
from models.matching_runs import MatchProposal, ProposalStatus
from models.pending_jobs import PendingJob
from models.people import Role
from models.placements import PlacedActivity, Placement
from models.planning import PlannedLesson, PlanningVersion
from tests import factories
from tests import test_documents as documents_flow
from tests import test_lio as lio_flow
from tests import test_matching_flow as matching_flow
from tests import test_placements as placements_flow
from tests import test_planning as planning_flow
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.race import no_errors_logged, together


def _audit(wire: Stack, action: str) -> list[AuditEntry]:
    with wire.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)))


def _texts(wire: Stack, user: str) -> list[str]:
    return [text_of(m.blocks) or m.text for m in wire.ws.messages(user) if not m.deleted]


# --- planning ---------------------------------------------------------------------------------------------


def _submitted_planning(wire: Stack) -> dict[str, int]:
    ids = planning_flow.setup(wire)
    planning_flow.save(wire, planning_flow.type_lessons(wire, ids["placement"], planning_flow.COMPLETE))
    assert "ingediend" in planning_flow.submit(wire, ids["placement"])
    return ids


def test_a_supervisor_and_the_coordinator_approving_one_planning_at_once_decide_it_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    _submitted_planning(wire)
    review = wire.ws.messages("U0SUP")[-1]
    with wire.session() as s:
        version = s.exec(select(PlanningVersion)).one()
    before = len(wire.ws.messages("U0ANNA"))
    # the coordinator has the review open too (e.g. from the student's record): the same button
    together(
        lambda: wire.ws.click("U0SUP", "planning_approve", str(version.id), message=review),
        lambda: wire.ws.click("U0COORD", "planning_approve", str(version.id), message=review),
    )
    assert len(_audit(wire, "planning.approved")) == 1
    told = _texts(wire, "U0ANNA")[before:]
    assert sum(t.startswith("Je stagerooster voor") for t in told) == 1, told
    assert sum("Je mag starten" in t for t in told) == 1
    with wire.session() as s:
        decided = s.exec(select(PlanningVersion)).one()
    assert decided.status == "approved"
    refusals = wire.ws.ephemerals("U0SUP") + wire.ws.ephemerals("U0COORD")
    assert len(refusals) == 1
    assert "Hierover is al beslist" in refusals[0].text and "Goedgekeurd door <@" in refusals[0].text
    no_errors_logged(caplog)


def test_approve_and_request_changes_at_once_decide_a_planning_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    _submitted_planning(wire)
    review = wire.ws.messages("U0SUP")[-1]
    wire.ws.click("U0SUP", "planning_changes", message=review)
    modal = wire.ws.open_views("U0SUP")[-1]
    reason = {"reason": {"reason": "Spreid de lessen over meer weken"}}
    before = len(wire.ws.messages("U0ANNA"))
    _, changes = together(
        lambda: wire.ws.click("U0COORD", "planning_approve", message=review),
        lambda: wire.ws.submit_view("U0SUP", modal, reason),
    )
    assert len(_audit(wire, "planning.approved")) + len(_audit(wire, "planning.changes_requested")) == 1
    with wire.session() as s:
        decided = s.exec(select(PlanningVersion)).one()
    told = [t for t in _texts(wire, "U0ANNA")[before:] if t.startswith("Je stage")]
    assert len(told) == 1
    if decided.status == "approved":  # the coordinator came first: the supervisor's modal says so
        assert "Hierover is al beslist: ✅ Goedgekeurd door <@U0COORD>" in changes.json["errors"]["reason"]
    else:
        (refusal,) = wire.ws.ephemerals("U0COORD")
        assert refusal.text.startswith("Hierover is al beslist: ↩️ Teruggestuurd door <@U0SUP>")
    no_errors_logged(caplog)


def test_submitting_a_planning_twice_at_once_sends_one_review(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = planning_flow.setup(wire)
    planning_flow.save(wire, planning_flow.type_lessons(wire, ids["placement"], planning_flow.COMPLETE))
    wire.ws.slash_command("U0ANNA", "/stage", "planning")
    listing = wire.ws.messages("U0ANNA")[-1]
    before = len(wire.ws.messages("U0ANNA"))
    together(
        lambda: wire.ws.click("U0ANNA", "planning_submit", str(ids["placement"]), message=listing),
        lambda: wire.ws.click("U0ANNA", "planning_submit", str(ids["placement"]), message=listing),
    )
    reviews = [m for m in wire.ws.messages("U0SUP") if "diende een stagerooster in" in text_of(m.blocks)]
    assert len(reviews) == 1
    answers = sorted(_texts(wire, "U0ANNA")[before:])
    assert len(answers) == 2
    assert "al ingediend en wacht op goedkeuring" in answers[0]
    assert "ingediend bij <@U0SUP>" in answers[1]
    assert len(_audit(wire, "planning.submitted")) == 1
    no_errors_logged(caplog)


def test_saving_one_preview_twice_at_once_saves_its_lessons_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = planning_flow.setup(wire)
    preview = planning_flow.type_lessons(wire, ids["placement"], planning_flow.COMPLETE)
    together(lambda: planning_flow.save(wire, preview), lambda: planning_flow.save(wire, preview))
    assert len(planning_flow.lessons(wire, ids["placement"])) == 9
    shown = text_of(next(m for m in wire.ws.messages("U0ANNA") if m.ts == preview.ts).blocks)
    assert "9 lessen bewaard" in shown
    refusals = [m.text for m in wire.ws.ephemerals("U0ANNA") if "voorvertoning" in m.text]
    assert refusals == ["Deze voorvertoning is al afgehandeld: er is al op Bewaren of Annuleren geklikt."]
    no_errors_logged(caplog)


def test_the_lesson_modal_submitted_twice_at_once_adds_one_lesson(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = planning_flow.setup(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "planning")
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    first = {
        "day": {"day": "2027-02-15"},
        "start": {"start": "10u"},
        "end": {"end": "10u50"},
        "activity": {"activity": "guided"},
    }
    assert wire.ws.submit_view("U0ANNA", wire.ws.open_views("U0ANNA")[-1], first).ok  # the draft exists
    wire.ws.click("U0ANNA", "planning_add", str(ids["placement"]))
    modal = wire.ws.open_views("U0ANNA")[-1]
    lesson = first | {"day": {"day": "2027-02-16"}}
    before = len(wire.ws.messages("U0ANNA"))
    answers = together(
        lambda: wire.ws.submit_view("U0ANNA", modal, lesson),
        lambda: wire.ws.submit_view("U0ANNA", modal, lesson),
    )
    assert all(a.ok for a in answers)
    with wire.session() as s:
        assert len(s.exec(select(PlannedLesson)).all()) == 2
        assert len(s.exec(select(PlanningVersion)).all()) == 1
    assert sum("1 les bewaard" in t for t in _texts(wire, "U0ANNA")[before:]) == 1
    errors = [a.json["errors"]["day"] for a in answers if a.json and a.json.get("errors")]
    assert len(errors) == 1 and "Overlapt met een andere les (10:00–10:50)" in errors[0]
    no_errors_logged(caplog)


# --- documents --------------------------------------------------------------------------------------------


@pytest.fixture
def store(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    """Documents kept in the test's own folder; no waiting between fetch attempts."""
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    return DocumentStore(tmp_path / "documents")


def test_two_clicks_at_once_on_a_document_type_keep_one_version_and_ask_the_reviewer_once(
    wire: Stack, store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    documents_flow._people(wire)
    wire.ws.upload_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    asked = wire.ws.messages("U0ANNA")[-1]
    pick = "documents_pick:commitment"
    together(
        lambda: wire.ws.click("U0ANNA", pick, message=asked),
        lambda: wire.ws.click("U0ANNA", pick, message=asked),
    )
    wire.services.outbox.settle()
    with wire.session() as s:
        assert len(s.exec(select(Document)).all()) == 1
        assert s.exec(select(PendingJob)).all() == []  # both jobs done, none left failed
    reviews = [m for m in wire.ws.messages("U0SUP") if "documents_approve" in json.dumps(m.blocks)]
    assert len(reviews) == 1
    answer = text_of(next(m for m in wire.ws.messages("U0ANNA") if m.ts == asked.ts).blocks)
    assert "al ingeleverd" not in answer and "<@U0SUP>" in answer
    assert len(_audit(wire, "document.uploaded")) == 1
    no_errors_logged(caplog)


def test_two_reviewers_approving_one_document_at_once_decide_it_once(
    wire: Stack, store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    documents_flow._people(wire)
    documents_flow._drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    document = documents_flow._rows(wire)[0]
    review = documents_flow._review_message(wire, "U0SUP", document.id or 0)
    before = len(wire.ws.messages("U0ANNA"))
    together(
        lambda: wire.ws.click("U0SUP", "documents_approve", str(document.id), message=review),
        lambda: wire.ws.click("U0COORD", "documents_approve", str(document.id), message=review),
    )
    with wire.session() as s:
        decided = s.exec(select(DocumentDecision)).all()
    assert len(decided) == 1
    assert len(_audit(wire, "document.approved")) == 1
    told = [t for t in _texts(wire, "U0ANNA")[before:] if "is goedgekeurd" in t]
    assert len(told) == 1
    refusals = wire.ws.ephemerals("U0SUP") + wire.ws.ephemerals("U0COORD")
    assert len(refusals) == 1
    assert "Hierover is al beslist: ✅ Goedgekeurd door <@" in refusals[0].text
    no_errors_logged(caplog)


# --- LIO --------------------------------------------------------------------------------------------------

ALREADY = {
    "nl": "Hierover is al beslist: ✅ Goedgekeurd door <@{who}> op ",
    "en": "This was already decided: ✅ Approved by <@{who}> on ",
}


@pytest.fixture
def counsellors(wire: Stack, store: DocumentStore) -> dict[str, int]:
    """Anna (a student), her supervisor, and two counsellors: one reads Dutch, one English."""
    with wire.session() as s:
        factories.person(s, "U0STB", "Sofie Janssens", Role.COUNSELLOR)
        factories.person(s, "U0STB2", "Tom Claes", Role.COUNSELLOR, locale="en-GB")
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
    wire.sync_users()
    return {"anna": anna.id or 0}


def _the_other(user: str) -> str:
    return "U0STB2" if user == "U0STB" else "U0STB"


def test_an_lio_application_submitted_twice_at_once_is_one_application(
    wire: Stack, counsellors: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    values = lio_flow.form() | lio_flow.proof(wire)
    answers = together(
        lambda: wire.ws.submit_view("U0ANNA", modal, values),
        lambda: wire.ws.submit_view("U0ANNA", modal, values),
    )
    assert all(a.ok for a in answers)
    wire.services.outbox.settle()
    (application,) = lio_flow.applications(wire)
    assert application.status == "pending"
    with wire.session() as s:
        assert len(s.exec(select(Document)).all()) == 1  # the proof, once
        assert s.exec(select(PendingJob)).all() == []
    for counsellor in ("U0STB", "U0STB2"):
        asked = [m for m in wire.ws.messages(counsellor) if "lio_approve" in json.dumps(m.blocks)]
        assert len(asked) == 1
    assert sum("Je LIO-aanvraag is ingediend" in t for t in _texts(wire, "U0ANNA")) == 1
    assert len(_audit(wire, "lio.applied")) == 1
    no_errors_logged(caplog)


def test_two_counsellors_approving_one_lio_application_at_once_decide_it_once(
    wire: Stack, counsellors: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    lio_flow.apply(wire, lio_flow.form() | lio_flow.proof(wire))
    (application,) = lio_flow.applications(wire)
    value = f"application:{application.id}"
    mine = {user: lio_flow.review(wire, user, value) for user in ("U0STB", "U0STB2")}
    before = {user: len(wire.ws.messages(user)) for user in ("U0ANNA", "U0SUP")}
    together(
        lambda: wire.ws.click("U0STB", "lio_approve", message=mine["U0STB"]),
        lambda: wire.ws.click("U0STB2", "lio_approve", message=mine["U0STB2"]),
    )
    (application,) = lio_flow.applications(wire)
    assert application.status == "approved"
    assert len(_audit(wire, "lio.approved")) == 1
    assert len(wire.ws.messages("U0ANNA")) == before["U0ANNA"] + 1  # told once
    assert len(wire.ws.messages("U0SUP")) == before["U0SUP"] + 1  # the supervisor too
    with wire.session() as s:
        from models.people import Person

        winner = s.get_one(Person, application.decided_by_id).slack_user_id
    loser = _the_other(winner)
    (refusal,) = wire.ws.ephemerals(loser)
    language = "en" if loser == "U0STB2" else "nl"
    assert refusal.text.startswith(ALREADY[language].format(who=winner))
    assert wire.ws.ephemerals(winner) == []
    no_errors_logged(caplog)


def test_a_reduction_request_submitted_twice_at_once_is_one_request(
    wire: Stack, counsellors: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    lio_flow.apply(wire, lio_flow.form(total="499", grades="150", x="100", y="25") | lio_flow.proof(wire))
    wire.ws.click("U0STB", "lio_approve", f"application:{lio_flow.applications(wire)[0].id}")
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    values = {"motivation": {"value": {"value": "Ik geef al 100 uur wiskunde."}}}
    together(
        lambda: wire.ws.submit_view("U0ANNA", modal, values),
        lambda: wire.ws.submit_view("U0ANNA", modal, values),
    )
    wire.services.outbox.settle()
    with wire.session() as s:
        (request,) = s.exec(select(ReductionRequest)).all()
    assert request.status == "pending"
    asked = [m for m in wire.ws.messages("U0STB") if f"reduction:{request.id}" in json.dumps(m.blocks)]
    assert len(asked) == 1
    assert sum("Je aanvraag tot stagevermindering is ingediend" in t for t in _texts(wire, "U0ANNA")) == 1
    no_errors_logged(caplog)


def test_two_counsellors_deciding_one_reduction_at_once_decide_it_once(
    wire: Stack, counsellors: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    lio_flow.apply(wire, lio_flow.form(total="499", grades="150", x="100", y="25") | lio_flow.proof(wire))
    wire.ws.click("U0STB", "lio_approve", f"application:{lio_flow.applications(wire)[0].id}")
    assert wire.ws.slash_command("U0ANNA", "/stage", "lio vermindering").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    wire.ws.submit_view("U0ANNA", modal, {"motivation": {"value": {"value": "Ik geef al 100 uur wiskunde."}}})
    wire.services.outbox.settle()
    with wire.session() as s:
        (request,) = s.exec(select(ReductionRequest)).all()
    value = f"reduction:{request.id}"
    mine = {user: lio_flow.review(wire, user, value) for user in ("U0STB", "U0STB2")}
    together(
        lambda: wire.ws.click("U0STB", "lio_approve", message=mine["U0STB"]),
        lambda: wire.ws.click("U0STB2", "lio_approve", message=mine["U0STB2"]),
    )
    assert len(_audit(wire, "lio.reduction_approved")) == 1
    assert sum("Je stagevermindering is goedgekeurd" in t for t in _texts(wire, "U0ANNA")) == 1
    refusals = wire.ws.ephemerals("U0STB") + wire.ws.ephemerals("U0STB2")
    assert len(refusals) == 1 and "✅" in refusals[0].text
    no_errors_logged(caplog)


# --- placements, matching, agreements ---------------------------------------------------------------------


def test_the_assign_modal_submitted_twice_at_once_places_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = placements_flow.setup(wire)
    view = placements_flow.open_assign(wire, "U0SUP")
    before = {user: len(wire.ws.messages(user)) for user in ("U0ANNA", "U0SUP")}

    def place() -> object:
        return placements_flow.submit(
            wire, "U0SUP", view, ids["atheneum"], ["VDX1:observation", "VDX1:co_teaching"], "aso", "3"
        )

    answers = together(place, place)
    assert all(a.ok for a in answers)
    (placement,) = placements_flow.placements_of(wire, ids["anna"])
    assert placement.status == "active" and placement.activities == ["observation", "co_teaching"]
    assert len(wire.ws.messages("U0ANNA")) == before["U0ANNA"] + 1
    assert len(wire.ws.messages("U0SUP")) == before["U0SUP"] + 1
    errors = [a.json["errors"] for a in answers if a.json and a.json.get("errors")]
    assert len(errors) == 1 and "Al geplaatst" in " ".join(errors[0].values())
    assert len(_audit(wire, "placement.created")) == 1
    no_errors_logged(caplog)


def test_a_withdrawn_placement_lets_its_activities_go(wire: Stack) -> None:
    ids = placements_flow.setup(wire)
    view = placements_flow.open_assign(wire, "U0SUP")
    placements_flow.submit(wire, "U0SUP", view, ids["atheneum"], ["VDX1:observation"], "aso", "3")
    (first,) = placements_flow.placements_of(wire, ids["anna"])
    with wire.session() as s:
        assert [(h.course_code, h.activity) for h in s.exec(select(PlacedActivity))] == [
            ("VDX1", "observation")
        ]
    wire.ws.slash_command("U0SUP", "/stage", "plaatsingen <@U0ANNA>")
    wire.ws.click("U0SUP", "placement_withdraw", str(first.id))
    with wire.session() as s:
        assert s.exec(select(PlacedActivity)).all() == []
    view = placements_flow.open_assign(wire, "U0SUP")
    placements_flow.submit(wire, "U0SUP", view, ids["atheneum"], ["VDX1:observation"], "aso", "3")
    assert [p.status for p in placements_flow.placements_of(wire, ids["anna"])] == ["withdrawn", "active"]


def test_a_supervisor_and_the_coordinator_withdrawing_one_placement_at_once_withdraw_it_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = placements_flow.setup(wire)
    view = placements_flow.open_assign(wire, "U0SUP")
    placements_flow.submit(wire, "U0SUP", view, ids["atheneum"], ["VDX1:observation"], "aso", "3")
    (placement,) = placements_flow.placements_of(wire, ids["anna"])
    confirmation = wire.ws.messages("U0SUP")[-1]
    before = len(wire.ws.messages("U0ANNA"))
    together(
        lambda: wire.ws.click("U0SUP", "placement_withdraw", str(placement.id), message=confirmation),
        lambda: wire.ws.click("U0COORD", "placement_withdraw", str(placement.id), message=confirmation),
    )
    assert placements_flow.placements_of(wire, ids["anna"])[0].status == "withdrawn"
    assert len(_audit(wire, "placement.withdrawn")) == 1
    assert sum("werd ingetrokken" in t for t in _texts(wire, "U0ANNA")[before:]) == 1
    (refusal,) = wire.ws.ephemerals("U0SUP") + wire.ws.ephemerals("U0COORD")
    assert refusal.text.startswith("Deze stageplaats is al beëindigd, door <@")
    no_errors_logged(caplog)


def test_a_schools_refusal_submitted_twice_at_once_is_told_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = placements_flow.setup(wire)
    placements_flow._place_and_request(wire, ids)
    wire.ws.click("U0ANNA", "placement_answer_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    values = {
        "outcome": {"outcome": "refused"},
        "on": {"on": "2026-11-28"},
        "reason": {"reason": "Geen mentor"},
    }
    before = len(wire.ws.messages("U0SUP"))
    answers = together(
        lambda: wire.ws.submit_view("U0ANNA", view, values),
        lambda: wire.ws.submit_view("U0ANNA", view, values),
    )
    assert len(_audit(wire, "placement.refused")) == 1
    assert len(wire.ws.messages("U0SUP")) == before + 1  # the supervisor hears it once
    errors = [a.json["errors"] for a in answers if a.json and a.json.get("errors")]
    assert errors == [{"outcome": "Het antwoord van deze school is al genoteerd."}]
    no_errors_logged(caplog)


def test_accept_all_clicked_twice_at_once_places_each_proposal_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    matching_flow.setup(wire)
    wire.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    wire.services.outbox.settle(timeout=60)
    dm = wire.ws.messages(wire.ws.dm_channel("U0SUP"))[-1]
    proposed = matching_flow.proposals(wire)
    before = {user: len(wire.ws.messages(user)) for user in ("U0ANNA", "U0BEN")}
    together(
        lambda: wire.ws.click("U0SUP", "match_accept_all", message=dm),
        lambda: wire.ws.click("U0SUP", "match_accept_all", message=dm),
    )
    with wire.session() as s:
        placed = s.exec(select(Placement)).all()
        taken = s.exec(select(MatchProposal).where(MatchProposal.status == ProposalStatus.ACCEPTED)).all()
    assert len(placed) == len(proposed) == len(taken)
    assert {p.placement_id for p in taken} == {p.id for p in placed}
    for student in ("U0ANNA", "U0BEN"):
        assert len(wire.ws.messages(student)) == before[student] + 1  # one "you were placed"
    assert len(_audit(wire, "matching.accepted")) == 1
    (refusal,) = wire.ws.ephemerals("U0SUP")[-1:]
    assert refusal.text.startswith("Hierover is al beslist: ✅ Goedgekeurd door <@U0SUP> op ")
    shown = text_of(next(m for m in wire.ws.messages("U0SUP") if m.ts == dm.ts).blocks)
    assert f"{len(proposed)} voorgestelde stages aanvaard" in shown
    no_errors_logged(caplog)


def _uncovered_school(wire: Stack) -> tuple[dict[str, int], object]:
    """Anna placed and accepted at a school without an agreement: the coordinator's request DM."""
    from tests import test_agreements as agreements_flow

    ids = placements_flow.setup(wire)
    placements_flow._place_and_request(wire, ids)
    agreements_flow._accept(wire, ids["atheneum"])
    return ids, wire.ws.messages("U0COORD")[-1]


def test_two_start_clicks_at_once_draw_up_one_framework_agreement(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    _, request = _uncovered_school(wire)
    clicks = 4  # the coordinator's impatient clicks: more than two makes the race all but certain
    together(
        *[lambda: wire.ws.click("U0COORD", "agreement_framework_start", message=request)] * clicks  # type: ignore[arg-type]
    )
    with wire.session() as s:
        (agreement,) = s.exec(select(FrameworkAgreement)).all()
    assert agreement.status == "drafted"
    assert len(_audit(wire, "agreement.framework_added")) == 1
    no_errors_logged(caplog)


def test_the_two_last_signatures_recorded_at_once_tell_the_student_once(
    wire: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    _, request = _uncovered_school(wire)
    wire.ws.click("U0COORD", "agreement_framework_start", message=request)  # type: ignore[arg-type]
    wire.ws.click("U0COORD", "agreement_framework_track_sent", message=request)  # type: ignore[arg-type]
    before = len(wire.ws.messages("U0ANNA"))
    together(
        lambda: wire.ws.click("U0COORD", "agreement_framework_track_school_signed", message=request),  # type: ignore[arg-type]
        lambda: wire.ws.click("U0COORD", "agreement_framework_track_university_signed", message=request),  # type: ignore[arg-type]
    )
    with wire.session() as s:
        (agreement,) = s.exec(select(FrameworkAgreement)).all()
    assert agreement.status == "signed"
    covered = [t for t in _texts(wire, "U0ANNA")[before:] if "is ondertekend: je stage daar is gedekt" in t]
    assert len(covered) == 1
    no_errors_logged(caplog)
