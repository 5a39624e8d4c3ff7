"""Settings are checked at start and every problem names the variable to fix."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
        "PORT",
        "STAGEBOT_TIMEZONE",
        "STAGEBOT_CHANNEL",
        "SLACK_API_URL",
        "STAGEBOT_CATALOGUE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_defaults_need_nothing() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///stagebot.db"
    assert settings.port == 3000
    assert settings.timezone == "Europe/Brussels"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.has_http_credentials


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nSTAGEBOT_CHANNEL=C123\n")  # type: ignore[operator]
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/stage")
    settings = load_settings()
    assert settings.slack_bot_token == "xoxb-from-dotenv"
    assert settings.channel == "C123"
    assert settings.port == 8080
    assert settings.database_url == "postgresql+psycopg://u@db/stage"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STAGEBOT_TIMEZONE", "Europe/Brusel", "unknown time zone"),
        ("PORT", "http", "PORT"),
        ("DATABASE_URL", "mysql://x/y", "use sqlite"),
    ],
)
def test_wrong_values_are_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert message in str(error.value)
    assert name in str(error.value)


def test_serve_without_secrets_says_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in err


def test_serve_with_a_user_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve"]) == 2
    assert "xoxb-" in capsys.readouterr().err
