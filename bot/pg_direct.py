"""PostgreSQL for the statements of every message, without SQLAlchemy's execution layer.

SQLAlchemy builds those statements (once, in ``bot.inbox`` and ``bot.sessions``) and compiles
them (for asyncpg: ``$1``-style parameters); :class:`DirectEngine` runs them on asyncpg's
connections. The inbox's and the session store's synchronous bodies run on the event loop
(``bot.db.call``): SQLAlchemy's greenlet bridge (``await_only``) turns each wait for the database
into an await.

Why: measured with the inbox's statements on this machine, SQLAlchemy's execution of one
statement took ≈ 270 µs of CPU and handing it to a thread ≈ 130 µs more; psycopg's asynchronous
connection ≈ 60–100 µs (it registers its socket with the event loop and arms a timer for every
wait), asyncpg's ≈ 25–37 µs (its protocol stays on the socket) — and a message takes 5–7
statements (docs/PERFORMANCE.md). Everything else keeps SQLAlchemy on psycopg.

Only what those bodies use: ``begin()`` and ``connect()`` (a connection from a small pool;
``begin()`` of the transactional engine wraps ``BEGIN``/``COMMIT``), ``execution_options()``
(``AUTOCOMMIT`` only), and ``execute(statement, params)`` with ``first()``, ``one()``,
``rowcount`` and iteration; rows are named tuples (``row.id``, ``row[0]``, ``row._asdict()``).
A connection that failed is closed, not pooled again.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.util import await_only

#: connections kept per process (each worker); a call waits for one when all are in use
POOL_SIZE = 24
# compiles only: ``$n`` parameters, with casts to the columns' types
_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


class _Compiled:
    __slots__ = ("computed", "fixed", "names", "returns_rows", "row", "sql")

    def __init__(self, statement: Any) -> None:
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        self.sql: str = str(compiled)
        self.names: Sequence[str] = compiled.positiontup or ()  # the parameters, in ``$n`` order
        # INSERT, UPDATE or DELETE without RETURNING: run for its row count; anything else (a
        # SELECT, RETURNING, a text statement) for its rows
        writes = compiled.isinsert or compiled.isupdate or compiled.isdelete
        self.returns_rows = not writes or bool(compiled.effective_returning)
        self.row: Any = None  # the named tuple of its rows, made from the first row read
        # the values written in the statement; a parameter the caller must give is left out, so
        # that a call without it is refused (as SQLAlchemy does) instead of sending NULL (an
        # ``IN`` list's values, rendered in, have no parameter of their own)
        binds = compiled.binds
        self.fixed: dict[str, Any] = {
            name: value
            for name, value in compiled.params.items()
            if name not in binds or not binds[name].required
        }
        # the columns' Python-side defaults, as SQLAlchemy fills them in: values, or functions of
        # no argument (``default_factory``) called for each execution
        self.computed: list[tuple[str, Any]] = []
        for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
            default = column.default if column in compiled.insert_prefetch else column.onupdate
            if default is None or not (default.is_scalar or default.is_callable):
                raise NotImplementedError(f"DirectEngine: the default of column {column.key}")
            if default.is_scalar:
                self.fixed[column.key] = default.arg
            else:
                self.computed.append((column.key, default.arg))

    def arguments(self, params: dict[str, Any] | None) -> list[Any]:
        values = {**self.fixed, **params} if params else self.fixed
        if self.computed:
            values = {**values, **{key: make(None) for key, make in self.computed}}
        try:
            return [values[name] for name in self.names]
        except KeyError as missing:
            raise ValueError(f"a value is required for bind parameter {missing}") from None

    def rows(self, records: list[asyncpg.Record]) -> list[Any]:
        if not records:
            return []
        if self.row is None:
            self.row = namedtuple("Row", list(records[0].keys()), rename=True)  # type: ignore[misc]
        make = self.row._make
        return [make(record.values()) for record in records]


class _Pool:
    """At most ``size`` connections of one event loop, opened when first needed."""

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._size = size
        self._idle: list[asyncpg.Connection] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def take(self) -> tuple[asyncpg.Connection, asyncio.Semaphore]:
        """A connection, and the slot to give back with it."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:  # connections belong to their loop
            self.close()
            self._slots, self._loop = asyncio.Semaphore(self._size), loop
        slots = self._slots
        await slots.acquire()
        try:
            while self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():
                    return conn, slots
            return await asyncpg.connect(self._dsn), slots
        except BaseException:
            slots.release()
            raise

    def give_back(self, conn: asyncpg.Connection, slots: asyncio.Semaphore, *, broken: bool) -> None:
        if broken or conn.is_closed() or conn.is_in_transaction() or slots is not self._slots:
            _terminate(conn)  # failed, mid-transaction, or of a loop that is gone
        else:
            self._idle.append(conn)
        slots.release()

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            _terminate(conn)


def _terminate(conn: asyncpg.Connection) -> None:
    """Close at once, without waiting for the server. The event loop the connection was made on may
    be closed already (a test's, or a worker's served before): its socket then goes with it."""
    with contextlib.suppress(RuntimeError):
        conn.terminate()


class DirectResult:
    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        row = self.first()
        if row is None:
            raise LookupError("the statement returned no row")
        return row

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class DirectConnection:
    __slots__ = ("_conn", "_engine")

    def __init__(self, engine: DirectEngine, conn: asyncpg.Connection) -> None:
        self._engine = engine
        self._conn = conn

    def execute(self, statement: Any, params: dict[str, Any] | None = None) -> DirectResult:
        compiled = self._engine.compiled(statement)
        args = compiled.arguments(params)
        if compiled.returns_rows:
            rows = compiled.rows(await_only(self._conn.fetch(compiled.sql, *args)))
            return DirectResult(rows, len(rows))
        status = await_only(self._conn.execute(compiled.sql, *args))  # e.g. "UPDATE 1"
        count = status.rpartition(" ")[2]
        return DirectResult([], int(count) if count.isdigit() else -1)


class DirectEngine:
    """Enough of SQLAlchemy's ``Engine`` for the inbox and the session store, on the event loop.
    Use it only inside ``bot.db.call`` (it needs SQLAlchemy's greenlet bridge)."""

    def __init__(self, engine: Engine, *, size: int = POOL_SIZE) -> None:
        self.dialect = engine.dialect  # the engine's (its name tells the stores they are on PostgreSQL)
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool = _Pool(dsn, size)
        # by id: a statement's ``==`` may build SQL; the statement is kept, so its id stays its own
        self._cache: dict[int, tuple[Any, _Compiled]] = {}
        self._autocommit = False

    def execution_options(self, *, isolation_level: str) -> DirectEngine:
        if isolation_level != "AUTOCOMMIT":
            raise ValueError("DirectEngine: AUTOCOMMIT or the default (transactional) only")
        other = copy.copy(self)  # the same pool and statement cache
        other._autocommit = True
        return other

    def compiled(self, statement: Any) -> _Compiled:
        found = self._cache.get(id(statement))
        if found is None:
            if len(self._cache) > 256:  # statements built per call (the sweep's) are not kept long
                self._cache.clear()
            found = self._cache[id(statement)] = (statement, _Compiled(statement))
        return found[1]

    @contextlib.contextmanager
    def connect(self) -> Iterator[DirectConnection]:
        conn, slots = await_only(self._pool.take())
        broken = True
        try:
            yield DirectConnection(self, conn)
            broken = False
        finally:
            self._pool.give_back(conn, slots, broken=broken)

    @contextlib.contextmanager
    def begin(self) -> Iterator[DirectConnection]:
        with self.connect() as conn:
            if self._autocommit:  # each statement commits alone
                yield conn
                return
            await_only(conn._conn.execute("BEGIN"))
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
                    await_only(conn._conn.execute("ROLLBACK"))
                raise
            await_only(conn._conn.execute("COMMIT"))

    async def check(self) -> None:
        """Open one connection (kept in the pool) on the running event loop: a server that cannot be
        reached, or a URL asyncpg refuses, fails the worker's start instead of every message."""
        conn, slots = await self._pool.take()
        self._pool.give_back(conn, slots, broken=False)

    def dispose(self) -> None:
        self._pool.close()
