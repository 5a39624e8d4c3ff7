"""Step 2 through the wire: both upload paths, bad files, failing downloads, review, access, purge."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.app import web_client
from bot.flows import documents as document_flow
from models.audit import AuditEntry
from models.document_store import DocumentStore
from models.documents import (
    Document,
    DocumentDecision,
    load_document_config,
    purge,
)
from models.people import Person, Role, Student
from models.progress import Step, StepProgress
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import EXE, jpeg, pdf, png
from workspace.state import Message, StoredFile


@pytest.fixture
def store(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    return DocumentStore(tmp_path / "documents")


def _people(wire: Stack) -> dict[str, int]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters")
    wire.sync_users()
    assert anna.id and lotte.id
    return {"anna": anna.id, "lotte": lotte.id}


def _rows(wire: Stack) -> list[Document]:
    with wire.session() as s:
        return list(s.exec(select(Document).order_by(Document.id)))


def _stored_files(store: DocumentStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def _step(wire: Stack, student_id: int) -> str | None:
    with wire.session() as s:
        row = s.get(StepProgress, (student_id, int(Step.DOCUMENTS)))
        return row.state if row else None


def _audit(wire: Stack, action: str) -> list[AuditEntry]:
    with wire.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _dm_text(wire: Stack, user: str) -> str:
    return "\n".join(text_of(m.blocks) or m.text for m in wire.ws.messages(user) if not m.deleted)


def _drop(wire: Stack, user: str, name: str, content: bytes, mimetype: str, code: str) -> None:
    """Drop a file in the DM and say which document it is."""
    wire.ws.upload_file(user, name, content, mimetype)
    wire.ws.click(user, f"documents_pick:{code}")
    wire.services.outbox.settle()


def _private_file(wire: Stack, user: str, name: str, content: bytes, mimetype: str) -> dict[str, Any]:
    """A file picked in a modal's file_input: on Slack, but shared in no conversation (no events)."""
    state = wire.ws.state
    with state.lock:
        stored = StoredFile(
            id=state.new_id("F"),
            name=name,
            title=name,
            mimetype=mimetype,
            content=content,
            user=user,
            channel="",
            created=int(state.clock()),
        )
        state.files[stored.id] = stored
        return state.file_json(stored)


# --- upload in the DM -------------------------------------------------------------------------------------


def test_a_file_dropped_in_the_dm_is_asked_checked_stored_and_sent_to_the_supervisor(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    content = pdf()
    wire.ws.upload_file("U0ANNA", "verbintenis.pdf", content, "application/pdf")
    assert "Welk document is *verbintenis.pdf*?" in _dm_text(wire, "U0ANNA")
    assert wire.ws.calls("file_download") == []  # nothing is fetched before the student chose
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.outbox.settle()

    (row,) = _rows(wire)
    assert (row.type_code, row.version, row.status, row.kind) == ("commitment", 1, "awaiting_review", "pdf")
    assert row.size == len(content) and store.read(row.sha256) == content
    assert [c.token for c in wire.ws.calls("file_download")] == ["xoxb-test-token"]
    student_dm = _dm_text(wire, "U0ANNA")
    assert "Verbintenisverklaring (versie 1, *verbintenis.pdf*) is ontvangen" in student_dm
    assert "<@U0SUP>" in student_dm
    review = _dm_text(wire, "U0SUP")
    assert "<@U0ANNA> leverde *Verbintenisverklaring* in (versie 1)" in review  # the mention shows the name
    assert "Goedkeuren" in review and "Terugsturen" in review
    assert _dm_text(wire, "U0OTHER") == ""
    assert _step(wire, ids["anna"]) == "in_progress"  # the extract is still missing
    assert [e.subject for e in _audit(wire, "document.uploaded")] == [f"document:{row.id}"]


def test_the_extract_asks_its_issue_date_typed_in_dutch(wire: Stack, store: DocumentStore) -> None:
    ids = _people(wire)
    _drop(wire, "U0ANNA", "strafregister.png", png(), "image/png", "criminal_record")
    (row,) = _rows(wire)
    assert row.status == "awaiting_date" and row.kind == "png"
    assert "Wat is de *uitgiftedatum*?" in _dm_text(wire, "U0ANNA")
    assert _dm_text(wire, "U0SUP") == ""  # not sent to review before the date is known

    wire.ws.send_dm("U0ANNA", "ergens vorige maand")
    assert "Die datum begrijp ik niet" in _dm_text(wire, "U0ANNA")
    assert _rows(wire)[0].issue_date is None

    wire.ws.send_dm("U0ANNA", "12 september 2026")
    (row,) = _rows(wire)
    assert row.status == "awaiting_review" and row.issue_date == datetime(2026, 9, 12).date()
    assert not row.expires_too_soon  # valid until 12 September 2027, after the last internship day
    review = _dm_text(wire, "U0SUP")
    assert "Uitgiftedatum: 12 september 2026 · geldig tot 12 september 2027" in review
    assert _step(wire, ids["anna"]) == "in_progress"


def test_an_extract_that_is_too_old_is_refused_and_one_that_runs_out_is_flagged(
    wire: Stack, store: DocumentStore
) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "uittreksel.jpg", jpeg(), "image/jpeg", "criminal_record")
    message = next(m for m in wire.ws.messages("U0ANNA") if "documents_issue_date" in json.dumps(m.blocks))
    wire.ws.click("U0ANNA", "documents_issue_date", "2025-08-01", message=message)
    assert "Dit uittreksel is te oud" in _dm_text(wire, "U0ANNA")
    assert _rows(wire)[0].status == "awaiting_date"
    wire.ws.click("U0ANNA", "documents_issue_date", "2026-01-10")
    (row,) = _rows(wire)
    assert row.status == "awaiting_review" and row.expires_too_soon
    assert "verloopt vóór de laatste stagedag" in _dm_text(wire, "U0SUP")


# --- upload by modal --------------------------------------------------------------------------------------


def test_the_upload_modal_takes_type_file_and_date(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    assert wire.ws.slash_command("U0ANNA", "/stage", "opladen").ok
    (modal,) = wire.ws.open_views("U0ANNA")
    assert "Document opladen" in json.dumps(modal.title)
    file = _private_file(wire, "U0ANNA", "uittreksel.pdf", pdf(), "application/pdf")

    missing_date = {"doc_type": {"type": "criminal_record"}, "doc_file": {"file": {"files": [file]}}}
    wire.ws.submit_view("U0ANNA", modal, missing_date)
    (still_open,) = wire.ws.open_views("U0ANNA")
    assert "Geef de uitgiftedatum" in still_open.errors.get("doc_issue_date", "")

    wire.ws.submit_view("U0ANNA", still_open, missing_date | {"doc_issue_date": {"date": "2026-09-12"}})
    assert wire.ws.open_views("U0ANNA") == []
    wire.services.outbox.settle()
    (row,) = _rows(wire)
    assert (row.type_code, row.status, row.filename) == (
        "criminal_record",
        "awaiting_review",
        "uittreksel.pdf",
    )
    assert row.issue_date == datetime(2026, 9, 12).date()
    assert "is ontvangen en ter beoordeling verstuurd" in _dm_text(wire, "U0ANNA")
    assert "Uittreksel uit het strafregister" in _dm_text(wire, "U0SUP")


def test_the_lio_proof_is_offered_only_to_an_lio_student_and_the_date_says_for_which_it_is_needed(
    wire: Stack, store: DocumentStore
) -> None:
    _people(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "opladen")
    (modal,) = wire.ws.open_views("U0ANNA")
    shown = json.dumps(modal.blocks, ensure_ascii=False)
    assert "lio_proof" not in shown and "LIO" not in shown
    date_block = next(b for b in modal.blocks if b.get("block_id") == "doc_issue_date")
    assert (
        date_block["label"]["text"]
        == "Uitgiftedatum, verplicht voor: Uittreksel uit het strafregister (model 596.2)"
    )
    assert "Laat leeg voor: Verbintenisverklaring" in date_block["hint"]["text"]
    wire.ws.close_view("U0ANNA", modal)
    wire.ws.upload_file("U0ANNA", "bewijs.pdf", pdf(), "application/pdf")
    buttons = json.dumps(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "documents_pick:commitment" in buttons and "documents_pick:lio_proof" not in buttons
    with wire.session() as s:
        for student in s.exec(select(Student)):
            student.lio = True
            s.add(student)
    wire.ws.upload_file("U0ANNA", "bewijs.pdf", pdf(), "application/pdf")
    assert "documents_pick:lio_proof" in json.dumps(wire.ws.messages("U0ANNA")[-1].blocks)


def test_only_students_get_the_upload_modal(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    wire.ws.slash_command("U0SUP", "/stage", "upload")
    assert wire.ws.open_views("U0SUP") == []


# --- bad files and faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("leeg.pdf", b"", "het bestand is leeg"),
        ("virus.pdf", EXE, "dit is geen PDF, JPEG, PNG"),
        ("notities.txt", b"gewoon tekst", "dit is geen PDF, JPEG, PNG"),
        ("kapot.pdf", pdf()[:300], "beschadigd of opent niet"),
        ("geheim.pdf", pdf(password="geheim"), "beveiligd met een wachtwoord"),
        ("groot.pdf", pdf() + b"\x00" * (10 * 1024 * 1024), "groter dan 10.0 MB"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(
    wire: Stack, store: DocumentStore, name: str, content: bytes, says: str
) -> None:
    ids = _people(wire)
    _drop(wire, "U0ANNA", name, content, "application/pdf", "commitment")
    text = _dm_text(wire, "U0ANNA")
    assert f"*{name}* is niet aanvaard als Verbintenisverklaring" in text and says in text
    assert "Er is niets bewaard" in text
    assert _rows(wire) == [] and _stored_files(store) == []
    assert _step(wire, ids["anna"]) is None and _dm_text(wire, "U0SUP") == ""


def test_a_failing_slack_is_retried_and_then_the_student_is_told(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    wire.ws.fail_next("files.info", "internal_error", status=503)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    assert len(_rows(wire)) == 1  # one failure, then the retry worked

    for _ in range(3):
        wire.ws.fail_next("files.info", "internal_error", status=503)
    _drop(wire, "U0ANNA", "tweede.pdf", pdf(2), "application/pdf", "commitment")
    assert "lukte na enkele pogingen niet" in _dm_text(wire, "U0ANNA")
    assert len(_rows(wire)) == 1 and len(_stored_files(store)) == 1 and store.leftovers() == []


def test_a_file_slack_no_longer_has_is_reported(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    file = wire.ws.upload_file("U0ANNA", "weg.pdf", pdf(), "application/pdf")
    with wire.ws.state.lock:
        del wire.ws.state.files[file["id"]]
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.outbox.settle()
    assert "Ik kan *weg.pdf* niet meer ophalen" in _dm_text(wire, "U0ANNA")
    assert _rows(wire) == [] and _stored_files(store) == []


def test_the_same_file_twice_is_recognised_and_stored_once(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    content = pdf()
    _drop(wire, "U0ANNA", "verbintenis.pdf", content, "application/pdf", "commitment")
    _drop(wire, "U0ANNA", "verbintenis-kopie.pdf", content, "application/pdf", "commitment")
    assert len(_rows(wire)) == 1 and len(_stored_files(store)) == 1
    assert "Dit bestand heb je al ingeleverd als Verbintenisverklaring (versie 1" in _dm_text(wire, "U0ANNA")


# --- review -----------------------------------------------------------------------------------------------


def _both_uploaded(wire: Stack) -> None:
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    _drop(wire, "U0ANNA", "uittreksel.pdf", pdf(2), "application/pdf", "criminal_record")
    wire.ws.send_dm("U0ANNA", "12/9/2026")


def _review_message(wire: Stack, user: str, document_id: int) -> Message:
    return next(m for m in wire.ws.messages(user) if f'"value": "{document_id}"' in json.dumps(m.blocks))


def test_approving_both_finishes_step_2_and_the_buttons_become_the_decision(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _both_uploaded(wire)
    assert _step(wire, ids["anna"]) == "awaiting_review"
    first, second = _rows(wire)
    wire.ws.click(
        "U0SUP", "documents_approve", str(first.id), message=_review_message(wire, "U0SUP", first.id)
    )
    assert _step(wire, ids["anna"]) == "awaiting_review"
    message = _review_message(wire, "U0SUP", second.id)
    wire.ws.click("U0SUP", "documents_approve", str(second.id), message=message)
    assert _step(wire, ids["anna"]) == "done"
    updated = next(m for m in wire.ws.messages("U0SUP") if m.ts == message.ts)
    assert "Goedgekeurd door <@U0SUP>" in text_of(updated.blocks)
    assert "documents_approve" not in json.dumps(updated.blocks)
    assert "Je *Uittreksel uit het strafregister (model 596.2)* (versie 1) is goedgekeurd" in _dm_text(
        wire, "U0ANNA"
    )
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "✅ Verbintenisverklaring: goedgekeurd" in status

    with wire.session() as s:
        assert len(s.exec(select(DocumentDecision)).all()) == 2


# --- access -----------------------------------------------------------------------------------------------


def test_a_supervisor_of_another_student_cannot_decide_and_a_double_click_is_one_decision(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    with wire.session() as s:
        from models.people import Student

        lotte = s.get_one(Student, ids["lotte"])
        lotte.supervisor_id = s.exec(select(Person.id).where(Person.slack_user_id == "U0OTHER")).one()
        s.add(lotte)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    _drop(wire, "U0LOTTE", "mijn.pdf", pdf(2), "application/pdf", "commitment")
    anna_doc, lotte_doc = _rows(wire)
    # Bart reviews Lotte; a forged click on his own button carries Anna's document (the value is his to set).
    wire.ws.click("U0OTHER", "documents_approve", str(anna_doc.id))
    wire.ws.click("U0OTHER", "documents_reject", str(anna_doc.id))
    assert wire.ws.open_views("U0OTHER") == []
    assert _rows(wire)[0].status == "awaiting_review"
    refused = _audit(wire, "document.decision_refused")
    assert [(e.subject, e.detail["attempted"]) for e in refused] == [
        (f"document:{anna_doc.id}", "approve"),
        (f"document:{anna_doc.id}", "reject"),
    ]
    assert any("Dit mag je niet beslissen" in m.text for m in wire.ws.ephemerals("U0OTHER"))
    click = wire.ws.click("U0SUP", "documents_approve", str(anna_doc.id))
    said = len(wire.ws.calls())
    assert wire.ws.redeliver(click).ok  # the same click arriving twice: one decision, nothing said twice
    assert len(wire.ws.calls()) == said
    with wire.session() as s:
        assert len(s.exec(select(DocumentDecision)).all()) == 1
    assert len(_audit(wire, "document.approved")) == 1
    assert lotte_doc.status == "awaiting_review"


def test_documents_are_shown_only_to_the_student_their_supervisors_and_the_coordinator(
    wire: Stack, store: DocumentStore
) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    own = text_of(wire.ws.slash_command("U0ANNA", "/stage", "documenten").json["blocks"])
    assert "Verbintenisverklaring · versie 1 · verbintenis.pdf" in own
    for asker in ("U0LOTTE", "U0OTHER"):
        answer = text_of(wire.ws.slash_command(asker, "/stage", "documenten @Anna De Smet").json["blocks"])
        assert "enkel zichtbaar voor de student, diens stagebegeleiders en de stagecoördinator" in answer
        assert "verbintenis.pdf" not in answer
    assert len(_audit(wire, "document.view_refused")) == 2
    for asker in ("U0SUP", "U0COORD"):
        answer = text_of(wire.ws.slash_command(asker, "/stage", "documents <@U0ANNA>").json["blocks"])
        assert "verbintenis.pdf" in answer
    assert not any(m.channel.startswith("C") for u in ("U0ANNA", "U0SUP") for m in wire.ws.messages(u))
    assert wire.ws.messages("C0ANNOUNCE") == []


def test_the_coordinator_reads_the_audit_log_and_others_cannot(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    wire.ws.slash_command("U0LOTTE", "/stage", "documenten anna")
    log = text_of(wire.ws.slash_command("U0COORD", "/stage", "logboek anna").json["blocks"])
    assert "Logboek van Anna De Smet" in log
    assert "<@U0ANNA> · document ingeleverd" in log
    assert "<@U0LOTTE> · inzage documenten geweigerd" in log
    assert len(_audit(wire, "audit.read")) == 1
    refused = text_of(wire.ws.slash_command("U0SUP", "/stage", "audit anna").json["blocks"])
    assert "Logboek van" not in refused
    unknown = text_of(wire.ws.slash_command("U0COORD", "/stage", "audit niemand").json["blocks"])
    assert "Ik vind geen student" in unknown


# --- retention --------------------------------------------------------------------------------------------


def test_purge_deletes_contents_past_retention_and_keeps_decisions_and_hashes(
    wire: Stack, store: DocumentStore
) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    (row,) = _rows(wire)
    wire.ws.click("U0SUP", "documents_approve", str(row.id))
    config = load_document_config()
    assert purge(wire.services.db, store, config, datetime(2028, 9, 30, 12, tzinfo=UTC)).versions == 0
    assert store.read(row.sha256) is not None
    result = purge(wire.services.db, store, config, datetime(2028, 10, 1, 12, tzinfo=UTC))
    assert (result.versions, result.files) == (1, 1)
    assert _stored_files(store) == []
    (kept,) = _rows(wire)
    assert kept.sha256 == row.sha256 and kept.purged_at is not None and kept.status == "approved"
    with wire.session() as s:
        assert s.exec(select(DocumentDecision)).one().approved
    assert len(_audit(wire, "document.purged")) == 1
    listed = text_of(wire.ws.slash_command("U0ANNA", "/stage", "documenten").json["blocks"])
    assert "inhoud gewist" in listed


# --- opening a document -----------------------------------------------------------------------------------


def _link(wire: Stack, user: str) -> str:
    text = wire.ws.ephemerals(user)[-1].text
    return text.split("<", 1)[1].split("|", 1)[0]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_the_supervisor_opens_the_file_with_a_link_only_they_get(wire: Stack, store: DocumentStore) -> None:
    ids = _people(wire)
    _both_uploaded(wire)
    first, _ = _rows(wire)
    wire.ws.click("U0SUP", "documents_open", str(first.id), message=_review_message(wire, "U0SUP", first.id))
    url = _link(wire, "U0SUP")
    assert "tien minuten geldig en enkel voor jou" in wire.ws.ephemerals("U0SUP")[-1].text
    status, body, headers = _get(url)
    assert status == 200 and body == pdf()
    assert headers["Content-Type"] == "application/pdf" and headers["Cache-Control"] == "no-store"
    assert [e.student_id for e in _audit(wire, "document.opened")] == [ids["anna"]]
    # The link is signed: changed by one character it opens nothing; after ten minutes it has expired.
    assert _get(url[:-1] + ("A" if url[-1] != "A" else "B"))[0] == 403
    wire.services.clock.advance(timedelta(minutes=11))
    assert _get(url)[0] == 403
    assert len(_audit(wire, "document.opened")) == 1


def test_another_supervisor_gets_no_link_and_a_link_stops_working_when_access_ends(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _both_uploaded(wire)
    first, _ = _rows(wire)
    review = _review_message(wire, "U0SUP", first.id)
    # A forged click: Bart is not Anna's supervisor.
    web_client(wire.services).chat_postMessage(channel="U0OTHER", text="x", blocks=review.blocks)
    wire.ws.click("U0OTHER", "documents_open", str(first.id))
    assert "kan je niet openen" in wire.ws.ephemerals("U0OTHER")[-1].text
    assert [e.actor_id for e in _audit(wire, "document.open_refused")] != []
    # Els gets a link, then stops being Anna's supervisor before she opens it.
    wire.ws.click("U0SUP", "documents_open", str(first.id), message=review)
    url = _link(wire, "U0SUP")
    with wire.session() as s:
        student = s.get(factories.Student, ids["anna"])
        student.supervisor_x_id = student.supervisor_y_id = None
        s.add(student)
    assert _get(url)[0] == 403
