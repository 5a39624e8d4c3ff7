"""The demo cohort in mid-year: the spread of states, once per database, and what a supervisor then reads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from bot.demo import progress as demo
from bot.flows.documents import store_of
from bot.local import load_demo_data
from bot.services import Services
from bot.settings import load_settings
from models import agreements, bell_schedules, documents, intake, lio, placements, preferences
from models.catalogue import load_catalogue
from models.db import Database
from models.people import Person
from models.progress import StepState, checklist
from models.schools import Institution
from tests.blocktext import text_of
from tests.conftest import NOW, Stack

D, P, R, S, N = (
    StepState.DONE,
    StepState.IN_PROGRESS,
    StepState.AWAITING_REVIEW,
    StepState.SENT_BACK,
    StepState.NOT_STARTED,
)

# Steps 1..8 per student, as the README's "Try it" describes them.
EXPECTED = {
    demo.PIETER: [D, D, D, D, D, D, N, N],  # nearly done: framework agreement of the school
    demo.SARAH: [D, D, D, D, D, D, N, N],  # nearly done: her lerarenstage.be contract signed
    demo.EMMA: [D, D, D, D, D, D, N, N],  # nearly done: two schools
    demo.MEHMET: [D, D, D, D, P, N, N, N],  # accepted, no agreement: the coordinator drafts one
    demo.FATIMA: [D, D, P, P, P, N, N, N],  # half placed, at the same school without agreement
    demo.THOMAS: [D, D, D, P, N, N, N, N],  # asked the school, waits for the answer
    demo.JONAS: [D, R, N, N, N, N, N, N],  # both documents wait for review
    demo.OLIVIA: [D, R, N, N, N, N, N, N],  # her extract waits for review
    demo.AMIRA: [D, S, N, N, N, N, N, N],  # her extract was sent back with a reason
    demo.LUCAS: [D, R, N, N, N, N, N, N],  # LIO: application with the counsellor, proof in review
    demo.AYLIN: [P, N, N, N, N, N, N, N],  # booked an intake in the coming days
    demo.YASMINA: [N, N, N, N, N, N, N, N],  # nothing yet; her preferences were reopened
}


def _services(database: Database, tmp_path: Path) -> Services:
    settings = load_settings(database_url=database.url, documents_dir=tmp_path / "documents")
    services = Services(settings, database, load_catalogue())
    services.clock.freeze(NOW)
    return services


def _ids(session: Session) -> dict[str, int]:
    return {p.slack_user_id: p.id or 0 for p in session.exec(select(Person))}


def _row_counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_a_fresh_database_gets_a_cohort_in_mid_year(db: Database, tmp_path: Path) -> None:
    services = _services(db, tmp_path)
    load_demo_data(services)
    today = NOW.astimezone(ZoneInfo(services.settings.timezone)).date()
    with db.session() as session:
        ids = _ids(session)
        states = {key: [s.state for s in checklist(session, ids[key])] for key in EXPECTED}
        assert states == EXPECTED
        # the reason a document was sent back is stored with the decision
        amira = documents.student_documents(session, ids[demo.AMIRA])
        reasons = [d.reason for d in amira[2].values() if not d.approved]
        assert reasons == [demo.SENT_BACK_REASON]
        # every stored version has its content in the document store (the reviewer can open it)
        store = store_of(services)
        stored = session.exec(select(documents.Document)).all()
        assert len(stored) == 21 and all(store.exists(d.sha256) for d in stored)
        # Marleen's coming slots: Aylin booked one, two are free for Yasmina to book
        assert len(intake.free_slots(session, ids[demo.YASMINA], NOW)) == 2
        aylin = intake.booking_of(session, ids[demo.AYLIN])
        assert aylin is not None and aylin.slot.starts_at > NOW + timedelta(days=1)
        # Yasmina may fill in her preferences although the deadline has passed; Amira may not
        lock = preferences.lock_state(session, services.catalogue, ids[demo.YASMINA], today)
        assert not lock.locked and lock.reopened_until is not None
        assert preferences.lock_state(session, services.catalogue, ids[demo.AMIRA], today).locked
        # the counsellor has one LIO application to decide
        application = lio.latest_application(session, ids[demo.LUCAS])
        assert application is not None and application.status == lio.RequestStatus.PENDING
        # the coordinator: a school without agreement where two students were accepted, and Thomas's
        # school (no contract yet either), never a school under the signed framework agreement
        uncovered = agreements.uncovered_institutions(session)
        codes = {session.get_one(Institution, u.institution_id).code: u.student_ids for u in uncovered}
        assert codes == {
            "KUNST-ELS": tuple(sorted((ids[demo.MEHMET], ids[demo.FATIMA]))),
            "COL-KANAAL": (ids[demo.THOMAS],),
        }
        # Thomas's request is recorded, the school has not answered
        thomas = placements.of_student(session, ids[demo.THOMAS])
        assert len(thomas) == 6
        assert {(p.request_channel, p.answer) for p in thomas} == {("lerarenstage", "pending")}
        # nothing of the history lies in the future
        assert (
            max(s.updated_at for key in EXPECTED for s in checklist(session, ids[key]) if s.updated_at) <= NOW
        )


def test_a_second_start_changes_nothing(db: Database, tmp_path: Path) -> None:
    services = _services(db, tmp_path)
    load_demo_data(services)
    before = _row_counts(db)
    assert before["step_progress"] > 0 and before["placement"] > 0
    services.clock.freeze(NOW + timedelta(days=3))  # started again on another day
    load_demo_data(services)
    assert not demo.seed_progress(services, services.clock.now())
    assert _row_counts(db) == before


def test_a_database_without_the_demo_people_is_left_alone(db: Database, tmp_path: Path) -> None:
    services = _services(db, tmp_path)
    assert not demo.seed_progress(services, NOW)
    assert _row_counts(db)["audit_entry"] == 0


@pytest.fixture
def demo_wire(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    load_demo_data(wire.services)
    wire.sync_users()
    return wire


def test_each_supervisor_finds_something_awaiting_their_review(demo_wire: Stack) -> None:
    ws = demo_wire.ws
    tom = text_of(ws.slash_command(demo.TOM, "/stage", "status").json["blocks"])
    assert f"<@{demo.JONAS}> · 1/8 stappen · ⏳ 1 wacht op goedkeuring" in tom
    assert f"<@{demo.OLIVIA}> · 1/8 stappen · ⏳ 1 wacht op goedkeuring" in tom
    assert f"<@{demo.AMIRA}> · 1/8 stappen · ↩️ 1 teruggestuurd" in tom
    assert f"<@{demo.AYLIN}> · 0/8 stappen · volgende: Intakegesprek" in tom
    marleen = text_of(ws.slash_command(demo.MARLEEN, "/stage", "status").json["blocks"])
    assert f"<@{demo.LUCAS}> · 1/8 stappen · ⏳ 1 wacht op goedkeuring" in marleen
    nadia = text_of(ws.slash_command(demo.NADIA, "/stage", "status").json["blocks"])
    assert f"<@{demo.PIETER}> · 6/8 stappen" in nadia
    assert "wacht op goedkeuring" in nadia


def test_yasmina_can_open_the_preferences_form(demo_wire: Stack) -> None:
    ws = demo_wire.ws
    answer = ws.slash_command(demo.YASMINA, "/stage", "voorkeuren")
    assert answer.status == 200
    assert len(ws.open_views(demo.YASMINA)) == 1
    ws.slash_command(demo.AMIRA, "/stage", "voorkeuren")  # no reopening: the lock
    assert ws.open_views(demo.AMIRA) == []


def test_amira_reads_why_her_extract_came_back(demo_wire: Stack) -> None:
    text = text_of(demo_wire.ws.slash_command(demo.AMIRA, "/stage", "status").json["blocks"])
    assert "2. Verbintenisverklaring en uittreksel strafregister" in text
    assert "model 596.2" in text


def test_documents_waiting_without_a_review_message_reach_the_reviewers_on_the_next_tick(
    demo_wire: Stack,
) -> None:
    """The demo stores uploads without Slack; the scheduler posts their review DMs once, with buttons."""
    from bot.app import web_client
    from scheduler.runner import Runner

    runner = Runner(demo_wire.services, web_client(demo_wire.services), "demo")
    assert runner.tick() is True
    reviews = [m for m in demo_wire.ws.messages("U0DEMOSV02") if "documents_approve" in str(m.blocks)]
    assert reviews, "Tom has documents waiting for review"
    assert runner.tick() is True
    again = [m for m in demo_wire.ws.messages("U0DEMOSV02") if "documents_approve" in str(m.blocks)]
    assert len(again) == len(reviews)


def test_the_demo_schools_know_their_lesson_hours_so_a_lesson_period_can_be_typed(demo_wire: Stack) -> None:
    ws = demo_wire.ws
    with demo_wire.session() as session:
        pieter = session.exec(select(Person).where(Person.slack_user_id == demo.PIETER)).one()
        vdx2 = next(p for p in placements.of_student(session, pieter.id or 0) if p.course_code == "VDX2")
        for code in ("ATH-ZENNE", "LYC-JETTE", "TI-NOORD", "KUNST-ELS", "COL-KANAAL"):
            school = session.exec(select(Institution).where(Institution.code == code)).one()
            assert len(bell_schedules.schedule_of(session, school.id or 0)) >= 7, code
    ws.send_dm(demo.PIETER, "woensdag 17/2 3e lesuur 5A begeleid")  # straight in the DM
    demo_wire.services.outbox.settle()
    question = ws.messages(demo.PIETER)[-1]
    assert "Voor welke stage zijn deze lessen?" in text_of(question.blocks)  # X 2, Y 2 and PL all fit
    ws.click(demo.PIETER, "planning_pick", block_id=f"pick:{vdx2.id}", message=question)
    demo_wire.services.outbox.settle()
    preview = text_of(ws.messages(demo.PIETER)[-1].blocks)
    assert "Voor *Vakdidactiek X 2* bij Atheneum Zennevallei (Anderlecht)" in preview
    assert ":white_check_mark: wo 17 feb 10:20–11:10 · begeleide stage · 5A" in preview


def test_the_counsellor_finds_lucass_application_in_the_dm_and_decides_it_from_the_overview(
    demo_wire: Stack,
) -> None:
    """The demo stores the LIO application without Slack: the first tick posts the review DM, once; the
    overview offers the decision too, to the counsellor only."""
    from bot.app import web_client
    from scheduler.runner import Runner

    koen, ws = "U0DEMOCN01", demo_wire.ws
    runner = Runner(demo_wire.services, web_client(demo_wire.services), "demo")
    assert runner.tick() is True
    reviews = [m for m in ws.messages(koen) if "lio_approve" in str(m.blocks)]
    assert len(reviews) == 1 and "Lucas Maes" in text_of(reviews[0].blocks)
    runner.tick()
    assert len([m for m in ws.messages(koen) if "lio_approve" in str(m.blocks)]) == 1
    coordinator = ws.slash_command(demo.COORDINATOR, "/stage", "lio overzicht").json
    assert "aanvraag wacht op beslissing" in text_of(coordinator["blocks"])
    assert "lio_overview_approve" not in str(coordinator["blocks"])
    with demo_wire.session() as s:
        lucas = s.exec(select(Person).where(Person.slack_user_id == demo.LUCAS)).one().id
    ws.slash_command(koen, "/stage", "studenten")
    ws.click(koen, "student_detail", str(lucas), message=ws.ephemerals(koen)[-1])
    detail = text_of(ws.ephemerals(koen)[-1].blocks)
    assert "LIO-traject" in detail and "/stage lio overzicht" in detail
    ws.open_home(koen)
    home = text_of(ws.home_view(koen).blocks)  # type: ignore[union-attr]
    assert "Wacht op je beslissing: 1 LIO-aanvraag" in home and "/stage lio overzicht" in home
    overview = ws.slash_command(koen, "/stage", "lio overzicht")
    buttons = str(overview.json["blocks"])
    assert "lio_overview_approve" in buttons and "lio_reject" in buttons
    ws.click(koen, "lio_overview_approve", message=ws.ephemerals(koen)[-1])
    with demo_wire.session() as s:
        application = s.exec(select(lio.LioApplication)).one()
    assert application.status == "approved"
    shown = text_of(ws.ephemerals(koen)[-1].blocks)
    assert "LIO goedgekeurd" in shown and "lio_overview_approve" not in str(ws.ephemerals(koen)[-1].blocks)
    updated = next(m for m in ws.messages(koen) if m.ts == reviews[0].ts)
    assert "lio_approve" not in str(updated.blocks) and "Goedgekeurd door" in text_of(updated.blocks)
    assert "Je LIO-aanvraag is goedgekeurd" in "\n".join(text_of(m.blocks) for m in ws.messages(demo.LUCAS))


def test_the_audit_log_reads_in_words_without_stored_keys(demo_wire: Stack) -> None:
    import re

    raw = re.compile(r"\b[a-z_]+:\d+\b|\b(?:intake|document|placement|planning|lio|preferences)\.[a-z_]+\b")
    for student in (demo.PIETER, demo.AMIRA, demo.LUCAS, demo.THOMAS):
        log = text_of(
            demo_wire.ws.slash_command(demo.COORDINATOR, "/stage", f"logboek <@{student}>").json["blocks"]
        )
        assert "Logboek van" in log, student
        assert raw.findall(log) == [], student
    amira = text_of(
        demo_wire.ws.slash_command(demo.COORDINATOR, "/stage", f"logboek <@{demo.AMIRA}>").json["blocks"]
    )
    assert "document teruggestuurd · Uittreksel uit het strafregister (model 596.2), versie 1" in amira
    assert "reden: “Dit is een uittreksel model 596.1." in amira
    assert "intakegesprek gehouden · intakegesprek op" in amira


def test_the_demo_is_seeded_just_after_midnight_in_brussels(db: Database, tmp_path: Path) -> None:
    """00:30 in Brussels is still the day before in UTC: a contract signed "today" is not in the future."""
    from datetime import UTC, datetime

    services = _services(db, tmp_path)
    services.clock.freeze(datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    assert demo.seed_progress(services, services.clock.now()) is False  # the people are not there yet
    load_demo_data(services)
    with db.session() as session:
        ids = _ids(session)
        states = {key: [s.state for s in checklist(session, ids[key])] for key in EXPECTED}
    assert states == EXPECTED  # Sarah's contract among them
