"""`brujula registry`: import, export, validate and search the service registry (HSDS 3.0).

Formats: HSDS JSON (a ``.json`` file: a list of organizations) or the HSDS CSV tabular package
(a directory or a ``.zip``). See docs/REGISTRY.md.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.commands.support import load, safe_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.settings import Settings
    from referrals.report import Report


def _engine() -> tuple[Engine, Settings]:
    from bot.db import create_all, make_engine

    settings = load()
    engine = make_engine(settings.database_url)
    create_all(engine)
    return engine, settings


def _print_report(report: Report, *, verbose: bool = True) -> None:
    for line in report.lines():
        click.echo(line, err=line.startswith("error"))
    counts = ", ".join(f"{name} {count}" for name, count in sorted(report.counts.items()))
    errors, warnings = len(report.errors) + report.omitted, len(report.warnings)
    if verbose:
        click.echo(f"{errors} errors, {warnings} warnings; records: {counts or 'none'}")


@click.group()
def registry() -> None:
    """The service registry (Open Referral HSDS 3.0 with the Mexico profile)."""


@registry.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--standalone", is_flag=True, help="Do not look up references in the database.")
def registry_validate(path: Path, standalone: bool) -> None:
    """Check a JSON file or CSV package without importing it (exit 1 on errors)."""
    from referrals.transfer import validate

    engine = None if standalone else _engine()[0]
    _bundle, report = validate(path, engine)
    _print_report(report)
    sys.exit(0 if report.ok else 1)


@registry.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="The file becomes the whole registry (organizations not in it are removed).",
)
def registry_import(path: Path, replace: bool) -> None:
    """Import a JSON file or CSV package in one transaction (nothing changes on any error)."""
    from referrals.transfer import import_path

    engine, settings = _engine()
    report = import_path(engine, path, replace=replace)
    _print_report(report)
    if not report.applied:
        click.echo("nothing was imported: the database is unchanged", err=True)
        sys.exit(1)
    click.echo(f"imported into {safe_url(settings.database_url)}")


@registry.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="JSON: a file (default: standard output). CSV: a directory or a .zip (required).",
)
def registry_export(fmt: str, output: Path | None) -> None:
    """Export the registry as HSDS 3.0 JSON or as the HSDS CSV tabular package."""
    from referrals import hsds_json
    from referrals.report import Report
    from referrals.transfer import export_csv, export_json_text

    engine, _settings = _engine()
    if fmt == "csv":
        if output is None:
            raise click.UsageError("--output is required for CSV (a directory or a .zip)")
        files = export_csv(engine, output)
        click.echo(f"wrote {len(files)} files to {output}", err=True)
        return
    content = export_json_text(engine)
    report = Report()
    hsds_json.read(content.encode("utf-8"), "export", report)
    if not report.ok:  # never hand out a file that does not validate
        _print_report(report)
        sys.exit(1)
    if output is None:
        click.echo(content, nl=False)
    else:
        output.write_text(content, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@registry.command("search")
@click.argument("intent")
@click.option("--place", help='Where the person is, as they would write it ("qro", "Tapachula").')
@click.option("--lat", type=float, help="Shared location: latitude.")
@click.option("--lon", type=float, help="Shared location: longitude.")
@click.option("--language", default="es", show_default=True)
@click.option("--population", "populations", multiple=True, help="women, children_families, lgbtq, …")
@click.option("--limit", default=5, show_default=True)
@click.option("--at", "at", help="The moment to check opening hours (ISO 8601; default now).")
def registry_search(
    intent: str,
    place: str | None,
    lat: float | None,
    lon: float | None,
    language: str,
    populations: tuple[str, ...],
    limit: int,
    at: str | None,
) -> None:
    """Print the ranked, explained referrals for an intent and a place."""
    from referrals.places import default_gazetteer
    from referrals.sql_finder import SqlReferralFinder

    engine, _settings = _engine()
    gazetteer = default_gazetteer()
    resolved = None
    if place:
        resolved = gazetteer.by_name(place) or gazetteer.find_in_text(place)
        if resolved is None:
            raise click.UsageError(f"unknown place {place!r}")
    if (lat is None) != (lon is None):
        raise click.UsageError("give both --lat and --lon")
    now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    finder = SqlReferralFinder(engine, gazetteer=gazetteer)
    result = finder.find_now(
        intent=intent,
        place=resolved,
        language=language,
        now=now,
        latitude=lat,
        longitude=lon,
        populations=frozenset(populations),
        limit=limit,
    )
    where = resolved.label if resolved else (f"{lat}, {lon}" if lat is not None else "no place")
    click.echo(f"{intent} · {where} · scope: {result.scope}")
    for rank, ref in enumerate(result.referrals, start=1):
        click.echo(f"\n{rank}. {ref.name} — {ref.organization}  [{ref.scope}]")
        if ref.location:
            click.echo(f"   at: {ref.location}")
        if ref.confidential:
            click.echo("   address withheld (confidential location)")
        elif ref.address:
            click.echo(f"   address: {ref.address}")
        for phone in ref.phones:
            click.echo(f"   phone: {phone}")
        if ref.url:
            click.echo(f"   web: {ref.url}")
        why = "; ".join(
            reason.code
            + (" " + ", ".join(f"{k}={v}" for k, v in reason.params.items()) if reason.params else "")
            for reason in ref.why
        )
        click.echo(f"   why: {why}")
        if ref.alert:
            click.echo(f"   alert: {ref.alert}")
        click.echo(f"   source: {ref.source}")
    if not result.referrals:
        click.echo("no service matched")
