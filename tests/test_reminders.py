"""The sweep through the wire: DMs and channel posts sent once, recorded when accepted, retried when not."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import cli
from bot.app import web_client
from bot.cli import main
from bot.delivery.outbox import wall_now
from bot.services import Services
from models.leases import Lease
from models.people import Role
from models.progress import StepState
from models.reminders import Reminder, Snooze
from scheduler.runner import Runner
from scheduler.sweep import dry_run, run_sweep
from tests import factories
from tests.blocktext import text_of
from tests.conftest import TOKEN, Stack
from tests.processes import pythonpath
from tests.statements import counted
from workspace.state import Message

# Friday 22 January 2027, 09:30 in Brussels: 7 days before the documents and agreement deadlines.
MORNING = datetime(2027, 1, 22, 8, 30, tzinfo=UTC)


@pytest.fixture
def cohort(wire: Stack) -> Iterator[Stack]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters", supervisor=sup, language="en")
        factories.progress(s, anna, DOCUMENTS=StepState.DONE)
        factories.progress(s, lotte, DOCUMENTS=StepState.DONE, AGREEMENT=StepState.DONE)
    wire.sync_users()
    wire.services.clock.freeze(MORNING)
    settings = wire.services.settings
    wire.services.settings = settings.model_copy(update={"channel": "C0ANNOUNCE"})
    yield wire
    wire.services.settings = settings


def _messages(wire: Stack, channel: str) -> list[Message]:
    """What reached the conversation once the outbox delivered what the sweep queued."""
    wire.services.outbox.settle()
    return wire.ws.messages(channel)


def _dm(wire: Stack, user: str) -> list[str]:
    channel = wire.ws.dm_channel(user)
    return [text_of(m.blocks) for m in _messages(wire, channel) if m.ephemeral_to is None]


def test_the_sweep_tells_each_student_what_is_open_once(cohort: Stack) -> None:
    client = web_client(cohort.services)
    _, failed = run_sweep(cohort.services, client, MORNING)
    assert failed == 0
    anna = _dm(cohort, "U0ANNA")
    assert len(anna) == 1
    assert "Stageovereenkomst in orde voor semester 2*: uiterlijk 29 januari 2027 (nog 7 dagen)" in anna[0]
    assert "Documenten" not in anna[0]  # her documents are in order
    assert _dm(cohort, "U0LOTTE") == []  # nothing of hers is due today
    channel = [text_of(m.blocks) for m in _messages(cohort, "C0ANNOUNCE")]
    assert len(channel) == 1 and "29 januari 2027" in channel[0]
    assert "Anna" not in channel[0] and "U0ANNA" not in channel[0]
    # A second sweep, a restart (a new runner) or a second scheduler send nothing again.
    assert run_sweep(cohort.services, client, MORNING + timedelta(minutes=5)) == (0, 0)
    assert Runner(cohort.services, client, "restarted").tick() is True
    assert len(_dm(cohort, "U0ANNA")) == 1
    with cohort.session() as s:
        keys = {(r.recipient, r.kind) for r in s.exec(select(Reminder))}
    assert ("U0ANNA", "deadline") in keys and ("C0ANNOUNCE", "announce_deadline") in keys


def test_two_schedulers_send_nothing_twice(cohort: Stack) -> None:
    client = web_client(cohort.services)
    first, second = Runner(cohort.services, client, "one"), Runner(cohort.services, client, "two")
    assert first.tick() is True
    assert second.tick() is False
    assert len(_dm(cohort, "U0ANNA")) == 1


def test_a_failed_web_api_call_is_tried_again_by_the_outbox_and_goes_out_once(cohort: Stack) -> None:
    client = web_client(cohort.services)
    cohort.ws.fail_next("chat.postMessage", error="internal_error", status=200)
    queued, _ = run_sweep(cohort.services, client, MORNING)
    assert queued >= 2
    with cohort.session() as s:  # the sweep is done: what it queued is the outbox's to deliver
        assert len(s.exec(select(Reminder).where(Reminder.kind == "sweep")).all()) == 1
    cohort.services.outbox.settle()
    cohort.services.outbox.deliver_due(wall_now() + timedelta(minutes=5))  # past the back-off
    runner = Runner(cohort.services, client, "one")
    cohort.services.clock.freeze(MORNING + timedelta(minutes=1))
    assert runner.tick() is True
    assert len(_dm(cohort, "U0ANNA")) == 1
    assert len(_messages(cohort, "C0ANNOUNCE")) == 1


def test_a_rate_limit_is_retried_by_the_client(cohort: Stack) -> None:
    cohort.ws.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=0)
    assert run_sweep(cohort.services, web_client(cohort.services), MORNING)[1] == 0
    assert len(_dm(cohort, "U0ANNA")) == 1


def test_snooze_skips_the_next_days(cohort: Stack) -> None:
    client = web_client(cohort.services)
    run_sweep(cohort.services, client, MORNING)
    reminder = _messages(cohort, cohort.ws.dm_channel("U0ANNA"))[0]
    cohort.ws.click("U0ANNA", "reminder_snooze_3", "3", message=reminder)
    assert "22 januari" not in text_of(cohort.ws.ephemerals("U0ANNA")[-1].blocks)
    assert "25 januari 2027" in text_of(cohort.ws.ephemerals("U0ANNA")[-1].blocks)
    with cohort.session() as s:
        assert s.get(Snooze, "U0ANNA") is not None
    # Wednesday 27 January: the 2-days-before reminder is due, but she snoozed until the 25th only.
    wednesday = MORNING + timedelta(days=5)
    run_sweep(cohort.services, client, wednesday)
    assert len(_dm(cohort, "U0ANNA")) == 2


def test_nothing_before_the_sweep_time_or_on_a_closure_day(cohort: Stack) -> None:
    client = web_client(cohort.services)
    runner = Runner(cohort.services, client, "one")
    cohort.services.clock.freeze(datetime(2027, 1, 22, 7, 30, tzinfo=UTC))  # 08:30 in Brussels
    runner.tick()
    assert _dm(cohort, "U0ANNA") == []
    cohort.services.clock.freeze(datetime(2026, 12, 22, 9, 30, tzinfo=UTC))  # Christmas holiday
    runner.tick()
    assert _dm(cohort, "U0ANNA") == []


def test_the_reminder_speaks_the_students_language_and_offers_buttons(cohort: Stack) -> None:
    with cohort.session() as s:
        from models.progress import Step, record

        lotte = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0LOTTE")).one()
        record(s, lotte.id, Step.AGREEMENT, StepState.IN_PROGRESS, MORNING)
    run_sweep(cohort.services, web_client(cohort.services), MORNING)
    message = _messages(cohort, cohort.ws.dm_channel("U0LOTTE"))[0]
    assert "Internship agreement in order for semester 2*: by 29 January 2027 (7 days left)" in text_of(
        message.blocks
    )
    actions = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["reminder_status", "reminder_snooze_1", "reminder_snooze_3"]
    cohort.ws.click("U0LOTTE", "reminder_status", "status", message=message)
    assert "Your internship: where you stand" in text_of(cohort.ws.ephemerals("U0LOTTE")[-1].blocks)


def test_dry_run_prints_who_and_why_and_sends_nothing(
    cohort: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = dry_run(cohort.services, MORNING)
    assert any(line.startswith("Anna De Smet (U0ANNA): deadline agreement_sem2:2027-01-29") for line in lines)
    assert any("C0ANNOUNCE" in line and "announce_deadline" in line for line in lines)
    assert cohort.ws.calls("chat.postMessage") == []


def test_the_sweep_reads_the_cohort_in_a_fixed_number_of_statements(cohort: Stack) -> None:
    def statements_for_plan() -> int:
        with counted(cohort.services.db.engine) as seen:  # not the outbox's, which may run meanwhile
            dry_run(cohort.services, MORNING)
        return len(seen)

    small = statements_for_plan()
    with cohort.session() as s:
        for i in range(150):
            factories.student(s, f"U0MANY{i:03d}", f"Student {i:03d}")
    assert statements_for_plan() == small


def test_the_cli_dry_run(
    cohort: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", cohort.services.db.url)
    monkeypatch.setenv("STAGEBOT_CHANNEL", "C0ANNOUNCE")
    assert main(["remind", "--dry-run", "--at", "2027-01-22T09:30"]) == 0
    out = capsys.readouterr().out
    assert "Anna De Smet (U0ANNA): deadline agreement_sem2:2027-01-29" in out
    assert main(["remind", "--dry-run", "--at", "2027-01-23T09:30"]) == 0
    assert "2027-01-23 is not a working day: no sweep." in capsys.readouterr().out


def test_supervisors_hear_of_waiting_approvals_and_the_coordinator_gets_the_digest(cohort: Stack) -> None:
    monday = datetime(2027, 1, 25, 8, 30, tzinfo=UTC)
    with cohort.session() as s:
        from models.progress import Step, record

        anna = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0ANNA")).one()
        record(s, anna.id, Step.MATCHING, StepState.AWAITING_REVIEW, datetime(2027, 1, 20, 12, tzinfo=UTC))
        record(s, anna.id, Step.INTAKE, StepState.SENT_BACK, datetime(2027, 1, 20, 12, tzinfo=UTC))
    run_sweep(cohort.services, web_client(cohort.services), monday)
    supervisor = _dm(cohort, "U0SUP")
    assert len(supervisor) == 1
    assert "<@U0ANNA>: *3. Stagematching* wacht al 5 dagen op je goedkeuring" in supervisor[0]
    coordinator = _dm(cohort, "U0COORD")
    assert len(coordinator) == 1
    assert "Weekoverzicht van de cohorte (2 studenten)" in coordinator[0]
    assert "Geblokkeerd (iets werd teruggestuurd): <@U0ANNA>" in coordinator[0]
    assert "niet bezorgd" not in coordinator[0]  # nothing failed: no outbox line
    student = _dm(cohort, "U0ANNA")
    assert "*1. Intakegesprek* werd teruggestuurd" in student[0]


def test_both_people_hear_of_an_intake_meeting_the_working_day_before(cohort: Stack) -> None:
    from models.intake import IntakeBooking, IntakeSlot

    with cohort.session() as s:
        sup = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0SUP")).one()
        anna = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0ANNA")).one()
        # Monday 25 January 2027, 14:00 in Brussels; the sweep on Friday the 22nd announces it.
        slot = IntakeSlot(
            supervisor_id=sup.id,
            starts_at=datetime(2027, 1, 25, 13, tzinfo=UTC),
            ends_at=datetime(2027, 1, 25, 13, 20, tzinfo=UTC),
            place="lokaal B.204",
        )
        s.add(slot)
        s.flush()
        s.add(IntakeBooking(slot_id=slot.id, student_id=anna.id, booked_at=MORNING - timedelta(days=3)))
    run_sweep(cohort.services, web_client(cohort.services), MORNING)
    student = _dm(cohort, "U0ANNA")[0]
    supervisor = _dm(cohort, "U0SUP")[0]
    assert "Intakegesprek op maandag 25 januari 2027 om 14:00 (lokaal B.204) met <@U0SUP>" in student
    assert "Intakegesprek op maandag 25 januari 2027 om 14:00 (lokaal B.204) met <@U0ANNA>" in supervisor
    # Not again on Monday morning itself.
    run_sweep(cohort.services, web_client(cohort.services), MORNING + timedelta(days=3))
    assert sum("Intakegesprek op" in m for m in _dm(cohort, "U0ANNA")) == 1


def test_the_digest_counts_what_the_outbox_could_not_deliver(cohort: Stack) -> None:
    from models import outbox

    with cohort.session() as s:
        outbox.enqueue(s, "old", "U0GONE", "chat.postMessage", {"channel": "U0GONE", "text": "x"}, wall_now())
        s.commit()
    cohort.ws.fail_next("chat.postMessage", "channel_not_found")
    cohort.services.outbox.settle()
    run_sweep(cohort.services, web_client(cohort.services), datetime(2027, 1, 25, 8, 30, tzinfo=UTC))
    [digest] = _dm(cohort, "U0COORD")
    assert "niet bezorgd (zie `stagebot outbox`): 1" in digest


def test_supervisors_hear_of_one_document_that_waits_while_the_other_is_not_uploaded(cohort: Stack) -> None:
    """Step 2 is only "in progress" as a whole (the extract is not in yet), but the declaration waits."""
    from models.documents import Document, DocumentStatus
    from models.progress import Step, record

    uploaded = datetime(2027, 1, 20, 12, tzinfo=UTC)  # a Wednesday
    with cohort.session() as s:
        sup = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0SUP")).one()
        ben = factories.student(s, "U0BEN", "Ben Peeters", supervisor=sup)
        s.add(
            Document(
                student_id=ben.id, type_code="commitment", version=1, status=DocumentStatus.AWAITING_REVIEW,
                sha256="0" * 64, size=1000, kind="pdf", filename="verbintenis.pdf", slack_file_id="F0BEN",
                academic_year="2026-2027", uploaded_at=uploaded, uploaded_by_id=ben.id,
            )
        )  # fmt: skip
        record(s, ben.id, Step.DOCUMENTS, StepState.IN_PROGRESS, uploaded)
    cohort.sync_users()
    friday = datetime(2027, 1, 22, 8, 30, tzinfo=UTC)  # two working days later
    run_sweep(cohort.services, web_client(cohort.services), friday)
    supervisor = _dm(cohort, "U0SUP")
    assert len(supervisor) == 1
    assert (
        "<@U0BEN>: *2. Verbintenisverklaring en uittreksel strafregister* wacht al 2 dagen" in supervisor[0]
    )
    # once, then again two working days later (Tuesday), as for a step that waits as a whole
    run_sweep(cohort.services, web_client(cohort.services), friday + timedelta(minutes=30))
    assert len(_dm(cohort, "U0SUP")) == 1
    run_sweep(cohort.services, web_client(cohort.services), friday + timedelta(days=4))
    assert len(_dm(cohort, "U0SUP")) == 2


def test_a_second_sweep_on_the_day_of_the_second_reminder_does_not_tell_the_supervisor(cohort: Stack) -> None:
    client = web_client(cohort.services)
    run_sweep(cohort.services, client, MORNING)  # Friday: 7 days before the agreement deadline
    wednesday = MORNING + timedelta(days=5)  # 2 days before: the second reminder
    run_sweep(cohort.services, client, wednesday)
    assert len(_dm(cohort, "U0ANNA")) == 2
    run_sweep(cohort.services, client, wednesday + timedelta(minutes=5))  # a retry, or `stagebot remind`
    assert not any("Anna De Smet" in m or "<@U0ANNA>" in m for m in _dm(cohort, "U0SUP"))
    run_sweep(cohort.services, client, wednesday + timedelta(days=1))  # she ignored both: now it is told
    told = [m for m in _dm(cohort, "U0SUP") if "<@U0ANNA>" in m]
    assert len(told) == 1
    with cohort.session() as s:
        assert len(s.exec(select(Reminder).where(Reminder.kind == "escalation")).all()) == 1


@pytest.fixture
def remind_env(cohort: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """`stagebot remind` on the cohort's database, sending to the workspace."""
    monkeypatch.setenv("DATABASE_URL", cohort.services.db.url)
    monkeypatch.setenv("STAGEBOT_CHANNEL", "C0ANNOUNCE")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", cohort.ws.api_url)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return cohort


def a_running_scheduler(cohort: Stack) -> Runner:
    """A scheduler in another process: its lease on real time, as every process times the lease."""
    elsewhere = Services(cohort.services.settings, cohort.services.db, cohort.services.catalogue)
    scheduler = Runner(elsewhere, web_client(elsewhere), "scheduler-host:4242")
    assert scheduler.has_lease()
    return scheduler


def test_remind_beside_a_working_scheduler_says_so_and_sends_nothing(
    remind_env: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduler = a_running_scheduler(remind_env)
    assert main(["remind", "--at", "2027-01-22T09:30"]) == cli.REMIND_BUSY
    err = capsys.readouterr().err
    assert "The scheduler is working right now: scheduler-host:4242 holds its lease until" in err
    assert "--wait" in err
    assert remind_env.ws.calls("chat.postMessage") == []
    with remind_env.session() as s:
        assert s.get(Lease, "scheduler").holder == "scheduler-host:4242"  # untouched
    scheduler.stop()


def test_remind_waits_for_the_lease_sends_then_gives_it_back(
    remind_env: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduler = a_running_scheduler(remind_env)
    pauses: list[float] = []

    def the_scheduler_stops_meanwhile(seconds: float) -> None:
        pauses.append(seconds)
        scheduler.stop()

    monkeypatch.setattr(cli, "_pause", the_scheduler_stops_meanwhile)
    assert main(["remind", "--at", "2027-01-22T09:30", "--wait", "30"]) == 0
    assert pauses == [cli.REMIND_POLL]
    # Anna, the coordinator (this week's digest, not sent on Monday) and the channel.
    assert "Reminders queued: 3. Still on their way (the bot sends them): 0." in capsys.readouterr().out
    assert len(_dm(remind_env, "U0ANNA")) == 1 and len(remind_env.ws.messages("C0ANNOUNCE")) == 1
    with remind_env.session() as s:
        assert s.get(Lease, "scheduler") is None  # given back: the scheduler's next tick may work


def test_remind_help_says_at_applies_when_sending_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["remind", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "without it, what is due then is sent now" in text and "--wait SECONDS" in text


def test_two_reminds_at_once_send_nothing_twice(remind_env: Stack) -> None:
    """Two `stagebot remind` processes started together on one database (PostgreSQL too)."""
    with remind_env.session() as s:
        sup = s.exec(select(factories.Person).where(factories.Person.slack_user_id == "U0SUP")).one()
        for i in range(120):  # enough that two sweeps overlap when nothing keeps them apart
            factories.student(s, f"U0MANY{i:03d}", f"Student {i:03d}", supervisor=sup)
    remind_env.sync_users()
    env = dict(os.environ) | {"PYTHONPATH": pythonpath()}
    command = [sys.executable, "-m", "bot", "remind", "--at", "2027-01-22T09:30", "--wait", "120"]
    both = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=180)[0] for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    posted = [c.params.get("channel") for c in remind_env.ws.calls("chat.postMessage")]
    # 121 students, the coordinator's digest and the channel: each once.
    assert len(posted) == 123 and len(set(posted)) == 123
    assert sorted(o.count("Reminders queued: 0.") for o in outputs) == [0, 1], outputs
