"""The ``brujula`` command line: serve, chat, db, nlu."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click

from bot.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"brujula: {exc}", err=True)
        sys.exit(2)


@click.group()
def main() -> None:
    """Brújula — information and referral assistant for people on the move in Mexico."""


@main.command()
@click.option("--start-nlu/--no-start-nlu", default=False,
              help="Start the Rasa NLU service if none answers at BRUJULA_NLU_URL.")
def serve(start_nlu: bool) -> None:
    """Run the web server (health, webhooks, web chat) and Telegram when configured."""
    import uvicorn

    from bot.channels.telegram import TelegramChannel
    from bot.composition import build_app
    from bot.logging_setup import configure
    from bot.web.app import create_web_app

    settings = _settings()
    configure(settings.log_level)
    rasa = _maybe_start_nlu(settings) if start_nlu else None
    try:
        app = build_app(settings)
        telegram = None
        if settings.telegram_enabled:
            assert settings.telegram_bot_token is not None
            telegram = TelegramChannel(
                token=settings.telegram_bot_token.get_secret_value(),
                base_url=settings.telegram_api_base_url,
                handle=app.engine.handle,
            )
        web = create_web_app(app, telegram)
        base = f"http://{settings.host}:{settings.port}"
        click.echo("Brújula is starting:")
        click.echo(f"  web chat      {base}/chat")
        click.echo(f"  health        {base}/healthz")
        click.echo(f"  NLU           {settings.nlu_url}")
        click.echo(f"  database      {_safe_url(settings.database_url)}")
        click.echo(f"  Telegram      {settings.telegram_mode}")
        click.echo("Press Ctrl-C to stop.")
        uvicorn.run(web, host=settings.host, port=settings.port, log_level="warning")
    finally:
        if rasa is not None:
            click.echo("Stopping the NLU service…")
            rasa.stop()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _maybe_start_nlu(settings: Settings) -> Any:
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


@main.command()
@click.option("--jsonl", is_flag=True, help="Scripted form: JSON lines in, JSON lines out.")
@click.option("--user", default="terminal", show_default=True, help="User id for the interactive chat.")
def chat(jsonl: bool, user: str) -> None:
    """Talk to the assistant in the terminal."""
    import logging

    from bot.channels.console import run_jsonl, run_terminal
    from bot.composition import build_app
    from bot.logging_setup import configure

    settings = _settings()
    configure("WARNING")
    logging.getLogger("bot").setLevel(logging.WARNING)

    async def go() -> None:
        app = build_app(settings)
        try:
            if jsonl:
                await run_jsonl(app.engine.handle, sys.stdin, sys.stdout)
            else:
                await run_terminal(app.engine.handle, user, input)
        finally:
            await app.aclose()

    asyncio.run(go())


@main.group()
def db() -> None:
    """Database set-up."""


@db.command("init")
def db_init() -> None:
    """Create the database and its tables (idempotent)."""
    from bot.db import create_all, make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    create_all(engine)
    click.echo(f"database ready: {_safe_url(settings.database_url)}")


@db.command("seed")
def db_seed() -> None:
    """Load the bundled data into the database (idempotent)."""
    from bot.db import create_all, make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    create_all(engine)
    click.echo("seed: nothing to load yet (the service registry is not connected)")


@main.group()
def nlu() -> None:
    """The Rasa NLU model: train, serve, predict."""


@nlu.command("train")
@click.option("--force", is_flag=True, help="Train even if the data did not change.")
def nlu_train(force: bool) -> None:
    """Train the model with `rasa train nlu` if its data or config changed."""
    import subprocess

    from nlu.training import train

    try:
        path, trained = train(force=force)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        click.echo(f"brujula: training failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{'trained' if trained else 'up to date'}: {path}")


@nlu.command("serve")
def nlu_serve() -> None:
    """Serve the trained model with `rasa run --enable-api` (loopback) until Ctrl-C."""
    import time

    settings = _settings()
    service = _maybe_start_nlu(settings)
    if service is None:
        click.echo(f"an NLU service already answers at {settings.nlu_url}")
        return
    click.echo(f"NLU service ready at {service.url}; Ctrl-C to stop.")
    try:
        while service.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


@nlu.command("predict")
def nlu_predict() -> None:
    """JSON lines {"text": ...} in; intent, confidence, language and entities out."""
    from bot import safety
    from bot.language_id import detect
    from nlu.client import RasaNluClient

    settings = _settings()
    service = _maybe_start_nlu(settings)
    url = service.url if service is not None else settings.nlu_url

    async def go() -> None:
        client = RasaNluClient(url, timeout=30.0)
        try:
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    text = str(json.loads(line).get("text") or "")
                except (json.JSONDecodeError, AttributeError):
                    text = ""
                result: dict[str, Any] = {"text": text, "intent": "out_of_scope",
                                          "confidence": 0.0, "language": detect(text),
                                          "entities": []}
                if text.strip():
                    parse = await client.parse(text)
                    result["intent"], result["confidence"] = parse.intent, round(parse.confidence, 4)
                    result["entities"] = [{"entity": e.entity, "value": e.value} for e in parse.entities]
                if safety.check(text) is not None and result["intent"] != "emergency":
                    result["intent"], result["safety_net"] = "emergency", True
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        finally:
            await client.aclose()

    try:
        asyncio.run(go())
    finally:
        if service is not None:
            service.stop()
