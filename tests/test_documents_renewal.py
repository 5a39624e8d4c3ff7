"""An approved extract that runs out before the internships end: the scheduler reopens step 2, once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.app import web_client
from models.audit import AuditEntry
from models.document_store import DocumentStore
from models.documents import Document, InternshipWindow, renewal_due
from scheduler.runner import Runner
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.test_documents import _dm_text, _drop, _people, _review_message, _rows, _step, store

__all__ = ["store"]  # the fixture, shared with test_documents


def _approved_both(wire: Stack, issued: str) -> None:
    """Anna uploads both documents (the extract issued on `issued`) and her supervisor approves them."""
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    _drop(wire, "U0ANNA", "uittreksel.pdf", pdf(2), "application/pdf", "criminal_record")
    wire.ws.send_dm("U0ANNA", issued)
    for row in _rows(wire):
        message = _review_message(wire, "U0SUP", row.id or 0)
        wire.ws.click("U0SUP", "documents_approve", str(row.id), message=message)


def _tick(wire: Stack) -> None:
    assert Runner(wire.services, web_client(wire.services), "test").tick()


def _renewals(wire: Stack) -> list[AuditEntry]:
    with wire.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == "document.renewal_asked")))


def test_an_extract_that_runs_out_before_the_last_internship_day_reopens_step_2_once(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _approved_both(wire, "10 januari 2026")  # valid until 10 January 2027; internships until 14 May 2027
    assert _step(wire, ids["anna"]) == "done"
    _tick(wire)  # 28 November 2026: six weeks left, not yet asked
    assert _step(wire, ids["anna"]) == "done" and _renewals(wire) == []
    student_before, supervisor_before = len(wire.ws.messages("U0ANNA")), len(wire.ws.messages("U0SUP"))
    assert "nieuw uittreksel" not in _dm_text(wire, "U0ANNA") + _dm_text(wire, "U0SUP")

    wire.services.clock.advance(timedelta(days=15))  # 13 December: under 30 days left
    _tick(wire)
    assert _step(wire, ids["anna"]) == "sent_back"
    (entry,) = _renewals(wire)
    _, extract = _rows(wire)
    assert entry.student_id == ids["anna"] and entry.subject == f"document:{extract.id}"
    assert extract.status == "approved" and extract.renewal_asked_at is not None  # the decision stands
    (asked,) = wire.ws.messages("U0ANNA")[student_before:]
    text = _dm_text(wire, "U0ANNA")
    assert "is geldig tot 10 januari 2027, maar je stages lopen tot 14 mei 2027" in text
    assert "documents_upload_again" in json.dumps(asked.blocks)
    (told,) = wire.ws.messages("U0SUP")[supervisor_before:]
    assert "<@U0ANNA>" in json.dumps(told.blocks) and "vóór de laatste stagedag (14 mei 2027)" in json.dumps(
        told.blocks, ensure_ascii=False
    )

    # Later ticks (another scheduler copy, a restart) ask nothing again.
    _tick(wire)
    wire.services.clock.advance(timedelta(days=40))
    _tick(wire)
    assert len(_renewals(wire)) == 1
    assert _dm_text(wire, "U0ANNA").count("Vraag bij je gemeente een nieuw uittreksel aan") == 1
    assert _dm_text(wire, "U0SUP").count("De student kreeg de vraag een nieuw uittreksel op te laden") == 1

    status = json.dumps(
        wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"], ensure_ascii=False
    )
    # The checklist judges "expired" on the real date (its providers get no clock): either way it warns.
    assert (
        "⚠️ Uittreksel uit het strafregister" in status
        and "goedgekeurd" not in status.split("⚠️ Uittreksel")[1][:80]
    )

    # The button opens the upload modal on the extract; a newer extract approved closes step 2 again.
    wire.ws.click("U0ANNA", "documents_upload_again", "criminal_record", message=asked)
    modal = wire.ws.open_views("U0ANNA")[-1]
    (chosen,) = [b["element"].get("initial_option") for b in modal.blocks if b.get("block_id") == "doc_type"]
    assert modal.callback_id == "documents_upload" and chosen["value"] == "criminal_record"
    _drop(wire, "U0ANNA", "nieuw-uittreksel.pdf", pdf(3), "application/pdf", "criminal_record")
    wire.ws.send_dm("U0ANNA", "5 januari 2027")
    newest = _rows(wire)[-1]
    assert newest.version == 2 and newest.status == "awaiting_review"
    assert _step(wire, ids["anna"]) == "awaiting_review"  # the new one waits for the supervisor
    wire.ws.click(
        "U0SUP", "documents_approve", str(newest.id), message=_review_message(wire, "U0SUP", newest.id or 0)
    )
    assert _step(wire, ids["anna"]) == "done"
    _tick(wire)
    assert _step(wire, ids["anna"]) == "done" and len(_renewals(wire)) == 1


def test_an_extract_that_has_run_out_is_named_expired(wire: Stack, store: DocumentStore) -> None:
    ids = _people(wire)
    _approved_both(wire, "10 januari 2026")
    wire.services.clock.advance(timedelta(days=50))  # 17 January 2027, never ticked in between
    _tick(wire)
    assert _step(wire, ids["anna"]) == "sent_back"
    assert "is verlopen op 10 januari 2027, terwijl je stages nog lopen" in _dm_text(wire, "U0ANNA")
    assert "is verlopen op 10 januari 2027, terwijl de stages nog lopen" in _dm_text(wire, "U0SUP")


def test_an_extract_that_covers_every_internship_day_is_never_asked_again(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _approved_both(wire, "12/9/2026")  # valid until 12 September 2027, after 14 May 2027
    for days in (0, 200, 300):  # also after it ran out, once the internships are over
        wire.services.clock.advance(timedelta(days=days))
        _tick(wire)
    assert _step(wire, ids["anna"]) == "done" and _renewals(wire) == []
    with wire.session() as s:
        assert all(d.renewal_asked_at is None for d in s.exec(select(Document)))


def test_an_extract_waiting_for_review_or_replaced_is_not_asked_again(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _approved_both(wire, "10 januari 2026")
    # A newer extract already came in (waiting for review): the approved one is no longer current.
    _drop(wire, "U0ANNA", "nieuw-uittreksel.pdf", pdf(3), "application/pdf", "criminal_record")
    wire.ws.send_dm("U0ANNA", "20 november 2026")
    wire.services.clock.advance(timedelta(days=20))
    _tick(wire)
    assert _renewals(wire) == [] and _step(wire, ids["anna"]) == "awaiting_review"


def test_when_a_renewal_is_due() -> None:
    window = InternshipWindow(date(2026, 10, 5), date(2027, 5, 14))
    today = datetime(2026, 12, 1, tzinfo=UTC).date()
    assert not renewal_due(date(2027, 1, 10), today, window)  # 40 days left
    assert renewal_due(date(2026, 12, 30), today, window)  # 29 days left
    assert renewal_due(date(2026, 11, 30), today, window)  # ran out yesterday
    assert not renewal_due(date(2027, 5, 14), today, window)  # covers the last day
    assert not renewal_due(date(2027, 5, 1), date(2027, 5, 15), window)  # internships are over
    assert renewal_due(date(2026, 11, 30), today, InternshipWindow(None, None))
    assert not renewal_due(date(2026, 12, 2), today, InternshipWindow(None, None))
