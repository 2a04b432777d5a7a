"""PostgreSQL for the statements of every message, without SQLAlchemy's execution layer.

SQLAlchemy builds those statements (once, in ``bot.inbox`` and ``bot.sessions``) and compiles
them for psycopg; :class:`DirectEngine` runs them on psycopg's asynchronous connections. The
inbox's and the session store's synchronous bodies run on the event loop (``bot.db.call``):
SQLAlchemy's greenlet bridge (``await_only``) turns each wait for the database into an await.

Why: measured with the inbox's statements on this machine, SQLAlchemy's execution of one
statement took ≈ 270 µs of CPU and handing it to a thread ≈ 130 µs more, against ≈ 120 µs for
psycopg's asynchronous connection on uvloop — and a message takes 7 statements
(docs/PERFORMANCE.md).

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
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Dialect, Engine
from sqlalchemy.util import await_only

#: connections kept per process (each worker); a call waits for one when all are in use
POOL_SIZE = 24


class _Compiled:
    __slots__ = ("computed", "fixed", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql: str = str(compiled)
        # the values written in the statement; a parameter the caller must give is left out, so
        # that psycopg refuses a call without it (as SQLAlchemy does) instead of sending NULL
        # (an ``IN`` list's values, rendered in, have no parameter of their own)
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


class _Pool:
    """At most ``size`` autocommit connections of one event loop, opened when first needed."""

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def take(self) -> tuple[psycopg.AsyncConnection[Any], asyncio.Semaphore]:
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
                if not conn.closed:
                    return conn, slots
            opened = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, row_factory=namedtuple_row
            )
            return opened, slots
        except BaseException:
            slots.release()
            raise

    def give_back(
        self, conn: psycopg.AsyncConnection[Any], slots: asyncio.Semaphore, *, broken: bool
    ) -> None:
        idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if broken or conn.closed or not idle or slots is not self._slots:
            conn.pgconn.finish()  # failed, mid-transaction, or of a loop that is gone
        else:
            self._idle.append(conn)
        slots.release()

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.pgconn.finish()


class DirectResult:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: psycopg.AsyncCursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def _has_rows(self) -> bool:
        # not ``cursor.description``: it builds a column object for every column at each call
        # (profiled: 2 % of a worker's time under load, the session's columns read with each message)
        result = self._cursor.pgresult
        return result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK

    def first(self) -> Any:
        return await_only(self._cursor.fetchone()) if self._has_rows() else None

    def one(self) -> Any:
        row = self.first()
        if row is None:
            raise LookupError("the statement returned no row")
        return row

    def __iter__(self) -> Iterator[Any]:
        return iter(await_only(self._cursor.fetchall()) if self._has_rows() else [])


class DirectConnection:
    __slots__ = ("_conn", "_engine")

    def __init__(self, engine: DirectEngine, conn: psycopg.AsyncConnection[Any]) -> None:
        self._engine = engine
        self._conn = conn

    def execute(self, statement: Any, params: dict[str, Any] | None = None) -> DirectResult:
        compiled = self._engine.compiled(statement)
        values = {**compiled.fixed, **params} if params else compiled.fixed
        if compiled.computed:
            values = {**values, **{key: make(None) for key, make in compiled.computed}}
        return DirectResult(await_only(self._conn.execute(compiled.sql, values)))


class DirectEngine:
    """Enough of SQLAlchemy's ``Engine`` for the inbox and the session store, on the event loop.
    Use it only inside ``bot.db.call`` (it needs SQLAlchemy's greenlet bridge)."""

    def __init__(self, engine: Engine, *, size: int = POOL_SIZE) -> None:
        self.dialect = engine.dialect  # PostgreSQL's, for compiling; psycopg's own pool is not used
        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool = _Pool(conninfo, size)
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
            found = self._cache[id(statement)] = (statement, _Compiled(statement, self.dialect))
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
                with contextlib.suppress(psycopg.Error):
                    await_only(conn._conn.execute("ROLLBACK"))
                raise
            await_only(conn._conn.execute("COMMIT"))

    def dispose(self) -> None:
        self._pool.close()
