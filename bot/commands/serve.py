"""`brujula serve`: the web server, webhooks, web chat and Telegram."""

from __future__ import annotations

import click

from bot.commands.support import load, maybe_start_nlu, safe_url


@click.command()
@click.option(
    "--start-nlu/--no-start-nlu",
    default=False,
    help="Start the Rasa NLU service if none answers at BRUJULA_NLU_URL.",
)
def serve(start_nlu: bool) -> None:
    """Run the web server (health, webhooks, web chat) and Telegram when configured."""
    import uvicorn

    from bot.channels.telegram import TelegramChannel
    from bot.composition import build_app
    from bot.logging_setup import configure
    from bot.web.app import create_web_app

    settings = load()
    configure(settings.log_level)
    rasa = maybe_start_nlu(settings) if start_nlu else None
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
        click.echo(f"  database      {safe_url(settings.database_url)}")
        click.echo(f"  Telegram      {settings.telegram_mode}")
        click.echo("Press Ctrl-C to stop.")
        uvicorn.run(web, host=settings.host, port=settings.port, log_level="warning")
    finally:
        if rasa is not None:
            click.echo("Stopping the NLU service…")
            rasa.stop()
