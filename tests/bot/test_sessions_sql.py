"""Sessions in a real database: SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import create_all, loop_engine, make_engine
from bot.sessions import ConversationSession, SqlSessionStore, Stage


@pytest.mark.parametrize("calls", ["threads", "loop"])
async def test_session_round_trip_update_and_delete(db_url: str, calls: str) -> None:
    engine = make_engine(db_url)
    create_all(engine)
    create_all(engine)  # idempotent
    # "loop": as `brujula serve` makes it (on PostgreSQL, psycopg's connections on the event loop)
    used = loop_engine(engine) if calls == "loop" else engine
    store = SqlSessionStore(used)
    assert await store.get("abc") is None
    session = ConversationSession(id="abc", channel="telegram", language="ht")
    session.set_coordinates(20.588793, -100.389888)
    await store.save(session)
    loaded = await store.get("abc")
    assert loaded is not None
    assert (loaded.language, loaded.latitude, loaded.longitude) == ("ht", 20.59, -100.39)
    loaded.stage = Stage.AWAITING_PLACE
    loaded.pending_topic = "health"
    await store.save(loaded)
    again = await store.get("abc")
    assert again is not None and again.stage == Stage.AWAITING_PLACE and again.pending_topic == "health"
    await store.delete("abc")
    assert await store.get("abc") is None
    used.dispose()
    engine.dispose()


def test_sqlite_overwrites_deleted_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'secure.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
