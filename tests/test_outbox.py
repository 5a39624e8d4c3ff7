"""The outbox through the wire: what the bot sends is written with the change, sent once, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.delivery.outbox import OutboxWorker, wall_now
from bot.delivery.slack_limits import Pacer
from models import outbox
from models.outbox import OutboxMessage, OutboxState
from models.people import Role
from models.problems import Problem
from tests.conftest import Stack
from tests.factories import person, student


def _cohort(wire: Stack) -> None:
    with wire.session() as s:
        coordinator = person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        supervisor = person(s, "U0SUP", "Tom Vermeulen", Role.SUPERVISOR)
        student(s, "U0ANNA", "Anna De Smet", supervisor=supervisor)
        assert coordinator.id
        s.commit()
    wire.sync_users()


def _rows(wire: Stack) -> list[OutboxMessage]:
    with wire.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _later(wire: Stack, seconds: float = 600) -> int:
    """Deliver what is due a while from now (a retry's back-off has passed)."""
    handled = 0
    while (n := wire.services.outbox.deliver_due(wall_now() + timedelta(seconds=seconds))) > 0:
        handled += n
    return handled


def test_a_dm_goes_to_the_user_id_without_opening_a_conversation(wire: Stack) -> None:
    _cohort(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "probleem mijn mentor is ziek")
    assert wire.ws.calls("conversations.open") == []
    [post] = wire.ws.calls("chat.postMessage")
    assert post.params["channel"] == "U0COORD"
    assert len(wire.ws.messages(wire.ws.dm_channel("U0COORD"))) == 1
    [row] = _rows(wire)
    assert row.state == OutboxState.SENT.value and row.result and row.result["channel"] == "D0COORD"


def test_a_refused_dm_is_kept_and_sent_once_slack_takes_it_again(wire: Stack) -> None:
    _cohort(wire)
    wire.ws.fail_next("chat.postMessage", error="internal_error", status=503)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "problem my mentor is ill")
    assert answer.ok and "doorgegeven" in answer.json["text"]
    assert wire.ws.messages(wire.ws.dm_channel("U0COORD")) == []
    [row] = _rows(wire)
    assert row.state == OutboxState.PENDING.value and row.attempts == 1 and row.last_error == "internal_error"
    _later(wire)
    wire.services.outbox.settle()
    assert len(wire.ws.messages(wire.ws.dm_channel("U0COORD"))) == 1
    assert _later(wire) == 0  # sent: never again
    assert len(wire.ws.calls("chat.postMessage")) == 2
    with wire.session() as s:
        assert s.exec(select(Problem)).one().text == "my mentor is ill"


def test_a_rate_limited_dm_waits_for_retry_after_and_goes_once(wire: Stack) -> None:
    _cohort(wire)
    wire.ws.fail_next("chat.postMessage", "ratelimited", retry_after=30)
    wire.ws.slash_command("U0ANNA", "/stage", "probleem x")
    [row] = _rows(wire)
    assert row.state == OutboxState.PENDING.value and row.attempts == 0  # a rate limit is no failure
    assert row.not_before > wall_now() + timedelta(seconds=20)
    wire.services.outbox.pacer.pause("chat.postMessage", 0)  # Retry-After has passed
    wire.services.outbox.pacer = type(wire.services.outbox.pacer)()
    _later(wire, 31)
    wire.services.outbox.settle()
    assert len(wire.ws.calls("chat.postMessage")) == 2
    assert len(wire.ws.messages(wire.ws.dm_channel("U0COORD"))) == 1


def test_an_error_that_will_not_pass_fails_for_good_and_shows(wire: Stack) -> None:
    _cohort(wire)
    wire.ws.fail_next("chat.postMessage", "channel_not_found")
    wire.ws.slash_command("U0ANNA", "/stage", "probleem x")
    [row] = _rows(wire)
    assert row.state == OutboxState.FAILED.value and row.last_error == "channel_not_found"
    with wire.session() as s:
        assert [r.id for r in outbox.unsent(s)] == [row.id]
        assert outbox.retry_failed(s) == 1
    _later(wire, 300)  # the worker may have taken it already
    wire.services.outbox.settle()
    assert _rows(wire)[0].state == OutboxState.SENT.value
    assert len(wire.ws.messages(wire.ws.dm_channel("U0COORD"))) == 1


def test_a_message_and_its_update_keep_their_order_in_a_lane(wire: Stack) -> None:
    client = wire.services.outbox.client("test")
    posted = client.chat_postMessage(channel="U0ANNA", text="eerst")
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="daarna")
    with wire.session() as s:
        person(s, "U0ANNA", "Anna De Smet", Role.STUDENT)
        s.commit()
    wire.sync_users()
    wire.services.outbox.settle()
    [message] = wire.ws.messages(wire.ws.dm_channel("U0ANNA"))
    assert message.text == "daarna"
    assert [c.method for c in wire.ws.calls()][-2:] == ["chat.postMessage", "chat.update"]


def test_two_workers_deliver_every_row_exactly_once(wire: Stack) -> None:
    with wire.session() as s:
        for n in range(40):
            person(s, f"U0P{n:03d}", f"Persoon {n}", Role.STUDENT)
        s.commit()
    wire.sync_users()
    wire.services.outbox.stop()  # only the two below
    try:
        client = wire.services.outbox.client("bulk")
        for n in range(40):
            for k in range(3):
                client.chat_postMessage(channel=f"U0P{n:03d}", text=f"bericht {k}")
        workers = [OutboxWorker(wire.services, threads=3) for _ in range(2)]
        for worker in workers:  # as the suite's own worker: this workspace has no rate limits to keep
            worker.pacer = Pacer(enabled=False)
        start = threading.Barrier(2)

        def run(worker: OutboxWorker) -> None:
            start.wait()
            while worker.deliver_due() > 0:
                pass

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        wire.services.outbox.start()
    assert len(wire.ws.calls("chat.postMessage")) == 120
    for n in range(40):
        texts = [m.text for m in wire.ws.messages(wire.ws.dm_channel(f"U0P{n:03d}"))]
        assert texts == ["bericht 0", "bericht 1", "bericht 2"]
    assert {r.state for r in _rows(wire)} == {OutboxState.SENT.value}


def test_the_same_key_twice_is_one_message(wire: Stack) -> None:
    with wire.session() as s:
        assert outbox.enqueue(s, "k", "U1", "chat.postMessage", {"channel": "U1", "text": "a"}, wall_now())
        assert not outbox.enqueue(
            s, "k", "U1", "chat.postMessage", {"channel": "U1", "text": "b"}, wall_now()
        )
        s.commit()
    assert len(_rows(wire)) == 1


@pytest.mark.parametrize("copies", [2])
def test_an_event_delivered_twice_at_one_instant_is_handled_once(wire: Stack, copies: int) -> None:
    _cohort(wire)
    first = wire.ws.send_dm("U0ANNA", "hallo")
    answers: list[int] = []
    go = threading.Barrier(copies)

    def again() -> None:
        go.wait()
        answers.append(wire.ws.redeliver(first).status)

    threads = [threading.Thread(target=again) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [200] * copies
    bot_messages = [m for m in wire.ws.messages(wire.ws.dm_channel("U0ANNA")) if m.user == "U0STAGEBOT"]
    assert len(bot_messages) == 1


def test_the_same_slash_command_replayed_stores_one_report(wire: Stack) -> None:
    _cohort(wire)
    first = wire.ws.slash_command("U0ANNA", "/stage", "probleem mijn mentor is ziek")
    again = wire.ws.redeliver(first)  # the same signed body within the 5 minutes a signature lasts
    assert first.ok and again.ok
    with wire.session() as s:
        assert len(s.exec(select(Problem)).all()) == 1
    assert len(wire.ws.messages(wire.ws.dm_channel("U0COORD"))) == 1


def test_a_refused_question_after_a_file_drop_still_reaches_the_student(wire: Stack) -> None:
    """Slack refusing the "which document?" post used to make the bot answer 500 while it had already
    marked the event handled, so Slack's retry was dropped and the question never came."""
    from tests.documents_files import pdf

    _cohort(wire)
    wire.ws.fail_next("chat.postMessage", error="internal_error", status=500)
    _, deliveries = wire.ws.share_file("U0ANNA", "verbintenis.pdf", pdf(), "application/pdf")
    assert all(d.ok for d in deliveries)
    _later(wire)
    wire.services.outbox.settle()
    asked = [m for m in wire.ws.messages(wire.ws.dm_channel("U0ANNA")) if "Welk document" in m.text]
    assert len(asked) == 1
    assert all(wire.ws.redeliver(d).ok for d in deliveries)  # Slack's retries change nothing more
    assert len([m for m in wire.ws.messages(wire.ws.dm_channel("U0ANNA")) if "Welk document" in m.text]) == 1


def test_old_request_keys_and_long_sent_messages_are_tidied_away(wire: Stack) -> None:
    from bot.app import KEEP_SENT, tidy
    from models.processed_events import ProcessedEvent

    _cohort(wire)
    wire.ws.slash_command("U0ANNA", "/stage", "probleem x")
    with wire.session() as s:
        assert len(s.exec(select(ProcessedEvent)).all()) == 1
        s.add(ProcessedEvent(event_id="Ev-old", received_at=wall_now() - timedelta(days=3)))
        outbox.enqueue(s, "old", "U0X", "chat.postMessage", {"channel": "U0X"}, wall_now())
        s.flush()
        old = s.exec(select(OutboxMessage).where(OutboxMessage.key == "old")).one()
        old.state, old.sent_at = OutboxState.SENT.value, wall_now() - KEEP_SENT - timedelta(days=1)
        s.add(old)
        s.commit()
    tidy(wire.services)
    with wire.session() as s:
        assert [e.event_id for e in s.exec(select(ProcessedEvent))] != ["Ev-old"]
        assert len(s.exec(select(ProcessedEvent)).all()) == 1
        assert [r.key for r in s.exec(select(OutboxMessage))] != ["old"]
        assert len(s.exec(select(OutboxMessage)).all()) == 1  # the problem's DM, sent today, stays
