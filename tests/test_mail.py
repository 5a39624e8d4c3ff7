"""Mail through the outbox, to a real SMTP server on loopback: sent once across a retry, refused for good
when the server says so, visible in `stagebot outbox`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cli import main
from bot.delivery import mail
from bot.delivery.outbox import wall_now
from bot.i18n import Translator
from bot.settings import SettingsError, load_settings
from models.outbox import OutboxMessage, OutboxState
from tests.conftest import Stack
from workspace.mailbox import Mailbox

SENDER = "Stagebot <stage@lerarenopleiding.example>"


@pytest.fixture
def mailbox(wire: Stack) -> Iterator[Mailbox]:
    """A real SMTP server the bot sends to while the test runs."""
    box = Mailbox()
    url = box.start()
    before = wire.services.settings
    wire.services.settings = before.model_copy(update={"smtp_url": url, "mail_from": SENDER})
    yield box
    wire.services.settings = before
    box.stop()


def _queue(wire: Stack, key: str, to: str = "an.peeters@school.example", language: str = "nl") -> None:
    t = Translator(language)
    composed = mail.compose(
        t, "mail.request", link=mail.Link("https://stage.example/school/abc", t("mail.request.link")),
        name="An Peeters", student="Anna De Smet", school="Sint-Jozefscollege", activities="- tutorstage",
        until="2 januari 2027",
    )  # fmt: skip
    with wire.session() as s:
        assert mail.queue(s, key, to, composed)
        s.commit()
    wire.services.outbox.kick()


def _row(wire: Stack, key: str) -> OutboxMessage:
    with wire.session() as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()


def _later(wire: Stack, seconds: float = 600) -> None:
    while wire.services.outbox.deliver_due(wall_now() + timedelta(seconds=seconds)) > 0:
        pass


def test_a_mail_refused_for_now_is_sent_exactly_once_when_the_server_takes_it(
    wire: Stack, mailbox: Mailbox
) -> None:
    mailbox.refuse_next(451, "4.3.0 mailbox busy, try again")
    _queue(wire, "mail:test:1")
    wire.services.outbox.settle()
    row = _row(wire, "mail:test:1")
    assert mailbox.mails() == []
    assert row.state == OutboxState.PENDING.value and row.attempts == 1
    assert row.last_error and row.last_error.startswith("smtp 451")
    assert row.lane == "an.peeters@school.example"
    _later(wire)
    _later(wire)  # nothing is sent twice
    [got] = mailbox.mails("an.peeters@school.example")
    assert _row(wire, "mail:test:1").state == OutboxState.SENT.value
    assert got.message_id == mail.message_id("mail:test:1", SENDER)
    assert got.message_id.endswith("@lerarenopleiding.example>")
    assert got.subject == "Stageaanvraag van Anna De Smet voor Sint-Jozefscollege"
    assert "Beste An Peeters" in got.text and "https://stage.example/school/abc" in got.text
    assert '<a href="https://stage.example/school/abc"' in got.html and "Aanvraag beantwoorden" in got.html
    assert got.message["Content-Language"] == "nl"


def test_a_lost_connection_is_tried_again_later(wire: Stack, mailbox: Mailbox) -> None:
    good = wire.services.settings
    wire.services.settings = good.model_copy(update={"smtp_url": "smtp://127.0.0.1:9"})  # nobody listens
    _queue(wire, "mail:test:2", language="en")
    wire.services.outbox.settle()
    row = _row(wire, "mail:test:2")
    assert row.state == OutboxState.PENDING.value
    assert row.last_error == "smtp connection: ConnectionRefusedError"
    wire.services.settings = good
    _later(wire)
    [got] = mailbox.mails()
    assert got.subject == "Internship request from Anna De Smet for Sint-Jozefscollege"
    assert "Answer the request" in got.html


def test_a_mail_the_server_refuses_for_good_fails_and_shows_in_stagebot_outbox(
    wire: Stack, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox.refuse_next(550, "5.1.1 no such mailbox")
    _queue(wire, "mail:test:3", to="niemand@school.example")
    wire.services.outbox.settle()
    row = _row(wire, "mail:test:3")
    assert row.state == OutboxState.FAILED.value and row.attempts == 1
    _later(wire)
    assert mailbox.mails() == []  # refused for good: never tried again by itself
    monkeypatch.setenv("DATABASE_URL", wire.services.db.url)
    assert main(["outbox"]) == 1
    out = capsys.readouterr().out
    assert "failed\tmail.send\tniemand@school.example" in out
    assert "smtp 550: 5.1.1 no such mailbox" in out
    assert "0 pending, 1 failed." in out


@pytest.mark.parametrize(
    ("url", "scheme", "port", "user"),
    [
        ("smtp://mail.example:2525", "smtp", 2525, None),
        ("smtp+starttls://me%40school.be:geheim@mail.example:587", "smtp+starttls", 587, "me@school.be"),
        ("smtps://u:p@mail.example", "smtps", 465, "u"),
    ],
)
def test_the_three_forms_of_the_smtp_address(url: str, scheme: str, port: int, user: str | None) -> None:
    target = mail.parse_smtp_url(url)
    assert (target.scheme, target.host, target.port, target.user) == (scheme, "mail.example", port, user)
    assert load_settings(smtp_url=url).smtp_url == url
    assert "geheim" not in mail.where(url)


def test_a_wrong_smtp_address_or_sender_is_named_at_start() -> None:
    with pytest.raises(SettingsError, match="SMTP_URL: not an SMTP address"):
        load_settings(smtp_url="http://mail.example")
    with pytest.raises(SettingsError, match="MAIL_FROM: not an e-mail address"):
        load_settings(mail_from="stagebot")
