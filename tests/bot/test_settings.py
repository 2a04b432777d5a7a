from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_are_embedded_and_local() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.host == "127.0.0.1" and settings.port == 8000
    assert settings.telegram_mode == "off"


def test_malformed_database_url_is_one_clear_line() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(BRUJULA_DATABASE_URL="not a url")
    assert "BRUJULA_DATABASE_URL" in str(err.value)
    assert "\n" not in str(err.value)


def test_placeholder_secret_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="BRUJULA_SECRET_KEY"):
        load_settings(BRUJULA_ENV="production")
    ok = load_settings(BRUJULA_ENV="production", BRUJULA_SECRET_KEY="x" * 40)
    assert ok.environment == "production"


def test_webhook_needs_a_secret() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_WEBHOOK_URL="https://x.org/telegram/webhook")
    assert load_settings(TELEGRAM_BOT_TOKEN="1:abc").telegram_mode == "polling"


def test_cli_start_up_with_bad_settings_prints_one_line_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "BRUJULA_DATABASE_URL": "mysql+oops://///"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "init"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "BRUJULA_DATABASE_URL" in result.stderr


def test_the_public_links_to_the_assistant_are_checked_and_normalised() -> None:
    settings = load_settings(
        BRUJULA_TELEGRAM_BOT_USERNAME="@brujula_test_bot", BRUJULA_WHATSAPP_PUBLIC_NUMBER="+52 (55) 0000-0000"
    )
    assert settings.telegram_bot_username == "brujula_test_bot"
    assert settings.whatsapp_public_number == "525500000000"
    assert load_settings().telegram_bot_username is None and load_settings().whatsapp_public_number is None
    with pytest.raises(SettingsError, match="BRUJULA_TELEGRAM_BOT_USERNAME"):
        load_settings(BRUJULA_TELEGRAM_BOT_USERNAME="https://t.me/x")
    with pytest.raises(SettingsError, match="BRUJULA_WHATSAPP_PUBLIC_NUMBER"):
        load_settings(BRUJULA_WHATSAPP_PUBLIC_NUMBER="call us")
