"""The one typed settings object, read from the environment (and ``.env``) once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - the placeholder we refuse in production
PLACEHOLDERS = {DEV_SECRET, "", "changeme", "change-me", "secret", "placeholder"}


class SettingsError(Exception):
    """Configuration that cannot work; the message is one line meant for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "production"] = Field("development", alias="BRUJULA_ENV")
    database_url: str = Field(f"sqlite:///{VAR / 'brujula.db'}", alias="BRUJULA_DATABASE_URL")
    nlu_url: str = Field("http://127.0.0.1:5005", alias="BRUJULA_NLU_URL")
    nlu_timeout: float = Field(5.0, alias="BRUJULA_NLU_TIMEOUT")
    nlu_threshold: float = Field(0.75, alias="BRUJULA_NLU_THRESHOLD", gt=0, lt=1)  # docs/NLU.md
    secret_key: SecretStr = Field(SecretStr(DEV_SECRET), alias="BRUJULA_SECRET_KEY")
    host: str = Field("127.0.0.1", alias="BRUJULA_HOST")
    port: int = Field(8000, alias="BRUJULA_PORT", ge=1, le=65535)
    log_level: str = Field("INFO", alias="BRUJULA_LOG_LEVEL")
    content_dir: Path = Field(ROOT / "content" / "answers", alias="BRUJULA_CONTENT_DIR")

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field("https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_max_sends_per_second: float = Field(30.0, alias="TELEGRAM_MAX_SENDS_PER_SECOND", gt=0)

    office_hours: str = Field("Mon-Fri 09:00-18:00", alias="BRUJULA_OFFICE_HOURS")
    office_timezone: str = Field("America/Mexico_City", alias="BRUJULA_OFFICE_TIMEZONE")
    session_retention_days: int = Field(30, alias="BRUJULA_SESSION_RETENTION_DAYS", ge=1)
    ticket_retention_days: int = Field(30, alias="BRUJULA_TICKET_RETENTION_DAYS", ge=1)
    rate_limit_per_minute: int = Field(20, alias="BRUJULA_RATE_LIMIT_PER_MINUTE", ge=1)
    inbox_lease_seconds: float = Field(30.0, alias="BRUJULA_INBOX_LEASE_SECONDS", gt=0)

    whatsapp_access_token: SecretStr | None = Field(None, alias="WHATSAPP_ACCESS_TOKEN")
    whatsapp_phone_number_id: str | None = Field(None, alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_app_secret: SecretStr | None = Field(None, alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr | None = Field(None, alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_api_base_url: str = Field("https://graph.facebook.com/v21.0", alias="WHATSAPP_API_BASE_URL")

    #: Public ways to reach the assistant, printed on referral slips as a link and a QR code.
    telegram_bot_username: str | None = Field(None, alias="BRUJULA_TELEGRAM_BOT_USERNAME")
    whatsapp_public_number: str | None = Field(None, alias="BRUJULA_WHATSAPP_PUBLIC_NUMBER")

    @field_validator("telegram_bot_username")
    @classmethod
    def _valid_bot_username(cls, value: str | None) -> str | None:
        if not value:
            return None
        name = value.strip().removeprefix("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", name):
            raise ValueError("a Telegram username, e.g. brujula_bot")
        return name

    @field_validator("whatsapp_public_number")
    @classmethod
    def _valid_public_number(cls, value: str | None) -> str | None:
        if not value:
            return None
        digits = re.sub(r"[\s()+.-]", "", value)
        if not re.fullmatch(r"[1-9][0-9]{7,14}", digits):
            raise ValueError("the number in international format, e.g. 52 55 0000 0000")
        return digits

    @field_validator("office_hours")
    @classmethod
    def _valid_office_hours(cls, value: str) -> str:
        from bot.office_hours import OfficeHours

        OfficeHours.parse(value, "UTC")  # raises ValueError with a readable message
        return value

    @field_validator("office_timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. America/Mexico_City)") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _valid_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("nlu_url", "telegram_api_base_url", "telegram_webhook_url", "whatsapp_api_base_url")
    @classmethod
    def _valid_http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parsed = urlsplit(value)
        try:
            parsed.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
        except ValueError:
            raise ValueError("has an invalid port") from None
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("is not an http:// or https:// URL")
        loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
        if info.field_name == "telegram_webhook_url" and parsed.scheme != "https" and not loopback:
            # Telegram's servers only call https webhooks; a Bot API server on this machine (the
            # self-hosted ``telegram-bot-api``, the load bench's fake) may call http on loopback.
            raise ValueError("must be an https:// URL (Telegram only calls https webhooks)")
        return value

    @field_validator("content_dir")
    @classmethod
    def _existing_directory(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(
                f"{str(value)!r} is not a directory (the knowledge answers, e.g. content/answers)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _valid_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (e.g. sqlite:///var/brujula.db)") from None
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator(
        "telegram_bot_token",
        "telegram_webhook_secret",
        "telegram_webhook_url",
        "whatsapp_access_token",
        "whatsapp_phone_number_id",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key.get_secret_value().strip().lower() in PLACEHOLDERS:
                raise ValueError("BRUJULA_SECRET_KEY must be set to a real secret in production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("BRUJULA_SECRET_KEY must be at least 32 characters in production")
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
        return self

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id and self.whatsapp_app_secret)

    @property
    def telegram_mode(self) -> Literal["off", "polling", "webhook"]:
        if not self.telegram_enabled:
            return "off"
        return "webhook" if self.telegram_webhook_url else "polling"


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        errors = getattr(exc, "errors", None)
        if callable(errors):
            parts = []
            for err in errors():
                where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
                msg = str(err.get("msg", "")).removeprefix("Value error, ")
                parts.append(f"{where}: {msg}" if where != "settings" else msg)
            raise SettingsError("invalid configuration: " + "; ".join(parts)) from None
        raise SettingsError(f"invalid configuration: {exc}") from None
