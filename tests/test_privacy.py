"""GDPR requests: `stagebot privacy export` writes what the bot holds about a person, `privacy erase` (a
dry run unless --yes) removes or anonymises what may go and keeps the decisions and hashes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table
from sqlmodel import SQLModel, select

from bot.cli import main
from bot.flows import documents as document_flow
from models import privacy
from models.audit import AuditEntry
from models.document_store import DocumentStore
from models.documents import Document, DocumentDecision, load_document_config
from models.outbox import OutboxMessage
from models.people import Person, Role
from models.problems import Problem
from tests import factories
from tests.conftest import Stack
from tests.documents_files import pdf

PROBLEM = "Mijn mentor belt mij 's avonds over mijn gezondheid"


@pytest.fixture
def anna(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    """Anna uploaded her commitment (approved) and reported a problem; Lotte is someone else."""
    root = tmp_path / "documents"
    monkeypatch.setattr(wire.services.settings, "documents_dir", root)
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    monkeypatch.setenv("DATABASE_URL", wire.services.db.url)
    monkeypatch.setenv("STAGEBOT_DOCUMENTS_DIR", str(root))
    monkeypatch.setenv("LANG", "nl_BE.UTF-8")
    with wire.session() as s:
        supervisor = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        student = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=supervisor)
        factories.student(s, "U0LOTTE", "Lotte Peeters", supervisor=supervisor)
        s.add(Problem(student_id=student.id, text=PROBLEM))
        s.commit()
    wire.sync_users()
    wire.ws.upload_file("U0ANNA", "verbintenis-anna.pdf", pdf(), "application/pdf")
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.outbox.settle()
    wire.ws.upload_file("U0LOTTE", "verbintenis-lotte.pdf", pdf(2), "application/pdf")
    wire.ws.click("U0LOTTE", "documents_pick:commitment")
    wire.services.outbox.settle()
    with wire.session() as s:
        document = s.exec(select(Document).where(Document.filename == "verbintenis-anna.pdf")).one()
    review = next(m for m in wire.ws.messages("U0SUP") if f'"value": "{document.id}"' in json.dumps(m.blocks))
    wire.ws.click("U0SUP", "documents_approve", str(document.id), message=review)
    return DocumentStore(root)


def _person(wire: Stack, person_id: int) -> Person:
    with wire.session() as s:
        return s.get_one(Person, person_id)


def _anna_id(wire: Stack) -> int:
    with wire.session() as s:
        return s.exec(select(Person.id).where(Person.slack_user_id == "U0ANNA")).one()


def test_every_table_that_can_hold_a_person_has_an_erasure_rule() -> None:
    assert set(privacy.tables_about_people()) <= set(privacy.RULES)
    tables: dict[str, Table] = dict(SQLModel.metadata.tables)
    for name, rule in privacy.RULES.items():
        assert name in tables and set(rule.columns) <= set(tables[name].c.keys()), name


def test_export_writes_everything_about_the_person_and_nothing_of_others(
    wire: Stack, anna: DocumentStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "export"
    assert main(["privacy", "export", "u0anna@EXAMPLE.edu", str(target)]) == 0  # by e-mail, any case
    assert "Geëxporteerd naar" in capsys.readouterr().out

    everything = json.loads((target / "export.json").read_text(encoding="utf-8"))
    tables = everything["tables"]
    assert tables["person"][0]["name"] == "Anna De Smet"
    assert {"student", "document", "document_decision", "problem", "audit_entry", "outbox"} <= set(tables)
    assert tables["problem"][0]["text"] == PROBLEM
    assert tables["document_decision"][0]["approved"] is True
    assert "Lotte" not in json.dumps(everything) and "verbintenis-lotte" not in json.dumps(everything)
    assert "Anna De Smet" in (target / "person.csv").read_text(encoding="utf-8")
    messages = (target / "messages.txt").read_text(encoding="utf-8")
    assert "is ontvangen" in messages and "goedgekeurd" in messages  # what the bot told her
    (stored,) = (target / "documents").iterdir()
    assert stored.read_bytes() == pdf() and stored.name.startswith("commitment-v1")
    with wire.session() as s:
        (entry,) = s.exec(select(AuditEntry).where(AuditEntry.action == "privacy.exported")).all()
        assert entry.student_id == _anna_id(wire)

    assert main(["privacy", "export", "U0ANNA", str(target)]) == 1  # never over an earlier export
    assert main(["privacy", "export", "U0NOBODY", str(tmp_path / "other")]) == 1
    assert "Niemand met Slack-id of e-mailadres U0NOBODY" in capsys.readouterr().err


def test_erase_is_a_dry_run_first_then_keeps_decisions_and_hashes_and_removes_the_rest(
    wire: Stack, anna: DocumentStore, capsys: pytest.CaptureFixture[str]
) -> None:
    anna_id = _anna_id(wire)
    with wire.session() as s:
        before = s.exec(select(Document).where(Document.student_id == anna_id)).one()
        lotte_rows = len(s.exec(select(OutboxMessage).where(OutboxMessage.lane == "U0LOTTE")).all())
    assert main(["privacy", "erase", "U0ANNA"]) == 0
    dry = capsys.readouterr().out
    assert "Proefdraai" in dry and "problem: 1 rij geanonimiseerd, text leeggemaakt" in dry
    assert "document_decision: 1 rij bewaard (een beslissing" in dry and "outbox:" in dry
    assert f"Document {before.id}: inhoud bewaard tot" in dry
    assert _person(wire, anna_id).name == "Anna De Smet"  # the dry run changed nothing

    assert main(["privacy", "erase", "U0ANNA", "--yes"]) == 0
    done = capsys.readouterr().out
    assert "Gewist voor persoon" in done and "rijen verwijderd (de berichten die de bot stuurde)" in done
    person = _person(wire, anna_id)
    assert (person.name, person.email, person.slack_user_id) == ("-", None, f"erased-{anna_id}")
    with wire.session() as s:
        document = s.get_one(Document, before.id)
        assert document.sha256 == before.sha256 and document.status == before.status
        assert document.filename == "" and document.purged_at is None  # within retention: content kept
        assert (
            s.exec(select(DocumentDecision).where(DocumentDecision.document_id == before.id)).one().approved
        )
        assert s.exec(select(Problem)).one().text == ""
        assert s.exec(select(OutboxMessage).where(OutboxMessage.lane == "U0ANNA")).all() == []
        assert len(s.exec(select(OutboxMessage).where(OutboxMessage.lane == "U0LOTTE")).all()) == lotte_rows
        assert s.exec(select(Person).where(Person.slack_user_id == "U0LOTTE")).one().name == "Lotte Peeters"
        (entry,) = s.exec(select(AuditEntry).where(AuditEntry.action == "privacy.erased")).all()
        assert entry.student_id == anna_id and entry.detail["delete"] > 0
    assert anna.read(before.sha256) == pdf()


def test_erase_past_retention_deletes_the_content_and_keeps_the_hash(
    wire: Stack, anna: DocumentStore
) -> None:
    config = load_document_config()
    later = wire.services.clock.now() + timedelta(days=3 * 365)
    with wire.session() as s:
        person = s.exec(select(Person).where(Person.slack_user_id == "U0ANNA")).one()
        plan = privacy.erase(s, person, anna, config, later)
        s.commit()
        assert privacy.delete_contents(s, anna, plan) == 1
        (document,) = s.exec(select(Document).where(Document.student_id == person.id)).all()
        assert document.purged_at is not None and len(document.sha256) == 64
    assert anna.read(document.sha256) is None
    assert [c.deleted for c in plan.contents] == [True]
