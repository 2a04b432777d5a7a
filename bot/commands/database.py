"""`brujula db`: create (migrate) and seed the database."""

from __future__ import annotations

import sys

import click

from bot.commands.support import load, safe_url, startup_errors


@click.group()
def db() -> None:
    """Database set-up."""


@db.command("init")
def db_init() -> None:
    """Create the database and bring its tables to the current schema (idempotent)."""
    from bot.db import create_all, make_engine

    settings = load()
    with startup_errors(settings):
        engine = make_engine(settings.database_url)
        create_all(engine)
    click.echo(f"database ready: {safe_url(settings.database_url)}")


@db.command("seed")
@click.option("--if-empty", is_flag=True, help="Only when the registry has no services yet (keeps edits).")
def db_seed(if_empty: bool) -> None:
    """Load the service taxonomy and the seed registry (re-running replaces them)."""
    from sqlalchemy import text

    from bot.db import create_all, make_engine
    from referrals.transfer import seed

    settings = load()
    with startup_errors(settings):
        engine = make_engine(settings.database_url)
        create_all(engine)
    if if_empty:
        with engine.connect() as conn:
            services = conn.execute(text("SELECT COUNT(*) FROM service")).scalar_one()
        if services:
            click.echo(f"seed: the registry already has {services} services; left as it is")
            return
    report = seed(engine)
    for line in report.lines():
        click.echo(line, err=True)
    if not report.applied:
        click.echo("seed: the seed registry did not import; the database is unchanged", err=True)
        sys.exit(1)
    services = report.counts.get("service", 0)
    organizations = report.counts.get("organization", 0)
    click.echo(
        f"seed: {organizations} organizations, {services} services (all unverified; see docs/REGISTRY.md)"
    )
