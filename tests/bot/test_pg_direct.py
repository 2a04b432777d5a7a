"""The inbox's PostgreSQL engine on the event loop (bot/pg_direct.py), against a real PostgreSQL:
statements built with SQLAlchemy run as SQLAlchemy would run them, a missing value is refused,
a transaction is all or nothing, the pool stays within its size and a broken connection is not
reused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy import Engine, bindparam, insert, select, text

from bot.db import call, create_all, make_engine
from bot.inbox import InboxLease, InboxMessage
from bot.pg_direct import DirectEngine

pytestmark = pytest.mark.postgres
T = TypeVar("T")

MESSAGES = InboxMessage.__table__  # type: ignore[attr-defined]
LEASES = InboxLease.__table__  # type: ignore[attr-defined]
STORE = insert(MESSAGES).values(
    channel="whatsapp",
    message_id=bindparam("mid"),
    session_id=bindparam("sid"),
    payload=None,
)  # ``state``, ``sent`` and the times come from the columns' defaults, as SQLAlchemy writes them


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:  # a clean schema: migrations run from scratch
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    create_all(engine)
    yield engine
    engine.dispose()


def run(direct: DirectEngine, fn: Callable[[], T]) -> T:
    """``fn`` on a new event loop; the connections it opened closed before that loop is."""

    async def go() -> T:
        try:
            return await call(direct, fn)
        finally:
            direct.dispose()

    return asyncio.run(go())


def stored(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(MESSAGES.c.message_id, MESSAGES.c.state, MESSAGES.c.sent))
        ]


def test_a_statement_gets_its_columns_defaults_and_rows_read_by_name(engine: Engine) -> None:
    direct = DirectEngine(engine).execution_options(isolation_level="AUTOCOMMIT")

    def go() -> tuple[object, object, list[str]]:
        with direct.begin() as conn:
            conn.execute(STORE, {"mid": "m1", "sid": "s1"})
            conn.execute(STORE, {"mid": "m2", "sid": "s1"})
            first = conn.execute(
                select(MESSAGES).where(MESSAGES.c.message_id == bindparam("mid")), {"mid": "m1"}
            )
            row = first.one()
            names = [r[0] for r in conn.execute(select(MESSAGES.c.message_id).order_by(MESSAGES.c.id))]
            return row.state, row._asdict()["sent"], names

    state, sent, names = run(direct, go)
    assert (state, sent, names) == ("received", 0, ["m1", "m2"])
    assert stored(engine) == [("m1", "received", 0), ("m2", "received", 0)]


def test_a_missing_value_is_refused_not_written_as_null(engine: Engine) -> None:
    direct = DirectEngine(engine).execution_options(isolation_level="AUTOCOMMIT")

    def go() -> None:
        with direct.begin() as conn:
            conn.execute(STORE, {"mid": "m1"})  # no session id

    with pytest.raises(ValueError, match="sid"):
        run(direct, go)
    assert stored(engine) == []


def test_a_transaction_is_written_whole_or_not_at_all(engine: Engine) -> None:
    direct = DirectEngine(engine)  # transactional: begin() is BEGIN … COMMIT

    def fails_half_way() -> None:
        with direct.begin() as conn:
            conn.execute(STORE, {"mid": "m1", "sid": "s1"})
            conn.execute(STORE, {"mid": "m1", "sid": "s1"})  # the same id: refused

    with pytest.raises(asyncpg.UniqueViolationError):
        run(direct, fails_half_way)
    assert stored(engine) == []

    def succeeds() -> None:
        with direct.begin() as conn:
            conn.execute(STORE, {"mid": "m1", "sid": "s1"})
            conn.execute(STORE, {"mid": "m2", "sid": "s1"})

    run(direct, succeeds)
    assert [m for m, _, _ in stored(engine)] == ["m1", "m2"]


def test_the_pool_stays_within_its_size_and_a_broken_connection_is_not_reused(engine: Engine) -> None:
    direct = DirectEngine(engine, size=2).execution_options(isolation_level="AUTOCOMMIT")
    sleep = text("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")
    broken: list[int] = []

    def backend() -> int:
        with direct.connect() as conn:
            return int(conn.execute(sleep).one().pid)

    def breaks() -> None:
        with direct.connect() as conn:
            broken.append(int(conn.execute(sleep).one().pid))
            conn.execute(text("SELECT 1/0"))

    async def go() -> tuple[set[int], set[int]]:
        pids = set(await asyncio.gather(*(call(direct, backend) for _ in range(8))))
        with pytest.raises(asyncpg.DivisionByZeroError):
            await call(direct, breaks)
        after = set(await asyncio.gather(*(call(direct, backend) for _ in range(4))))
        return pids, after

    pids, after = asyncio.run(go())
    assert len(pids) <= 2 and len(after) <= 2  # eight calls at once shared two connections
    assert broken[0] in pids and broken[0] not in after  # closed, another one opened
    # a new event loop (a worker serving again) opens its own connections
    assert run(direct, backend) not in pids | after


def test_only_autocommit_or_the_default_is_offered(engine: Engine) -> None:
    with pytest.raises(ValueError, match="AUTOCOMMIT"):
        DirectEngine(engine).execution_options(isolation_level="SERIALIZABLE")


def test_check_opens_a_connection_for_the_pool_or_fails_at_start(engine: Engine) -> None:
    direct = DirectEngine(engine).execution_options(isolation_level="AUTOCOMMIT")
    others = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    def open_connections() -> int:
        with engine.connect() as conn:
            return int(conn.execute(others).scalar_one())

    def one() -> int:
        with direct.connect() as conn:
            return int(conn.execute(text("SELECT 1 AS one")).one().one)

    async def go() -> list[int]:
        counts = [open_connections()]
        await direct.check()
        counts.append(open_connections())
        await call(direct, one)  # served by the connection the check opened
        counts.append(open_connections())
        direct.dispose()
        return counts

    before, checked, used = asyncio.run(go())
    assert checked == used == before + 1
    refused = DirectEngine(make_engine(engine.url.update_query_dict({"connect_timeout": "5"})))
    with pytest.raises(asyncpg.PostgresError, match="connect_timeout"):  # a libpq-only option
        asyncio.run(refused.check())
