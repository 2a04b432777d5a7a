"""`brujula content`: how far each language is, and whether the content can be served."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click

from bot.commands.support import load


@click.group()
def content() -> None:
    """Knowledge answers and interface translations."""


@content.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.option("--days", default=180, show_default=True, help="An answer older than this needs a review.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Count the days up to this date (YYYY-MM-DD) instead of today, e.g. to plan reviews.",
)
def content_status_command(as_json: bool, days: int, as_of: datetime | None) -> None:
    """Per language: interface strings translated; answers reviewed / draft / missing; old reviews."""
    from bot.languages import LANGUAGES
    from content.answers import ContentError
    from content.status import content_status
    from nlu.intents import TOPIC_INTENTS

    settings = load()
    try:
        report = content_status(
            intents=TOPIC_INTENTS,
            languages=list(LANGUAGES),
            today=as_of.date() if as_of else date.today(),
            root=settings.content_dir,
            stale_after_days=days,
        )
    except ContentError as exc:
        click.echo(f"brujula: {exc} (run `brujula content validate`)", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{'language':<10}{'interface':>11}{'catalog':>10}{'reviewed':>10}{'draft':>8}{'missing':>9}{'audio':>7}"
    )
    for row in report.languages:
        name = f"{row.language} {'*' if LANGUAGES[row.language].released else ''}"
        click.echo(
            f"{name:<10}{row.interface_share:>10.0%} {row.interface_review:>9}"
            f"{len(row.reviewed):>10}{len(row.draft):>8}{len(row.missing):>9}{len(row.audio):>7}"
        )
    click.echo(f"(* released; {len(TOPIC_INTENTS)} topics per language)")
    if report.stale:
        click.echo(f"\nNot reviewed in the last {days} days ({len(report.stale)}):")
        for item in report.stale:
            when = item.last_reviewed.isoformat() if item.last_reviewed else "never"
            click.echo(f"  {item.intent}/{item.language}.yml  last reviewed {when}")
    else:
        click.echo(f"\nEvery answer was checked against its sources in the last {days} days.")
    drafts = sum(len(row.draft) for row in report.languages)
    if drafts:  # `last_reviewed` is the check against the sources; `reviewed` is a person's sign-off
        click.echo(f"{drafts} answers are drafts: no reviewer has marked them reviewed yet.")


@content.command("validate")
def content_validate() -> None:
    """Check every answer and catalog; exit 1 and name file and key for each fault."""
    from bot.languages import LANGUAGES, RELEASED
    from content.validation import validate
    from nlu.intents import TOPIC_INTENTS

    settings = load()
    problems = validate(
        intents=TOPIC_INTENTS, languages=list(LANGUAGES), released=RELEASED, root=settings.content_dir
    )
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("content and catalogs are valid")


@content.command("compile")
def content_compile() -> None:
    """Compile every catalog under locales/ (also those CLDR does not know: mam, tzo, nah, otq)."""
    from content.catalogs import CatalogError, compile_all

    try:
        for path in compile_all():
            click.echo(f"compiled {path}")
    except CatalogError as exc:
        click.echo(f"brujula: {exc}", err=True)
        sys.exit(1)
