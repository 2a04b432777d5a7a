"""`brujula handoff`: the staff queue from the terminal (list, show, reply, close).

A reply or a close is recorded in the desk's audit log, as from the desk: who ("command line
(user)"), when, and which ticket — never the text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from bot.commands.support import load
from bot.composition import App
from bot.sessions import aware

if TYPE_CHECKING:
    from desk.audit import Action


def _desk() -> App:
    from bot.composition import build_app

    return build_app(load())


def _audit(app: App, action: Action, ticket_id: int) -> None:
    from sqlmodel import Session

    from bot.commands.users import command_line_actor
    from desk.audit import record
    from desk.schema import ensure_desk_tables

    ensure_desk_tables(app.db)
    with Session(app.db) as db:
        record(db, actor=command_line_actor(), action=action, target=f"ticket #{ticket_id}")
        db.commit()


@click.group()
def handoff() -> None:
    """Conversations waiting for a person."""


@handoff.command("list")
def handoff_list() -> None:
    """Open tickets, high risk first, with language, topic and waiting time."""
    app = _desk()
    now = datetime.now(UTC)
    tickets = app.handoff.open_tickets()
    if not tickets:
        click.echo("no open tickets")
    for ticket in tickets:
        opened = aware(ticket.opened_at)
        minutes = int((now - opened).total_seconds() // 60)
        flag = "HIGH RISK" if ticket.risk == "high" else "normal"
        click.echo(
            f"#{ticket.id}  {flag:9}  {ticket.language:4}  {ticket.topic or '-':15} "
            f"{ticket.channel:9} waiting {minutes} min"
        )
    app.db.dispose()


@handoff.command("show")
@click.argument("ticket_id", type=int)
def handoff_show(ticket_id: int) -> None:
    """The messages of one ticket."""
    app = _desk()
    for message in app.handoff.messages(ticket_id):
        who = message.staff_name or message.sender
        click.echo(f"[{message.created_at:%Y-%m-%d %H:%M}] {who}: {message.text}")
    app.db.dispose()


@handoff.command("reply")
@click.argument("ticket_id", type=int)
@click.argument("text")
@click.option("--as", "staff_name", default=None, help="Your name, shown to other staff.")
def handoff_reply(ticket_id: int, text: str, staff_name: str | None) -> None:
    """Queue a reply; the running server delivers it through the person's channel."""
    app = _desk()
    if not app.handoff.reply(ticket_id, text, staff_name):
        click.echo(f"ticket #{ticket_id} is not open", err=True)
        raise SystemExit(1)
    from desk.audit import Action

    _audit(app, Action.HANDOFF_REPLY, ticket_id)
    click.echo(f"reply queued for ticket #{ticket_id}")
    app.db.dispose()


@handoff.command("close")
@click.argument("ticket_id", type=int)
def handoff_close(ticket_id: int) -> None:
    """Close a ticket: the person is told, in their language, that they are back with the bot."""
    from bot.i18n import translations
    from desk.audit import Action

    app = _desk()
    ticket = next((t for t in app.handoff.open_tickets() if t.id == ticket_id), None)
    if ticket is None:
        click.echo(f"ticket #{ticket_id} is not open", err=True)
        raise SystemExit(1)
    farewell = translations(ticket.language).gettext(
        "The team closed this conversation. You are back with the assistant: write /menu."
    )
    if not app.handoff.close(ticket_id, farewell):
        click.echo(f"ticket #{ticket_id} is not open", err=True)
        raise SystemExit(1)
    _audit(app, Action.HANDOFF_CLOSE, ticket_id)
    click.echo(f"ticket #{ticket_id} closed")
    app.db.dispose()
