"""Settings from the environment and an optional `.env`, checked once at start with clear messages."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.catalogue import DEFAULT_CATALOGUE

SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(SLACK_API_URL, validation_alias=_env("SLACK_API_URL"))
    database_url: str = Field("sqlite:///stagebot.db", validation_alias=_env("DATABASE_URL"))
    port: int = Field(3000, ge=1, le=65535, validation_alias=_env("PORT"))
    timezone: str = Field("Europe/Brussels", validation_alias=_env("STAGEBOT_TIMEZONE"))
    channel: str | None = Field(None, validation_alias=_env("STAGEBOT_CHANNEL"))
    catalogue_path: Path = Field(DEFAULT_CATALOGUE, validation_alias=_env("STAGEBOT_CATALOGUE"))
    # Where document contents are kept (default: a `documents` directory beside the SQLite file, else here).
    documents_dir: Path | None = Field(None, validation_alias=_env("STAGEBOT_DOCUMENTS_DIR"))
    public_url: str | None = Field(None, validation_alias=_env("STAGEBOT_PUBLIC_URL"))
    # Mail to the school side (contact persons, mentors): without an SMTP server that side is off.
    smtp_url: str | None = Field(None, validation_alias=_env("STAGEBOT_SMTP_URL"))
    mail_from: str | None = Field(None, validation_alias=_env("STAGEBOT_MAIL_FROM"))
    # How many mails a minute the SMTP server takes (providers refuse more, often about 30): the outbox paces.
    mail_per_minute: int = Field(30, ge=1, le=10000, validation_alias=_env("STAGEBOT_MAIL_PER_MINUTE"))
    link_days: int = Field(30, ge=1, le=365, validation_alias=_env("STAGEBOT_LINK_DAYS"))
    # How soon background work a stopped process left behind is taken over (bot.durable_jobs.timing).
    job_resume_seconds: int = Field(30, ge=1, le=3600, validation_alias=_env("STAGEBOT_JOB_RESUME_SECONDS"))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Brussels)") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """SQLite or PostgreSQL; a bare postgres:// URL (as hosting add-ons give) gets the psycopg driver."""
        try:
            url = make_url(value)
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {value!r}") from error
        if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
        if url.get_backend_name() != "sqlite" and url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
            return url.render_as_string(hide_password=False)
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        from bot.delivery.mail import parse_smtp_url

        if value:
            parse_smtp_url(value)  # raises ValueError with what to write instead
        return value or None

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        if value and "@" not in value:
            raise ValueError(f"not an e-mail address: {value!r} (write e.g. Stagebot <stage@school.be>)")
        return value or None

    @property
    def mail_enabled(self) -> bool:
        """The school side is on when the bot can send mail and link back to its own pages."""
        return bool(self.smtp_url and self.mail_from and self.public_url)

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def has_http_credentials(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def require_http(self) -> None:
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"HTTP mode needs {' and '.join(missing)}: set them in the environment or in .env "
                "(Slack app settings: 'Basic Information' for the signing secret, 'OAuth & Permissions' "
                "for the bot token)."
            )
        self.require_http_token()

    def require_http_token(self) -> None:
        """Sending needs a bot token (the scheduler needs nothing more)."""
        if not self.slack_bot_token or not self.slack_bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be set to a bot token starting with xoxb-.")

    def require_socket_mode(self) -> None:
        if not self.slack_app_token or not self.slack_app_token.startswith("xapp-"):
            raise SettingsError("Socket Mode needs SLACK_APP_TOKEN, an app-level token starting with xapp-.")
        if not self.slack_bot_token:
            raise SettingsError("Socket Mode also needs SLACK_BOT_TOKEN (a bot token starting with xoxb-).")


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; every problem is named with the variable to fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
            lines.append(f"{name}: {problem['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from error
