"""`brujula users`: desk accounts from the server's command line (add, disable, enable, reset, list).

Passwords are asked twice without echo, or read from standard input with ``--password-stdin``
(one line, for scripts). They never appear in the arguments, the shell history or the logs.
"""

from __future__ import annotations

import getpass
import sys
from typing import NoReturn

import click
from sqlalchemy import Engine

from bot.commands.support import load

ROLES = ("staff", "coordinator", "admin")


def _engine() -> Engine:
    from bot.db import create_all, make_engine
    from desk.schema import ensure_desk_tables

    engine = make_engine(load().database_url)
    create_all(engine)
    ensure_desk_tables(engine)
    return engine


def command_line_actor() -> str:
    """Who made a change from the command line, as the audit log names them."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        who = "unknown"
    return f"command line ({who})"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("no password on standard input")
        return password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _fail(message: str) -> NoReturn:
    click.echo(f"brujula: {message}", err=True)
    raise SystemExit(1)


@click.group()
def users() -> None:
    """Desk accounts: staff, coordinators and administrators."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--name", "display_name", default=None, help="Name shown to colleagues (default: username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account (the password is prompted twice, or read with --password-stdin)."""
    from desk.accounts import AccountError, add_user
    from desk.passwords import Argon2Passwords
    from desk.policy import DeskPolicy
    from desk.roles import Role

    password = _password(password_stdin)
    engine = _engine()
    try:
        user = add_user(
            engine,
            username=username,
            role=Role(role),
            password=password,
            passwords=Argon2Passwords(),
            display_name=display_name,
            actor=command_line_actor(),
            min_password_length=DeskPolicy().min_password_length,
        )
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    click.echo(f"account {user.username!r} created ({user.role})")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: it cannot sign in, and its open sessions end now."""
    from desk.accounts import AccountError, set_active

    engine = _engine()
    try:
        set_active(engine, username=username, active=False, actor=command_line_actor())
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    click.echo(f"account {username.strip().lower()!r} disabled")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    from desk.accounts import AccountError, set_active

    engine = _engine()
    try:
        set_active(engine, username=username, active=True, actor=command_line_actor())
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    click.echo(f"account {username.strip().lower()!r} enabled")


@users.command("reset")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def users_reset(username: str, password_stdin: bool) -> None:
    """Give an account a new password; its open sessions end now."""
    from desk.accounts import AccountError, set_password
    from desk.passwords import Argon2Passwords
    from desk.policy import DeskPolicy

    password = _password(password_stdin)
    engine = _engine()
    try:
        set_password(
            engine,
            username=username,
            password=password,
            passwords=Argon2Passwords(),
            actor=command_line_actor(),
            min_password_length=DeskPolicy().min_password_length,
        )
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    click.echo(f"new password set for {username.strip().lower()!r}; its sessions were ended")


@users.command("list")
def users_list() -> None:
    """Every account with its role and state."""
    from desk.accounts import list_users

    engine = _engine()
    try:
        accounts = list_users(engine)
    finally:
        engine.dispose()
    if not accounts:
        click.echo("no accounts yet: brujula users add USERNAME --role admin")
    for user in accounts:
        state = "active" if user.active else "disabled"
        last = f"{user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never"
        click.echo(f"{user.username:24} {user.role:12} {state:9} last sign-in {last}")
