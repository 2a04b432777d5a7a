"""`brujula db`: create and seed the database."""

from __future__ import annotations

import click

from bot.commands.support import load, safe_url


@click.group()
def db() -> None:
    """Database set-up."""


@db.command("init")
def db_init() -> None:
    """Create the database and its tables (idempotent)."""
    from bot.db import create_all, make_engine

    settings = load()
    engine = make_engine(settings.database_url)
    create_all(engine)
    click.echo(f"database ready: {safe_url(settings.database_url)}")


@db.command("seed")
def db_seed() -> None:
    """Load the bundled data into the database (idempotent)."""
    from bot.db import create_all, make_engine

    settings = load()
    engine = make_engine(settings.database_url)
    create_all(engine)
    click.echo("seed: nothing to load yet (the service registry is not connected)")
