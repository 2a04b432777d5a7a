"""`brujula chat`: the terminal conversation and its JSON-lines form."""

from __future__ import annotations

import asyncio
import sys

import click

from bot.commands.support import load, startup_errors


@click.command()
@click.option("--jsonl", is_flag=True, help="Scripted form: JSON lines in, JSON lines out.")
@click.option("--user", default="terminal", show_default=True, help="User id for the interactive chat.")
def chat(jsonl: bool, user: str) -> None:
    """Talk to the assistant in the terminal."""
    import logging

    from bot.channels.console import run_jsonl, run_terminal
    from bot.composition import build_app
    from bot.logging_setup import configure

    settings = load()
    configure("WARNING")
    logging.getLogger("bot").setLevel(logging.WARNING)

    async def go() -> None:
        with startup_errors(settings):
            app = build_app(settings)
        try:
            if jsonl:
                await run_jsonl(app.engine.handle, sys.stdin, sys.stdout)
            else:
                await run_terminal(app.engine.handle, user, input)
        finally:
            await app.aclose()

    asyncio.run(go())
