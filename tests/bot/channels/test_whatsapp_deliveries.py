"""The delivery store (bot/deliveries.py): a message id is claimed once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from bot.db import create_all, make_engine
from bot.deliveries import MemoryDeliveryStore, SqlDeliveryStore
from bot.sessions import utcnow


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_all(engine)  # the schema migrations create inbound_delivery
    yield engine
    engine.dispose()


def test_the_table_holds_no_text_and_no_raw_user_id(sqlite: Engine) -> None:
    columns = {c["name"] for c in inspect(sqlite).get_columns("inbound_delivery")}
    assert columns == {"id", "channel", "message_id", "session_id", "created_at"}
    (unique,) = inspect(sqlite).get_unique_constraints("inbound_delivery")
    assert unique["column_names"] == ["channel", "message_id"]


async def test_a_message_id_is_claimed_once_per_channel(sqlite: Engine) -> None:
    store = SqlDeliveryStore(sqlite)
    assert await store.claim("whatsapp", "wamid.1", "s" * 32) is True
    assert await store.claim("whatsapp", "wamid.1", "s" * 32) is False
    assert await store.claim("whatsapp", "wamid.1", "t" * 32) is False
    assert await store.claim("telegram", "wamid.1", "s" * 32) is True  # another channel's id space
    assert await store.claim("whatsapp", "wamid.2", "s" * 32) is True


def claim_concurrently(engine: Engine, message_id: str, workers: int = 8) -> list[bool]:
    """Several workers (threads with their own connections) claim one id at the same time."""
    store = SqlDeliveryStore(engine)
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda i: store._claim("whatsapp", message_id, f"{i:032d}"), range(workers)))


def test_concurrent_claims_on_sqlite_succeed_exactly_once(sqlite: Engine) -> None:
    for n in range(5):
        assert sorted(claim_concurrently(sqlite, f"wamid.race{n}")) == [False] * 7 + [True]


async def test_prune_and_forget(sqlite: Engine) -> None:
    store = SqlDeliveryStore(sqlite)
    await store.claim("whatsapp", "wamid.a", "a" * 32)
    await store.claim("whatsapp", "wamid.b", "b" * 32)
    await store.claim("whatsapp", "wamid.c", "b" * 32)
    assert await store.prune(utcnow() - timedelta(days=2)) == 0
    assert await store.forget("b" * 32) == 2
    assert await store.claim("whatsapp", "wamid.b", "b" * 32) is True  # forgotten: claimable again
    assert await store.prune(utcnow() + timedelta(seconds=1)) == 2


async def test_the_memory_store_behaves_the_same() -> None:
    store = MemoryDeliveryStore()
    assert await store.claim("whatsapp", "wamid.1", "s") is True
    assert await store.claim("whatsapp", "wamid.1", "s") is False
    assert await store.prune(utcnow() + timedelta(seconds=1)) == 1
    assert await asyncio.gather(*(store.claim("whatsapp", "x", "s") for _ in range(3))) == [
        True,
        False,
        False,
    ]


@pytest.mark.postgres
def test_concurrent_claims_on_postgresql_succeed_exactly_once(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        create_all(engine)
        run = uuid.uuid4().hex  # the database outlives one test run when given from outside
        for n in range(5):
            assert sorted(claim_concurrently(engine, f"wamid.{run}.{n}")) == [False] * 7 + [True]
        store = SqlDeliveryStore(engine)
        assert asyncio.run(store.forget(f"{0:032d}")) >= 0
    finally:
        engine.dispose()
