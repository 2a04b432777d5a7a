"""`brujula users`: accounts from the server's command line; passwords never in the arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.commands.users import users
from bot.db import make_engine
from desk.accounts import find_user
from desk.audit import AuditEntry
from desk.passwords import Argon2Passwords

PASSWORD = "una contraseña larga 2026"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'users.sqlite'}"
    monkeypatch.setenv("BRUJULA_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    return url


def test_add_disable_enable_reset_and_list(database: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        users,
        ["add", "Ana", "--role", "admin", "--name", "Ana López", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "account 'ana' created (admin)" in added.output and PASSWORD not in added.output

    again = runner.invoke(users, ["add", "ana", "--role", "staff", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output

    weak = runner.invoke(users, ["add", "bob", "--role", "staff", "--password-stdin"], input="short\n")
    assert weak.exit_code == 1 and "at least 12" in weak.output

    prompted = runner.invoke(users, ["add", "sam", "--role", "staff"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output  # hidden input

    assert runner.invoke(users, ["disable", "sam"]).exit_code == 0
    engine = make_engine(database)
    user = find_user(engine, "sam")
    assert user is not None and not user.active
    assert runner.invoke(users, ["enable", "sam"]).exit_code == 0

    reset = runner.invoke(users, ["reset", "sam", "--password-stdin"], input="otra contraseña 2027\n")
    assert reset.exit_code == 0 and "sessions were ended" in reset.output
    user = find_user(engine, "sam")
    assert user is not None and user.active
    assert Argon2Passwords().verify(user.password_hash, "otra contraseña 2027")

    listed = runner.invoke(users, ["list"])
    assert "ana" in listed.output and "admin" in listed.output and "sam" in listed.output

    missing = runner.invoke(users, ["disable", "nobody"])
    assert missing.exit_code == 1 and "no account" in missing.output
    with Session(engine) as db:
        actions = [e.action for e in db.exec(select(AuditEntry))]
    assert actions == ["account.add", "account.add", "account.disable", "account.enable", "account.reset"]
    engine.dispose()


def test_an_empty_password_on_stdin_is_refused(database: str) -> None:
    result = CliRunner().invoke(users, ["add", "ana", "--role", "admin", "--password-stdin"], input="")
    assert result.exit_code != 0 and "no password" in result.output
