"""Field conditions through the wire: a slow, rate-limited, stalling or refusing Slack.

What the bot answers Slack must come inside the 3 s whatever Slack does; what it sends after the answer
must arrive exactly once, however often Slack refused or hung; what fails in front of a person is told to
them politely, in their language, with nothing stored."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.app import web_client
from bot.delivery import slack_client as slack_client_module
from bot.delivery.outbox import OutboxWorker, wall_now
from bot.delivery.slack_limits import Pacer
from bot.flows import documents as document_flow
from models.document_store import DocumentStore
from models.documents import Document, DocumentDecision
from models.outbox import OutboxMessage, OutboxState
from models.pending_jobs import PendingJob
from models.people import Role
from models.progress import StepState
from scheduler.sweep import run_sweep
from tests import factories
from tests import test_documents as documents_flow
from tests import test_placements as placements_flow
from tests import test_planning as planning_flow
from tests.blocktext import text_of
from tests.conftest import TOKEN, Stack
from tests.documents_files import pdf
from tests.race import no_errors_logged
from tests.test_reminders import MORNING

# seconds: inside Slack's 3, whatever the Web API does after the answer, with room for a machine that runs
# the rest of the suite beside (an idle one answers in tenths: bench/ack_latency.py measures it)
ACK_BUDGET = 2.0


@pytest.fixture
def field(wire: Stack) -> Iterator[Stack]:
    """The wire stack; whatever realism or pacing a test switches on is switched off after it."""
    pacer = wire.services.outbox.pacer
    yield wire
    wire.ws.set_realism(None)
    wire.services.outbox.pacer = pacer


@pytest.fixture
def store(field: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    monkeypatch.setattr(field.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    return DocumentStore(tmp_path / "documents")


def _rows(wire: Stack) -> list[OutboxMessage]:
    with wire.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def _unsent(wire: Stack) -> list[OutboxMessage]:
    return [r for r in _rows(wire) if r.state != OutboxState.SENT.value]


def _later(wire: Stack, seconds: float = 30) -> None:
    """Deliver what is due a while from now (a retry's back-off has passed), then what that made due.
    Less than a claim lasts: a row the worker thread is sending right now is still its own."""
    while wire.services.outbox.deliver_due(wall_now() + timedelta(seconds=seconds)) > 0:
        pass
    wire.services.outbox.settle()


def _drained(wire: Stack, timeout: float = 20.0) -> None:
    """Let the outbox work through every row: Retry-After is waited out as the worker's pacer asks, a
    back-off after an error is skipped by looking a little ahead (less than a claim lasts)."""
    deadline = time.monotonic() + timeout
    while _unsent(wire):
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(_unsent(wire))} outbox rows still not sent")
        if wire.services.outbox.deliver_due(wall_now() + timedelta(seconds=30)) == 0:
            time.sleep(0.05)
    wire.services.outbox.settle()


def _impatient_sender(wire: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker gives up on a call after 0.3 s instead of 10 (the stall tests' Slack hangs 1 s)."""
    short = WebClient(token=TOKEN, base_url=wire.ws.api_url, timeout=0.3)
    monkeypatch.setattr(wire.services.outbox, "_client", short)


def _texts(wire: Stack, user: str) -> list[str]:
    return [
        text_of(m.blocks) or m.text for m in wire.ws.messages(user) if not m.deleted and not m.ephemeral_to
    ]


def _no_traceback(text: str) -> None:
    for word in ("Traceback", "Error", "Exception", 'File "'):
        assert word not in text


def _nothing_alarming_logged(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback, and nothing of the bot's own logged as an error (slack_sdk says "timed out" itself)."""
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name != "slack_sdk.web.base_client"
    ] == []


# --- a sweep against Slack's limits -----------------------------------------------------------------------

SWEEP_STUDENTS = 150


@pytest.fixture
def big_cohort(field: Stack) -> Iterator[Stack]:
    """150 students whose agreement deadline is a week away on MORNING: each is due one reminder."""
    with field.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        for n in range(SWEEP_STUDENTS):
            someone = factories.student(s, f"U1S{n:04d}", f"Student {n}", supervisor=sup)
            factories.progress(s, someone, DOCUMENTS=StepState.DONE)
        s.commit()
    field.sync_users()
    field.services.clock.freeze(MORNING)
    yield field


def test_a_sweep_of_150_against_slacks_limits_delivers_every_reminder_once(
    big_cohort: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's published limits, a minute played in three seconds, 200 ms a call; the worker keeps to the
    limits, and where Slack still says 429 (another process spent them) or fails (500), it waits Retry-After
    or backs off and tries again: every reminder is accepted exactly once and nothing stays pending."""
    scale = 20.0
    big_cohort.ws.set_realism(latency=0.2, time_scale=scale)
    big_cohort.services.outbox.pacer = Pacer(scale=scale)
    for _ in range(3):
        big_cohort.ws.fail_next("chat.postMessage", "ratelimited", retry_after=1)
    big_cohort.ws.fail_next("chat.postMessage", "internal_error", status=500)
    queued, _ = run_sweep(big_cohort.services, web_client(big_cohort.services), MORNING)
    assert queued >= SWEEP_STUDENTS  # one per student, and what the staff hear
    _drained(big_cohort, timeout=45)
    posts = big_cohort.ws.calls("chat.postMessage")
    accepted = Counter(str(c.params["channel"]) for c in posts if c.ok)
    assert sum(accepted.values()) == queued  # each accepted once: none twice, none lost
    assert [n for n in range(SWEEP_STUDENTS) if accepted[f"U1S{n:04d}"] != 1] == []
    for n in (0, SWEEP_STUDENTS - 1):
        [reminder] = _texts(big_cohort, f"U1S{n:04d}")
        assert "Stageovereenkomst" in reminder
    assert len([c for c in posts if c.error == "ratelimited"]) >= 3
    assert _unsent(big_cohort) == []
    again = run_sweep(big_cohort.services, web_client(big_cohort.services), MORNING + timedelta(minutes=5))
    assert again == (0, 0)
    no_errors_logged(caplog)


# --- deciding while Slack is slow, limited, stalled or refusing -------------------------------------------


def _awaiting_review(wire: Stack) -> tuple[Document, object]:
    documents_flow._people(wire)
    documents_flow._drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    [document] = documents_flow._rows(wire)
    assert document.id is not None
    return document, documents_flow._review_message(wire, "U0SUP", document.id)


def _approved_told(wire: Stack) -> list[str]:
    return [t for t in _texts(wire, "U0ANNA") if "is goedgekeurd" in t]


def _decisions(wire: Stack) -> int:
    with wire.session() as s:
        return len(s.exec(select(DocumentDecision)).all())


def _review_now(wire: Stack, review: object) -> str:
    ts = review.ts  # type: ignore[attr-defined]
    [now] = [m for m in wire.ws.messages("U0SUP") if m.ts == ts]
    return text_of(now.blocks)


@pytest.mark.parametrize("method", ["chat.update", "chat.postMessage"])
def test_a_429_on_the_first_call_of_an_approve_is_answered_fast_and_told_once(
    field: Stack, store: DocumentStore, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    """300 ms a call and a rate limit on the first call the Approve makes (the review message's update),
    or on the student's DM: the answer does not wait for either, the decision is stored once and the
    student is told once, after the retry."""
    document, review = _awaiting_review(field)
    field.ws.set_realism(latency=0.3)
    field.ws.fail_next(
        method, "ratelimited", retry_after=1, channel=None if method == "chat.update" else "U0ANNA"
    )
    earlier = len(field.ws.calls(method))
    click = field.ws.click("U0SUP", "documents_approve", str(document.id), message=review)
    assert click.ok and click.elapsed < ACK_BUDGET
    assert _decisions(field) == 1
    _later(field, 5)
    _drained(field)
    assert len(_approved_told(field)) == 1
    assert "Goedgekeurd door <@U0SUP>" in _review_now(field, review)
    assert [c.error for c in field.ws.calls(method)[earlier:]] == ["ratelimited", None]
    assert _decisions(field) == 1
    no_errors_logged(caplog)


def test_a_429_on_the_first_call_of_a_planning_approve_is_answered_fast_and_told_once(
    field: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ids = planning_flow.setup(field)
    planning_flow.save(field, planning_flow.type_lessons(field, ids["placement"], planning_flow.COMPLETE))
    assert "ingediend" in planning_flow.submit(field, ids["placement"])
    review = field.ws.messages("U0SUP")[-1]
    before = len(_texts(field, "U0ANNA"))
    field.ws.set_realism(latency=0.3)
    earlier = len(field.ws.calls("chat.update"))
    field.ws.fail_next("chat.update", "ratelimited", retry_after=1)  # the review message, redrawn
    click = field.ws.click("U0SUP", "planning_approve", message=review)
    assert click.ok and click.elapsed < ACK_BUDGET
    _later(field, 5)
    _drained(field)
    told = [t for t in _texts(field, "U0ANNA")[before:] if "stagerooster" in t and "is goedgekeurd" in t]
    assert len(told) == 1
    assert [c.error for c in field.ws.calls("chat.update")[earlier:]] == ["ratelimited", None]
    decided = next(m for m in field.ws.messages("U0SUP") if m.ts == review.ts)
    assert not any(b.get("type") == "actions" for b in decided.blocks)
    no_errors_logged(caplog)


def test_an_update_stalled_past_the_client_timeout_during_an_approve_arrives_once(
    field: Stack, store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack hangs on the review message's update longer than the sender waits: Slack has its answer in
    time, the update is tried again and the message shows the decision once; the student is told once."""
    document, review = _awaiting_review(field)
    posts_before = len(field.ws.calls("chat.postMessage"))
    _impatient_sender(field, monkeypatch)
    field.ws.stall_next("chat.update", 1.0)
    click = field.ws.click("U0SUP", "documents_approve", str(document.id), message=review)
    assert click.ok and click.elapsed < ACK_BUDGET
    assert _decisions(field) == 1
    _later(field)
    # the stalled one ends, and the retry (a machine busy enough may need one more: each is the same update)
    updates = field.ws.wait_for_calls("chat.update", 2, timeout=10)
    assert all(u.ok for u in updates) and len(updates) >= 2
    _drained(field)
    assert "Goedgekeurd door <@U0SUP>" in _review_now(field, review)
    assert len(_approved_told(field)) == 1
    assert len(field.ws.calls("chat.postMessage")) == posts_before + 1  # the student's DM, nothing else
    assert _unsent(field) == []


@pytest.mark.parametrize(
    ("error", "status"), [("internal_error", 500), ("service_unavailable", 200)], ids=["500", "ok_false"]
)
def test_a_refused_dm_to_the_student_during_an_approve_is_delivered_once_later(
    field: Stack, store: DocumentStore, error: str, status: int
) -> None:
    document, review = _awaiting_review(field)
    field.ws.fail_next("chat.postMessage", error, status=status, channel="U0ANNA")
    click = field.ws.click("U0SUP", "documents_approve", str(document.id), message=review)
    assert click.ok
    assert _decisions(field) == 1
    assert _approved_told(field) == []
    [refused] = [c for c in field.ws.calls("chat.postMessage") if not c.ok]
    assert refused.params["channel"] == "U0ANNA" and refused.error == error
    [row] = [r for r in _rows(field) if r.state != OutboxState.SENT.value]
    assert row.state == OutboxState.PENDING.value and row.last_error == error
    _later(field)
    assert len(_approved_told(field)) == 1
    _later(field)
    assert len(_approved_told(field)) == 1  # sent: never again
    assert _unsent(field) == []


# --- modals that cannot open -------------------------------------------------------------------------------


def _stalled_call_ended(wire: Stack, how: str) -> None:
    """A stalled views.open is still served after the bot gave up: let it end inside its own test."""
    if how == "timeout":
        wire.ws.wait_for_calls("views.open", 1, timeout=10)


def _views_open_fails(wire: Stack, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "500":
        wire.ws.fail_next("views.open", "internal_error", status=500)
    elif how == "429":  # a wait longer than the trigger lasts: not waited out inside the request
        wire.ws.fail_next("views.open", "ratelimited", retry_after=5)
    else:  # Slack hangs past the time the bot gives a modal (its trigger lasts 3 s)
        monkeypatch.setattr(slack_client_module, "INLINE_TIMEOUT", 0.3)
        wire.ws.stall_next("views.open", 1.0)


@pytest.mark.parametrize("how", ["500", "429", "timeout"])
def test_send_back_whose_modal_cannot_open_tells_the_reviewer_politely(
    field: Stack,
    store: DocumentStore,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    document, review = _awaiting_review(field)
    rows_before = len(_rows(field))
    _views_open_fails(field, how, monkeypatch)
    click = field.ws.click("U0SUP", "documents_reject", str(document.id), message=review)
    assert click.ok and click.elapsed < 3
    _no_traceback(click.body)
    [notice] = field.ws.ephemerals("U0SUP")
    assert notice.text.startswith("Slack antwoordt nu even niet")
    _no_traceback(notice.text)
    assert documents_flow._rows(field)[0].status == "awaiting_review"
    assert _decisions(field) == 0
    assert [r.method for r in _rows(field)[rows_before:]] == ["response_url"]  # the notice, nothing else
    _nothing_alarming_logged(caplog)
    _stalled_call_ended(field, how)


@pytest.mark.parametrize("how", ["500", "429", "timeout"])
def test_stage_upload_whose_modal_cannot_open_answers_in_the_students_language(
    field: Stack,
    store: DocumentStore,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with field.session() as s:
        factories.student(s, "U0EMMA", "Emma Jones", language="en", locale="en-GB")
    field.sync_users()
    _views_open_fails(field, how, monkeypatch)
    answer = field.ws.slash_command("U0EMMA", "/stage", "upload")
    assert answer.ok and answer.elapsed < 3
    assert answer.json["response_type"] == "ephemeral"
    assert answer.json["text"].startswith("Slack is not answering right now")
    _no_traceback(answer.body)
    assert _rows(field) == [] and documents_flow._rows(field) == []
    _nothing_alarming_logged(caplog)
    _stalled_call_ended(field, how)


# --- what is sent after a commit, refused or stalled --------------------------------------------------------


def test_the_supervisors_review_dm_refused_after_a_planning_submit_is_delivered_once(field: Stack) -> None:
    """The student reads "sent to your supervisor": the supervisor's DM must come, also when Slack first
    refuses it."""
    ids = planning_flow.setup(field)
    planning_flow.save(field, planning_flow.type_lessons(field, ids["placement"], planning_flow.COMPLETE))
    before = len(_texts(field, "U0SUP"))
    field.ws.slash_command("U0ANNA", "/stage", "planning")
    field.ws.fail_next("chat.postMessage", "internal_error", status=500, channel="U0SUP")
    field.ws.click("U0ANNA", "planning_submit", str(ids["placement"]))
    assert any("ingediend bij <@U0SUP>" in t for t in _texts(field, "U0ANNA"))
    [refused] = [c for c in field.ws.calls("chat.postMessage") if not c.ok]
    assert refused.params["channel"] == "U0SUP"
    _later(field)
    _later(field)
    reviews = [t for t in _texts(field, "U0SUP")[before:] if "diende een stagerooster in" in t]
    assert len(reviews) == 1
    assert _unsent(field) == []


@pytest.mark.parametrize(("error", "status"), [("internal_error", 500), ("fatal_error", 200)])
def test_a_refused_placement_dm_reaches_the_student_once(field: Stack, error: str, status: int) -> None:
    ids = placements_flow.setup(field)
    view = placements_flow.open_assign(field, "U0SUP")
    field.ws.fail_next("chat.postMessage", error, status=status, channel="U0ANNA")
    answer = placements_flow.submit(
        field, "U0SUP", view, ids["atheneum"], ["VDX1:observation", "VDX1:co_teaching"], "aso", "3"
    )
    assert answer.ok
    assert len(placements_flow.placements_of(field, ids["anna"])) == 1
    refused = [c for c in field.ws.calls("chat.postMessage") if not c.ok]
    assert [c.error for c in refused] == [error]
    told_before = len(_texts(field, refused[0].params["channel"]))
    _later(field)
    _later(field)
    assert len(_texts(field, refused[0].params["channel"])) == told_before + 1
    assert _unsent(field) == []


def test_an_upload_whose_last_update_stalls_is_kept_and_never_called_a_duplicate(
    field: Stack, store: DocumentStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The job tells the student in the message that asked "which document?"; Slack hangs on that update
    past the sender's patience. The upload stays done, the job is not failed, and the retry does not tell
    the student that the file was already handed in."""
    documents_flow._people(field)
    _impatient_sender(field, monkeypatch)
    field.ws.stall_next("chat.update", 1.0, channel="U0ANNA")
    documents_flow._drop(field, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    _later(field)
    field.ws.wait_for_calls("chat.update", 2, timeout=10)
    dm = field.ws.dm_channel("U0ANNA")
    updates = [c for c in field.ws.calls("chat.update") if c.params["channel"] == dm]
    assert len(updates) == 2 and all(u.ok for u in updates)  # the stalled one, then the retry
    _drained(field)
    [document] = documents_flow._rows(field)
    assert document.status == "awaiting_review"
    with field.session() as s:
        assert s.exec(select(PendingJob)).all() == []
    said = documents_flow._dm_text(field, "U0ANNA")
    assert "is ontvangen" in said and "al ingeleverd" not in said
    assert len([m for m in field.ws.messages("U0SUP") if "documents_approve" in json.dumps(m.blocks)]) == 1
    _nothing_alarming_logged(caplog)


@pytest.mark.parametrize("method", ["chat.postMessage", "files.completeUploadExternal"])
def test_the_notices_of_an_intake_booking_refused_by_slack_arrive_once(field: Stack, method: str) -> None:
    """After a booking both people hear of it and get an invite; Slack refusing one of those sends does
    not lose it."""
    from tests import test_intake as intake_flow

    ids = intake_flow._people(field)
    slot = intake_flow._publish(field)[1]
    before = {user: len(field.ws.messages(user)) for user in ("U0ANNA", "U0SUP")}
    field.ws.fail_next(
        method, "internal_error", status=500, channel="U0SUP" if method == "chat.postMessage" else None
    )
    field.ws.click("U0ANNA", f"intake_book_{slot.id}")
    assert intake_flow._booking(field, ids["anna"]) is not None
    assert [c.error for c in field.ws.calls(method) if not c.ok] == ["internal_error"]
    _later(field)
    _later(field)
    assert _unsent(field) == []
    assert len(intake_flow._invites(field, "U0ANNA")) == 1 and len(intake_flow._invites(field, "U0SUP")) == 1
    booked = [m for m in field.ws.messages("U0SUP")[before["U0SUP"] :] if "Anna De Smet boekte" in m.text]
    assert len(booked) == 1
    assert "Geboekt" in intake_flow._last(field, "U0ANNA")


def test_a_question_queued_by_a_process_that_died_is_asked_once_by_the_next(
    field: Stack, store: DocumentStore
) -> None:
    """The process is killed after it answered the file drop and before its question went out: the
    question is a committed outbox row, the next process asks it, and Slack's retry of the event (it saw
    the answer, but a retry may come anyway) asks nothing again."""
    documents_flow._people(field)
    worker = field.services.outbox
    worker.stop()  # the process dies before its worker delivers anything
    field.ws.after_delivery = None
    try:
        _, deliveries = field.ws.share_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
        assert all(d.ok for d in deliveries)
        field.services.background.drain()
        asked = [m for m in field.ws.messages("U0ANNA") if "Welk document" in m.text]
        assert asked == [] and [r.state for r in _unsent(field)] == [OutboxState.PENDING.value]
    finally:
        field.ws.after_delivery = worker.settle
        worker.start()
    next_process = OutboxWorker(field.services)
    next_process.pacer = Pacer(enabled=False)
    while next_process.deliver_due() > 0:
        pass
    assert all(field.ws.redeliver(d).ok for d in deliveries)
    field.services.outbox.settle()
    asked = [m for m in field.ws.messages("U0ANNA") if "Welk document" in m.text]
    assert len(asked) == 1 and _unsent(field) == []


def test_accept_all_answers_fast_over_a_slow_slack_and_tells_each_student_once(field: Stack) -> None:
    """The heaviest answer measured before the outbox (11 Web API calls, 3.4 s at 300 ms a call): now
    inside the budget, with a rate limit on the way, and each student's message comes once."""
    from tests import test_matching_flow as matching_flow

    matching_flow.setup(field)
    field.ws.slash_command("U0SUP", "/stage", "matchen voorstel")
    field.services.outbox.settle(timeout=60)
    proposed = matching_flow.proposals(field)
    before = {user: len(_texts(field, user)) for user in ("U0ANNA", "U0BEN")}
    [dm] = [m for m in field.ws.messages("U0SUP") if "match_accept_all" in json.dumps(m.blocks)]
    field.ws.set_realism(latency=0.3)
    field.ws.fail_next("chat.postMessage", "ratelimited", retry_after=1)
    click = field.ws.click("U0SUP", "match_accept_all", message=dm)
    assert click.ok and click.elapsed < ACK_BUDGET
    _later(field, 5)
    _drained(field)
    for student in ("U0ANNA", "U0BEN"):
        assert len(_texts(field, student)) == before[student] + 1  # one "you were placed"
    shown = text_of(next(m for m in field.ws.messages("U0SUP") if m.ts == dm.ts).blocks)
    assert f"{len(proposed)} voorgestelde stages aanvaard" in shown
