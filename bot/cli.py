"""The ``brujula`` command line. Each command group lives in its own module in ``bot/commands``."""

from __future__ import annotations

import click

from bot.commands.chat import chat
from bot.commands.content import content
from bot.commands.database import db
from bot.commands.handoff import handoff
from bot.commands.maintenance import maintenance
from bot.commands.nlu import nlu
from bot.commands.registry import registry
from bot.commands.serve import serve
from bot.commands.users import users


@click.group()
def main() -> None:
    """Brújula — information and referral assistant for people on the move in Mexico."""


main.add_command(serve)
main.add_command(chat)
main.add_command(db)
main.add_command(nlu)
main.add_command(content)
main.add_command(registry)
main.add_command(users)
main.add_command(handoff)
main.add_command(maintenance)


if __name__ == "__main__":
    main()
