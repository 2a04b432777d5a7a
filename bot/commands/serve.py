"""`brujula serve`: the web server, webhooks, web chat, Telegram and WhatsApp."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from bot.commands.support import load, maybe_start_nlu, safe_url, startup_errors, terminate_as_interrupt

if TYPE_CHECKING:
    from bot.channels.whatsapp import WhatsAppChannel
    from bot.composition import App
    from bot.settings import Settings


@click.command()
@click.option(
    "--start-nlu/--no-start-nlu",
    default=False,
    help="Start the Rasa NLU service if none answers at BRUJULA_NLU_URL.",
)
def serve(start_nlu: bool) -> None:
    """Run the web server (health, webhooks, web chat), Telegram and WhatsApp when configured."""
    from bot.logging_setup import configure

    settings = load()
    configure(settings.log_level)
    with terminate_as_interrupt():  # uvicorn handles SIGTERM itself while it runs
        _serve(settings, start_nlu)


def _serve(settings: Settings, start_nlu: bool) -> None:
    import asyncio

    import uvicorn

    from bot.channels.telegram import TelegramChannel, TelegramStartError, check_bot_api
    from bot.composition import build_app
    from bot.web.app import create_web_app

    rasa = maybe_start_nlu(settings) if start_nlu else None
    try:
        with startup_errors(settings):
            app = build_app(settings)
        telegram = None
        telegram_mode: str = settings.telegram_mode
        if settings.telegram_enabled:
            assert settings.telegram_bot_token is not None
            token = settings.telegram_bot_token.get_secret_value()
            try:  # a wrong token or an unreachable Bot API is one line here, not a traceback later
                username = asyncio.run(check_bot_api(token=token, base_url=settings.telegram_api_base_url))
            except TelegramStartError as exc:
                click.echo(f"brujula: {exc}", err=True)
                sys.exit(2)
            telegram_mode = f"{telegram_mode} as @{username}"
            telegram = TelegramChannel(
                token=token,
                base_url=settings.telegram_api_base_url,
                handle=app.engine.handle,
                inbox=app.inbox,
                sealer=app.sealer,
                pseudonymize=app.pseudonymize,
                lease=timedelta(seconds=settings.inbox_lease_seconds),
                max_sends_per_second=settings.telegram_max_sends_per_second,
            )
        whatsapp = build_whatsapp(settings, app) if settings.whatsapp_enabled else None
        web = create_web_app(app, telegram, whatsapp)
        base = f"http://{settings.host}:{settings.port}"
        click.echo("Brújula is starting:")
        click.echo(f"  web chat      {base}/chat")
        click.echo(f"  health        {base}/healthz")
        click.echo(f"  desk          {base}/desk/")
        click.echo(f"  NLU           {settings.nlu_url}")
        click.echo(f"  database      {safe_url(settings.database_url)}")
        click.echo(f"  Telegram      {telegram_mode}")
        click.echo(f"  WhatsApp      {'webhook at ' + base + '/whatsapp/webhook' if whatsapp else 'off'}")
        click.echo("Press Ctrl-C to stop.")
        uvicorn.run(web, host=settings.host, port=settings.port, log_level="warning")
    finally:
        if rasa is not None:
            click.echo("Stopping the NLU service…")
            rasa.stop()


def build_whatsapp(settings: Settings, app: App) -> WhatsAppChannel:
    """The WhatsApp channel for these settings (``settings.whatsapp_enabled`` must be true)."""
    from bot.channels.whatsapp import WhatsAppChannel
    from bot.channels.whatsapp_api import GraphClient
    from bot.http_transport import AiohttpTransport
    from bot.sessions import SqlSessionStore

    token, phone_id, secret = (
        settings.whatsapp_access_token,
        settings.whatsapp_phone_number_id,
        settings.whatsapp_app_secret,
    )
    assert token is not None and phone_id is not None and secret is not None
    verify = settings.whatsapp_verify_token
    return WhatsAppChannel(
        api=GraphClient(
            base_url=settings.whatsapp_api_base_url,
            phone_number_id=phone_id,
            access_token=token.get_secret_value(),
            http=AiohttpTransport(),
        ),
        handle=app.engine.handle,
        pseudonymize=app.pseudonymize,
        inbox=app.inbox,
        sealer=app.sealer,
        lease=timedelta(seconds=settings.inbox_lease_seconds),
        sessions=SqlSessionStore(app.loop_db),
        app_secret=secret.get_secret_value(),
        phone_number_id=phone_id,
        verify_token=verify.get_secret_value() if verify else None,
    )
