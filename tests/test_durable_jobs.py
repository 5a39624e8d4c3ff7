"""Work handed to the background is written down first: a restart or a crash loses nothing."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot import durable_jobs
from bot.app import web_client
from bot.delivery.outbox import wall_now
from bot.flows import documents as document_flow
from bot.flows import registry
from models import leases, pending_jobs
from models.document_store import DocumentStore
from models.pending_jobs import MAX_ATTEMPTS, PendingJob
from scheduler.runner import Runner, process_runner
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.test_documents import _dm_text, _people, _private_file, _rows, store  # noqa: F401  (fixture)


def _jobs(wire: Stack) -> list[PendingJob]:
    with wire.session() as s:
        return list(s.exec(select(PendingJob)))


def test_a_normal_upload_leaves_no_job_behind(wire: Stack, store: DocumentStore) -> None:  # noqa: F811
    _people(wire)
    wire.ws.upload_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.background.drain()
    assert len(_rows(wire)) == 1
    assert _jobs(wire) == []


def test_an_upload_the_process_never_finished_is_done_by_the_next_tick(
    wire: Stack,
    store: DocumentStore,  # noqa: F811
) -> None:
    ids = _people(wire)
    file = _private_file(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    incoming = document_flow.Incoming(ids["anna"], ids["anna"], "commitment", file["id"])
    # The listener wrote the job down and answered; then the process stopped before the job ran.
    durable_jobs.record(wire.services, document_flow.RECEIVE_JOB, document_flow.receive_payload(incoming))
    runner = Runner(wire.services, web_client(wire.services), "after-restart")
    runner.tick()
    assert _rows(wire) == []  # not yet: it might still be running in the process that took it
    wire.services.clock.advance(durable_jobs.timing(wire.services.settings).grace + timedelta(seconds=1))
    runner.tick()
    (row,) = _rows(wire)
    assert (row.type_code, row.status) == ("commitment", "awaiting_review")
    assert "Verbintenisverklaring (versie 1, *verbintenis.pdf*) is ontvangen" in _dm_text(wire, "U0ANNA")
    assert _jobs(wire) == []


def test_a_web_process_finishes_what_another_left_and_a_job_runs_once(
    wire: Stack,
    store: DocumentStore,  # noqa: F811
) -> None:
    """No scheduler needed: the web process's own housekeeping resumes it, and the job's lease keeps two
    processes (here: two resumes at once) from doing it twice."""
    ids = _people(wire)
    file = _private_file(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    incoming = document_flow.Incoming(ids["anna"], ids["anna"], "commitment", file["id"])
    payload = document_flow.receive_payload(incoming)
    job = durable_jobs.record(wire.services, document_flow.RECEIVE_JOB, payload)
    wire.services.clock.advance(durable_jobs.timing(wire.services.settings).grace + timedelta(seconds=1))
    with wire.session() as s:
        row = s.get_one(PendingJob, job)
        key = row.payload[durable_jobs.OUTBOX_KEY]
        assert leases.acquire(s, f"job:{key}", "another-process", wall_now(), timedelta(minutes=5))
    assert durable_jobs.run(wire.services, web_client(wire.services), job) is False  # the other runs it
    with wire.session() as s:
        leases.release(s, f"job:{key}", "another-process")  # ... and died
    wire.services.outbox.housekeep()
    wire.services.outbox.settle()
    (document,) = _rows(wire)
    assert document.status == "awaiting_review"
    assert _dm_text(wire, "U0ANNA").count("is ontvangen") == 1
    assert _jobs(wire) == []


def test_a_job_that_keeps_failing_is_kept_with_its_error_and_given_up_after_a_few_tries(wire: Stack) -> None:
    calls: list[dict[str, object]] = []

    def broken(_services: object, _client: object, payload: dict[str, object]) -> None:
        calls.append(payload)
        raise RuntimeError("the disk is full")

    durable_jobs.register("test.broken", broken)
    try:
        durable_jobs.record(wire.services, "test.broken", {"n": 1})
        runner = Runner(wire.services, web_client(wire.services), "one")
        for _ in range(MAX_ATTEMPTS + 2):
            wire.services.clock.advance(
                durable_jobs.timing(wire.services.settings).grace + timedelta(seconds=1)
            )
            runner.tick()
        (job,) = _jobs(wire)
        assert job.attempts == MAX_ATTEMPTS and "the disk is full" in (job.last_error or "")
        assert len(calls) == MAX_ATTEMPTS
    finally:
        durable_jobs.KINDS.pop("test.broken", None)


def test_every_background_hand_over_of_user_input_is_durable(wire: Stack) -> None:
    """The kinds that carry what a user submitted are registered by building the app (the wire did)."""
    assert {"documents.receive", "lio.after_apply", "planning.read"} <= set(durable_jobs.KINDS)


def test_a_job_of_a_kind_this_process_does_not_know_is_left_untouched(wire: Stack) -> None:
    """A process that does not know a kind (an older release beside a newer one) must not use up its tries."""
    calls: list[dict[str, object]] = []
    durable_jobs.register("test.elsewhere", lambda _s, _c, payload: calls.append(payload))
    try:
        job_id = durable_jobs.record(wire.services, "test.elsewhere", {"n": 1})
        known = durable_jobs.KINDS.pop("test.elsewhere")
        assert durable_jobs.run(wire.services, web_client(wire.services), job_id) is False
        (job,) = _jobs(wire)
        assert job.attempts == 0 and job.last_error is None and calls == []
        durable_jobs.register("test.elsewhere", known)
        assert durable_jobs.run(wire.services, web_client(wire.services), job_id) is True
        assert _jobs(wire) == [] and len(calls) == 1
    finally:
        durable_jobs.KINDS.pop("test.elsewhere", None)


def test_a_job_of_a_kind_this_process_does_not_load_is_left_for_one_that_does(wire: Stack) -> None:
    """A scheduler process loads no handlers: it leaves their jobs, and takes no lease on them."""
    with wire.session() as s:
        job_id = pending_jobs.add(
            s, "handlers.only", {durable_jobs.OUTBOX_KEY: "k1"}, wire.services.clock.now()
        )
    assert durable_jobs.run(wire.services, web_client(wire.services), job_id) is False
    (job,) = _jobs(wire)
    assert job.attempts == 0
    with wire.session() as s:
        assert leases.current(s, "job:k1", wall_now()) is None


def test_a_job_keeps_its_lease_while_it_runs(wire: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lease is short (a killed process frees its job soon) and renewed while the job works."""
    production = wire.services.settings
    monkeypatch.setattr(wire.services, "settings", production.model_copy(update={"job_resume_seconds": 1}))
    seen: list[datetime] = []

    def slow(services: Any, client: Any, payload: dict[str, Any]) -> None:
        with services.db.session() as s:
            first = leases.current(s, "job:k2", wall_now())
        assert first is not None
        seen.append(first.expires_at)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # until the renewing thread has moved the lease on
            with services.db.session() as s:
                later = leases.current(s, "job:k2", wall_now())
            if later is not None and later.expires_at > first.expires_at:
                seen.append(later.expires_at)
                return
            time.sleep(0.02)

    durable_jobs.register("test.slow", slow)
    with wire.session() as s:
        job_id = pending_jobs.add(s, "test.slow", {durable_jobs.OUTBOX_KEY: "k2"}, wire.services.clock.now())
    assert durable_jobs.run(wire.services, web_client(wire.services), job_id) is True
    assert len(seen) == 2 and seen[1] > seen[0]
    assert timedelta(minutes=1) >= durable_jobs.timing(production).lease


def test_the_scheduler_process_knows_every_job_kind_of_the_registry(wire: Stack) -> None:
    """A scheduler alone (every web process down) still does what students submitted."""
    known = dict(durable_jobs.KINDS)
    durable_jobs.KINDS.clear()
    try:
        process_runner(wire.services)
        assert set(registry.JOB_KINDS) <= set(durable_jobs.KINDS)
        assert durable_jobs.KINDS[document_flow.RECEIVE_JOB] is document_flow.receive_job
    finally:
        durable_jobs.KINDS.clear()
        durable_jobs.KINDS.update(known)
