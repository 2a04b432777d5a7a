"""`brujula handoff`: staff answer from the terminal; the reply and the farewell reach the person's
channel through the outbox, and the audit log says who replied and who closed, never what."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.background import deliver_outbox_once
from bot.commands.handoff import handoff
from bot.db import create_all, make_engine
from bot.handoff import HandoffDesk, Risk
from bot.sealing import Sealer
from desk.audit import AuditEntry
from tests.desk.scenes import RecordingDeliverer

SECRET = "a-test-secret-for-the-handoff-command-0123456789"
REPLY = "Bonjou, mwen se Ana. Kote ou ye kounye a?"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path / 'handoff.sqlite'}"
    monkeypatch.setenv("BRUJULA_DATABASE_URL", url)
    monkeypatch.setenv("BRUJULA_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    engine = make_engine(url)
    create_all(engine)
    return engine


def test_reply_and_close_from_the_terminal_reach_the_persons_channel(db: Engine) -> None:
    desk = HandoffDesk(db, Sealer(SECRET))
    ticket = asyncio.run(
        desk.open(
            session_id="s" * 64,
            channel="telegram",
            address="700100",
            language="ht",
            topic="asylum",
            risk=Risk.HIGH,
        )
    )
    asyncio.run(desk.note_person(ticket.id or 0, "s" * 64, "Mwen pè."))
    runner = CliRunner()

    listed = runner.invoke(handoff, ["list"])
    assert listed.exit_code == 0, listed.output
    assert "#1" in listed.output and "HIGH RISK" in listed.output and "ht" in listed.output
    shown = runner.invoke(handoff, ["show", "1"])
    assert "person: Mwen pè." in shown.output

    replied = runner.invoke(handoff, ["reply", "1", REPLY, "--as", "Ana"])
    assert replied.exit_code == 0, replied.output
    channel = RecordingDeliverer()
    assert asyncio.run(deliver_outbox_once(desk, {"telegram": channel})) == 1
    assert channel.sent == [("700100", REPLY)]  # through the channel the person used

    closed = runner.invoke(handoff, ["close", "1"])
    assert closed.exit_code == 0, closed.output
    asyncio.run(deliver_outbox_once(desk, {"telegram": channel}))
    assert channel.sent[-1] == (
        "700100",
        "Ekip la fèmen konvèsasyon sa a. Ou tounen ak asistan an: ekri /menu.",
    )
    assert runner.invoke(handoff, ["list"]).output.strip() == "no open tickets"

    again = runner.invoke(handoff, ["close", "1"])
    assert again.exit_code == 1 and "not open" in again.output
    late = runner.invoke(handoff, ["reply", "1", "¿sigues ahí?"])
    assert late.exit_code == 1 and "not open" in late.output

    with Session(db) as s:
        entries = s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [(e.action, e.target, e.before, e.after) for e in entries] == [
        ("handoff.reply", "ticket #1", None, None),
        ("handoff.close", "ticket #1", None, None),
    ]
    assert all(e.actor.startswith("command line (") for e in entries)
