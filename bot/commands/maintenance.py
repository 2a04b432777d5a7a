"""`brujula maintenance`: the retention purge (also scheduled hourly by `brujula serve`)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from bot.commands.support import load, startup_errors


@click.group()
def maintenance() -> None:
    """Housekeeping."""


@maintenance.command("purge")
def maintenance_purge() -> None:
    """Delete idle sessions and closed tickets past their retention time."""
    import bot.analytics
    import bot.handoff  # noqa: F401  (registers the tables)
    from bot.db import create_all, make_engine
    from bot.privacy import purge

    settings = load()
    with startup_errors(settings):
        engine = make_engine(settings.database_url)
        create_all(engine)
    stats = purge(
        engine,
        now=datetime.now(UTC),
        session_days=settings.session_retention_days,
        ticket_days=settings.ticket_retention_days,
    )
    click.echo("purged: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    engine.dispose()
