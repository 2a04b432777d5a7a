"""Helpers shared by the commands: settings loading and the NLU service on demand."""

from __future__ import annotations

import sys
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
    service.start()
    return service
