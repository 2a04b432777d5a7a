from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

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


def run_cli(
    args: list[str], database_url: str, cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRUJULA_DATABASE_URL": database_url, "BRUJULA_PORT": "9"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def test_cli_start_up_with_bad_settings_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli(["db", "init"], "mysql+oops://///", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "BRUJULA_DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BRUJULA_LOG_LEVEL", "LOUD"),
        ("BRUJULA_NLU_URL", "127.0.0.1:5005"),
        ("BRUJULA_NLU_URL", "http://127.0.0.1:99999"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("WHATSAPP_API_BASE_URL", "graph.facebook.com/v21.0"),
        ("BRUJULA_CONTENT_DIR", "/no/such/answers"),
    ],
)
def test_malformed_values_are_named_in_one_line(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(**{variable: value})
    assert variable in str(err.value)
    assert "\n" not in str(err.value)


def test_log_level_is_normalised_and_an_empty_webhook_url_means_polling() -> None:
    settings = load_settings(BRUJULA_LOG_LEVEL="debug", TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_WEBHOOK_URL="")
    assert settings.log_level == "DEBUG"
    assert settings.telegram_mode == "polling"


def test_a_telegram_webhook_must_be_https() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL"):
        load_settings(
            TELEGRAM_BOT_TOKEN="1:abc",
            TELEGRAM_WEBHOOK_URL="http://x.org/telegram/webhook",
            TELEGRAM_WEBHOOK_SECRET="s3cret",
        )


def test_a_telegram_webhook_on_loopback_may_be_http() -> None:
    """A Bot API server on this machine (self-hosted, or the load bench's fake) calls http."""
    settings = load_settings(
        TELEGRAM_BOT_TOKEN="1:abc",
        TELEGRAM_WEBHOOK_URL="http://127.0.0.1:8081/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET="s3cret",
    )
    assert settings.telegram_mode == "webhook"


@pytest.mark.parametrize(
    "command", [["serve"], ["db", "init"], ["chat", "--jsonl"], ["maintenance", "purge"]]
)
def test_a_database_that_cannot_be_opened_stops_start_up_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "a-directory.db").mkdir()  # SQLite cannot open a directory as its file
    result = run_cli(
        command, f"sqlite:///{tmp_path / 'a-directory.db'}", tmp_path, stdin='{"user":"a","text":"hola"}\n'
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "alembic" not in line]
    assert len(lines) == 1 and lines[0].startswith("brujula: cannot open the database"), result.stderr
    assert "Brújula is starting" not in result.stdout


def test_a_database_directory_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = run_cli(["db", "init"], f"sqlite:///{tmp_path / 'a-file' / 'x.db'}", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("brujula: cannot start:") and "a-file" in result.stderr


class FakeService:
    """Stands in for ``nlu.service.RasaService``: records start and stop."""

    instances: ClassVar[list[FakeService]] = []
    failure: ClassVar[BaseException | None] = None

    def __init__(self, model: object, *, host: str, port: int) -> None:
        self.stopped = False
        FakeService.instances.append(self)

    def start(self) -> None:
        if FakeService.failure is not None:
            raise FakeService.failure

    def stop(self) -> None:
        self.stopped = True


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (KeyboardInterrupt(), KeyboardInterrupt),
        (RuntimeError("the NLU service exited with code 1; see var/log/rasa.log"), SystemExit),
        (TimeoutError("the NLU service did not become ready in 180 s"), SystemExit),
    ],
)
def test_the_nlu_service_is_stopped_when_its_start_is_interrupted_or_fails(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    failure: BaseException,
    raised: type[BaseException],
) -> None:
    import nlu.service
    import nlu.training
    from bot.commands.support import maybe_start_nlu

    monkeypatch.setattr(nlu.service, "is_ready", lambda url: False)
    monkeypatch.setattr(nlu.training, "latest_model", lambda: tmp_path / "nlu-x.tar.gz")
    monkeypatch.setattr(nlu.service, "RasaService", FakeService)
    monkeypatch.setattr(FakeService, "instances", [])
    monkeypatch.setattr(FakeService, "failure", failure)
    with pytest.raises(raised):
        maybe_start_nlu(load_settings())
    (service,) = FakeService.instances
    assert service.stopped
    if raised is SystemExit:
        err = capsys.readouterr().err
        assert err.startswith("brujula: the NLU service did not start:") and err.count("\n") == 1


def test_a_terminate_signal_while_the_nlu_service_starts_stops_it_too(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``kill`` (SIGTERM) during the NLU service's start-up wait must not leave it running alone."""
    import signal

    import nlu.service
    import nlu.training
    from bot.commands.support import maybe_start_nlu

    class TerminatedWhileStarting(FakeService):
        def start(self) -> None:
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(nlu.service, "is_ready", lambda url: False)
    monkeypatch.setattr(nlu.training, "latest_model", lambda: tmp_path / "nlu-x.tar.gz")
    monkeypatch.setattr(nlu.service, "RasaService", TerminatedWhileStarting)
    monkeypatch.setattr(FakeService, "instances", [])

    class Unhandled(Exception):
        """What SIGTERM would do without the fix: end the process, leaving the service behind."""

    def unhandled(signum: int, frame: object) -> None:
        raise Unhandled

    before = signal.signal(signal.SIGTERM, unhandled)  # so that a regression fails, not kills pytest
    try:
        with pytest.raises(KeyboardInterrupt):
            maybe_start_nlu(load_settings())
        assert signal.getsignal(signal.SIGTERM) is unhandled  # the usual handling is back afterwards
    finally:
        signal.signal(signal.SIGTERM, before)
    (service,) = FakeService.instances
    assert service.stopped


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
