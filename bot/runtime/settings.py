"""The one typed settings object, read from the environment and `.env`."""

from __future__ import annotations

from functools import cached_property

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.commands import parse_timezone
from bot.errors import UserError

DEFAULT_API_URL = "https://slack.com/api/"


class MissingSetting(Exception):
    """A setting needed by the chosen command is not set."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{name} is not set: {why}")
        self.name = name


class Settings(BaseSettings):
    """Configuration of one deployment; see the table in README.md.

    Secrets are `SecretStr`, so they never show in `repr`, logs or tracebacks.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_API_URL
    database_url: str = "sqlite:///pmo.db"
    pmo_timezone: str = "UTC"
    port: int = 3000
    log_level: str = "INFO"

    @field_validator("pmo_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return parse_timezone(value)
        except UserError as exc:
            raise ValueError(f"unknown time zone {value!r}; use an Area/City name") from exc

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @cached_property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (one machine, WAL)."""
        return self.database_url.startswith("sqlite")

    def require_bot_token(self) -> str:
        """Return the bot token or raise `MissingSetting` naming it."""
        if self.slack_bot_token is None or not self.slack_bot_token.get_secret_value():
            raise MissingSetting(
                "SLACK_BOT_TOKEN", "the bot token (xoxb-…) from OAuth & Permissions"
            )
        return self.slack_bot_token.get_secret_value()

    def require_slack_credentials(self) -> tuple[str, str]:
        """Return (bot token, signing secret) or raise `MissingSetting` naming the first gap."""
        token = self.require_bot_token()
        secret = self.slack_signing_secret
        if secret is None or not secret.get_secret_value():
            raise MissingSetting(
                "SLACK_SIGNING_SECRET", "the signing secret from Basic Information"
            )
        return token, secret.get_secret_value()
