"""Opening documents at the edges: names in any script, single-use links, forged choices, logged refusals."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from bot.flows import documents as document_flow
from models.audit import AuditEntry
from models.document_store import DocumentStore
from models.documents import Document
from models.people import Role
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.documents_files import pdf


@pytest.fixture
def store(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    monkeypatch.setattr(document_flow, "RETRY_DELAYS", (0.0, 0.0))
    return DocumentStore(tmp_path / "documents")


def _people(wire: Stack) -> dict[str, int]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters", supervisor=sup)
    wire.sync_users()
    assert anna.id and lotte.id
    return {"anna": anna.id, "lotte": lotte.id}


def _drop(wire: Stack, user: str, name: str, content: bytes, code: str = "commitment") -> None:
    wire.ws.upload_file(user, name, content, "application/pdf")
    wire.ws.click(user, f"documents_pick:{code}")
    wire.services.outbox.settle()


def _rows(wire: Stack) -> list[Document]:
    with wire.session() as s:
        return list(s.exec(select(Document).order_by(Document.id)))


def _audit(wire: Stack, action: str) -> list[AuditEntry]:
    with wire.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _dm_text(wire: Stack, user: str) -> str:
    return "\n".join(text_of(m.blocks) or m.text for m in wire.ws.messages(user) if not m.deleted)


def _click_open(wire: Stack, user: str, document_id: int) -> str:
    """Open from the student's documents list; the note with the link."""
    wire.ws.slash_command(user, "/stage", "documenten <@U0ANNA>")
    wire.ws.click(user, "documents_open", str(document_id), message=wire.ws.ephemerals(user)[-1])
    return wire.ws.ephemerals(user)[-1].text


def _open_link(wire: Stack, user: str, document_id: int) -> str:
    return _click_open(wire, user, document_id).split("<", 1)[1].split("|", 1)[0]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


# --- #14: names in any script ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fallback", "utf8"),
    [
        ("Uittreksel Yılmaz 📄 عربى.pdf", "Uittreksel Y_lmaz _ _.pdf", "Uittreksel Yılmaz 📄 عربى.pdf"),
        ("factuur\u202efdp.exe.pdf", "factuurfdp.exe.pdf", "factuurfdp.exe.pdf"),
        ('a\r\nSet-Cookie: x=1;"b\\.pdf', "a Set-Cookie_ x_1_b_.pdf", "a Set-Cookie: x=1;b_.pdf"),
    ],
)
def test_a_document_with_any_name_opens_with_a_safe_utf8_file_name(
    wire: Stack, store: DocumentStore, name: str, fallback: str, utf8: str
) -> None:
    ids = _people(wire)
    if "\n" in name:  # Slack's file URLs cannot carry a line break: a row stored before names were cleaned
        _drop(wire, "U0ANNA", "verbintenis.pdf", pdf())
        with wire.session() as s:
            stored = s.exec(select(Document)).one()
            stored.filename = name
            s.add(stored)
    else:
        _drop(wire, "U0ANNA", name, pdf())
    (row,) = _rows(wire)
    status, body, headers = _get(_open_link(wire, "U0SUP", row.id or 0))
    assert status == 200 and body == pdf()
    disposition = headers["Content-Disposition"]
    assert disposition.isascii() and "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in headers
    plain, _, encoded = disposition.partition("; filename*=UTF-8''")
    assert plain == f'attachment; filename="{fallback}"'
    assert urllib.parse.unquote(encoded) == utf8
    assert [e.student_id for e in _audit(wire, "document.opened")] == [ids["anna"]]


def test_the_name_shown_in_slack_carries_no_direction_override(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "cv\u202efdp.exe.pdf", pdf())
    assert "\u202e" not in _dm_text(wire, "U0ANNA") and "\u202e" not in _dm_text(wire, "U0SUP")
    assert _rows(wire)[0].filename == "cvfdp.exe.pdf"


# --- #19: a link opens once ------------------------------------------------------------------------------


def test_a_link_opens_once_and_a_second_opening_explains_a_new_link_is_needed(
    wire: Stack, store: DocumentStore
) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf())
    (row,) = _rows(wire)
    note = _click_open(wire, "U0SUP", row.id or 0)
    assert "werkt één keer" in note
    url = note.split("<", 1)[1].split("|", 1)[0]
    assert _get(url)[0] == 200
    status, body, headers = _get(url)  # a double click, or a viewer asking again
    assert status == 410 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<html lang="nl">' in page and "Deze link is al gebruikt" in page
    assert "Klik in Slack opnieuw op Openen voor een nieuwe link" in page
    assert len(_audit(wire, "document.opened")) == 1
    assert [e.subject for e in _audit(wire, "document.link_reused")] == [f"document:{row.id}"]
    # A new click gives a new link, which opens.
    second = _open_link(wire, "U0SUP", row.id or 0)
    assert second != url and _get(second)[0] == 200


def test_the_refusal_page_speaks_the_readers_language(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    with wire.session() as s:
        factories.person(s, "U0ENG", "Emma Jones", Role.COORDINATOR, language="en")
    wire.sync_users()
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf())
    (row,) = _rows(wire)
    note = _click_open(wire, "U0ENG", row.id or 0)
    assert "this link works once" in note
    url = note.split("<", 1)[1].split("|", 1)[0]
    assert _get(url)[0] == 200
    status, body, _ = _get(url)
    assert status == 410 and "This link has already been used" in body.decode()
    assert '<html lang="en">' in body.decode()


def test_a_damaged_link_gets_a_page_not_an_error(wire: Stack, store: DocumentStore) -> None:
    _people(wire)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf())
    (row,) = _rows(wire)
    url = _open_link(wire, "U0SUP", row.id or 0)
    for bad in (url + "x", url.rsplit("/", 1)[0] + "/é", url.rsplit("/", 1)[0] + "/a.b.c"):
        status, body, headers = _get(urllib.parse.quote(bad, safe=":/%"))
        assert status == 403 and headers["Content-Type"].startswith("text/html")
        assert "verlopen of ongeldig" in body.decode()


# --- #20: a forged choice of someone else's file ---------------------------------------------------------


def test_a_forged_choice_of_another_students_file_is_refused_without_its_name(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    lotte_file = wire.ws.upload_file("U0LOTTE", "Lotte-geheim-medisch-attest.pdf", pdf(), "application/pdf")
    # Anna drops a file of her own, then forges its type button: the value names Lotte's file.
    wire.ws.upload_file("U0ANNA", "mijn.pdf", pdf(2), "application/pdf")
    forged = json.dumps({"file": lotte_file["id"], "name": "mijn.pdf"})
    wire.ws.click("U0ANNA", "documents_pick:commitment", forged)
    wire.services.outbox.settle()
    anna = _dm_text(wire, "U0ANNA")
    assert "Lotte-geheim" not in anna and "medisch" not in anna
    assert "Dat bestand is niet door jou opgeladen" in anna
    assert _rows(wire) == [] and wire.ws.calls("file_download") == []
    (entry,) = _audit(wire, "document.refused")
    assert (entry.actor_id, entry.student_id, entry.detail["reason"]) == (
        ids["anna"],
        ids["anna"],
        "not_yours",
    )
    assert "Lotte-geheim" not in json.dumps(entry.detail)


# --- refusals that change nothing are logged -------------------------------------------------------------


def test_a_too_large_file_and_a_failed_download_are_in_the_audit_log(
    wire: Stack, store: DocumentStore
) -> None:
    ids = _people(wire)
    _drop(wire, "U0ANNA", "groot.pdf", pdf() + b"\x00" * (10 * 1024 * 1024))
    for _ in range(3):
        wire.ws.fail_next("files.info", "internal_error", status=503)
    _drop(wire, "U0ANNA", "verbintenis.pdf", pdf())
    file = wire.ws.upload_file("U0ANNA", "weg.pdf", pdf(), "application/pdf")
    with wire.ws.state.lock:
        del wire.ws.state.files[file["id"]]
    wire.ws.click("U0ANNA", "documents_pick:commitment")
    wire.services.outbox.settle()
    refused = _audit(wire, "document.refused")
    assert [(e.student_id, e.detail["type"], e.detail["reason"]) for e in refused] == [
        (ids["anna"], "commitment", "too_large"),
        (ids["anna"], "commitment", "failed"),
        (ids["anna"], "commitment", "gone"),
    ]
    assert _rows(wire) == []
    log = text_of(wire.ws.slash_command("U0COORD", "/stage", "logboek anna").json["blocks"])
    assert "Logboek van Anna De Smet" in log
