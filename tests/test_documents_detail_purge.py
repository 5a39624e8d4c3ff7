"""The documents section of the staff's student view (per type, per viewer) and the purge of stray files."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from models.document_store import DocumentStore
from models.documents import Document, purge
from models.documents import load_document_config as _config
from models.people import Role
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import pdf
from tests.test_documents import _drop, _people, _rows, store

__all__ = ["store"]


def _detail(wire: Stack, user: str, student_id: int) -> list[dict]:
    wire.ws.slash_command(user, "/stage", "studenten")
    wire.ws.click(
        user, "student_detail", str(student_id), message=wire.ws.ephemerals(user)[-1], block_id=None
    )
    return wire.ws.ephemerals(user)[-1].blocks


def _open_values(blocks: list[dict]) -> list[str]:
    return [
        b["accessory"]["value"] for b in blocks if b.get("accessory", {}).get("action_id") == "documents_open"
    ]


def test_supervisor_and_coordinator_see_each_document_with_open(wire: Stack, store: DocumentStore) -> None:
    ids = _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    (row,) = _rows(wire)
    for user in ("U0SUP", "U0COORD"):
        blocks = _detail(wire, user, ids["anna"])
        text = text_of(blocks)
        assert "Documenten (stap 2)" in text
        assert "Verbintenisverklaring: wacht op beoordeling" in text
        assert "Uittreksel uit het strafregister (model 596.2): ontbreekt" in text
        assert _open_values(blocks) == [str(row.id)]
    # The Open button of the view gives the supervisor a link.
    detail = _detail(wire, "U0SUP", ids["anna"])
    assert _open_values(detail) == [str(row.id)]
    wire.ws.click("U0SUP", "documents_open", str(row.id), message=wire.ws.ephemerals("U0SUP")[-1])
    assert "tien minuten geldig en enkel voor jou" in wire.ws.ephemerals("U0SUP")[-1].text


def test_a_counsellor_sees_the_lio_proof_but_never_the_extract(wire: Stack, store: DocumentStore) -> None:
    ids = _people(wire)
    with wire.session() as s:
        factories.person(s, "U0KOEN", "Koen Peeters", Role.COUNSELLOR)
        student = s.get_one(factories.Student, ids["anna"])
        student.lio = True
        s.add(student)
    wire.sync_users()
    _drop(wire, "U0ANNA", "uittreksel.pdf", pdf(2), "application/pdf", "criminal_record")
    _drop(wire, "U0ANNA", "lio.pdf", pdf(4), "application/pdf", "lio_proof")
    extract, proof = _rows(wire)
    blocks = _detail(wire, "U0KOEN", ids["anna"])
    text = text_of(blocks)
    assert "Anna De Smet" in text and "Bewijs van de LIO-baan" in text
    assert "Uittreksel" not in text and "Verbintenisverklaring" not in text
    assert _open_values(blocks) == [str(proof.id)]
    # The supervisor sees all three.
    assert sorted(_open_values(_detail(wire, "U0SUP", ids["anna"]))) == sorted(
        [str(extract.id), str(proof.id)]
    )


def _age(path: Path, now_ts: float, days: float) -> None:
    os.utime(path, (now_ts - days * 86400, now_ts - days * 86400))


def test_purge_removes_only_old_files_no_document_refers_to(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf(), "application/pdf", "commitment")
    (row,) = _rows(wire)
    now = wire.services.clock.now()
    stray_old, _ = store.put(b"written before the database failed")
    stray_new, _ = store.put(b"an upload in progress")
    reused, _ = store.put(b"stray, then uploaded again")
    _age(store.path(row.sha256), now.timestamp(), 400)  # referenced: stays however old
    _age(store.path(stray_old), now.timestamp(), 2)
    _age(store.path(stray_new), now.timestamp(), 0.5)
    _age(store.path(reused), now.timestamp(), 3)
    store.put(b"stray, then uploaded again")  # stored again: fresh, its row is about to be written
    _age(store.path(reused), now.timestamp(), 0)  # "fresh" on the bot's clock, whatever the real date
    leftover = store.path(stray_old).parent / ".incoming-abc"
    leftover.write_bytes(b"half")
    _age(leftover, now.timestamp(), 2)

    config = _config()
    counted = purge(wire.services.db, store, config, now, dry_run=True)
    assert (counted.versions, counted.unreferenced) == (0, 2)
    assert store.exists(stray_old) and leftover.exists()

    done = purge(wire.services.db, store, config, now)
    assert done.unreferenced == 2
    assert not store.exists(stray_old) and not leftover.exists()
    assert store.exists(stray_new) and store.exists(reused) and store.read(row.sha256) == pdf()
    with wire.session() as s:
        assert s.exec(select(Document)).one().purged_at is None
    # A day later the fresh stray goes too (nothing refers to it), the document's content never.
    later = purge(wire.services.db, store, config, now + timedelta(days=5))
    assert later.unreferenced == 2 and store.read(row.sha256) == pdf()


def test_purge_cli_counts_stray_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("STAGEBOT_DOCUMENTS_DIR", str(tmp_path / "docs"))
    monkeypatch.chdir(tmp_path)
    docs = DocumentStore(tmp_path / "docs")
    digest, _ = docs.put(b"stray")
    os.utime(docs.path(digest), (1, 1))
    assert main(["purge", "--dry-run"]) == 0
    assert "1 file(s) no document refers to (older than a day) would be deleted." in capsys.readouterr().out
    assert docs.exists(digest)
    assert main(["purge"]) == 0
    assert "1 file(s) no document refers to (older than a day) deleted." in capsys.readouterr().out
    assert not docs.exists(digest)
