"""Helpers shared by the commands: settings loading, start-up errors and the NLU service on demand."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import click

from bot.settings import Settings, SettingsError, load_settings


def load() -> Settings:
    """The settings, or one clear line on stderr and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"brujula: {exc}", err=True)
        sys.exit(2)


@contextlib.contextmanager
def startup_errors(settings: Settings) -> Iterator[None]:
    """Around opening the database at start-up: a database that cannot be opened or reached is
    one clear line on stderr and exit code 2, not a traceback."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines() or ["unknown error"]
        click.echo(
            f"brujula: cannot open the database {safe_url(settings.database_url)}: {reason[0]}", err=True
        )
        sys.exit(2)
    except OSError as exc:  # e.g. the SQLite file's directory cannot be created
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"brujula: cannot start: {where}{exc.strerror or type(exc).__name__}", err=True)
        sys.exit(2)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a service manager stopping us) raises ``KeyboardInterrupt`` like Ctrl-C,
    so that ``finally`` blocks stop the processes we started. Only the main thread can set it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def maybe_start_nlu(settings: Settings) -> Any:
    from urllib.parse import urlparse

    from nlu.service import RasaService, is_ready
    from nlu.training import latest_model

    if is_ready(settings.nlu_url):
        return None
    model = latest_model()
    if model is None:
        click.echo("brujula: no trained NLU model; run `make setup` (or `brujula nlu train`)", err=True)
        sys.exit(2)
    parsed = urlparse(settings.nlu_url)
    service = RasaService(model, host=parsed.hostname or "127.0.0.1", port=parsed.port or 5005)
    click.echo(f"Starting the NLU service with {model.name} (about 20 s)…")
    try:
        with terminate_as_interrupt():
            service.start()
    except (OSError, RuntimeError) as exc:  # not installed, exited, or not ready in time
        service.stop()
        click.echo(f"brujula: the NLU service did not start: {exc}", err=True)
        sys.exit(2)
    except BaseException:  # Ctrl-C while waiting: never leave the service running on its own
        service.stop()
        raise
    return service
