"""Database engine construction and schema migrations. SQLite by default, PostgreSQL in production.

The schema is owned by Alembic migrations (``bot/migrations``): :func:`create_all` runs
``alembic upgrade head`` in one transaction (serialised between workers on PostgreSQL by an
advisory lock). To change a table: change its model, then add a migration
(``BRUJULA_DATABASE_URL=… .venv/bin/alembic -c bot/migrations/alembic.ini revision --autogenerate
-m "what changed"`` against a database at head) and review it. ``tests/referrals/test_migrations.py``
fails while models and migrations disagree.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeGuard, TypeVar, TypeVarTuple

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.util import greenlet_spawn
from sqlmodel import create_engine

from bot.pg_direct import DirectEngine

T = TypeVar("T")
Args = TypeVarTuple("Args")

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"

#: Every module that declares tables; the migrations environment imports them all.
MODEL_MODULES: Final[tuple[str, ...]] = (
    "bot.sessions",
    "bot.inbox",
    "bot.handoff",
    "bot.analytics",
    "referrals.tables",
    "desk.accounts",
    "desk.sessions",
    "desk.throttle",
    "desk.audit",
)

#: The revision whose schema ``create_all`` produced before migrations existed.
BASELINE: Final = "0001"
_BASELINE_SESSION_COLUMNS: Final = frozenset(
    {
        "id", "channel", "language", "stage", "topic", "pending_topic", "place", "latitude",
        "longitude", "last_inbound_at", "created_at", "updated_at",
    }
)  # fmt: skip
_LOCK_KEY: Final = 0x6272756A756C61  # "brujula": one advisory lock for migrations


class MigrationError(RuntimeError):
    """The database cannot be brought to the current schema automatically."""


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # deleted rows (a person's data on request, purged tickets) are overwritten in the
            # file, not only unlinked: some SQLite builds default to off
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # No pre-ping: it cost a round trip on every checkout (profiled under load). A connection
    # that died (database restarted) fails once; SQLAlchemy then drops the whole pool, and the
    # inbox keeps the message pending for a retry. pool_recycle bounds a connection's age.
    # At most one for each thread that calls the database (bot.web.app.DB_THREADS): the inbox and
    # the sessions have their own connections (loop_engine), so this pool serves the rest (the
    # referral finder, the desk, handoff, counts, sweeps); 8 kept open, 12 more when busy.
    return create_engine(parsed, pool_pre_ping=False, pool_recycle=1800, pool_size=8, max_overflow=12)


def loop_engine(engine: Engine) -> Engine | DirectEngine:
    """The engine for the calls of every message (the inbox, the sessions): on PostgreSQL a
    :class:`~bot.pg_direct.DirectEngine` — asyncpg's connections, the calls run on
    the event loop by :func:`call` — and on SQLite ``engine`` itself, its calls in threads.

    Why: with SQLAlchemy's execution in threads, 44 % of a worker's CPU went to the threads that
    ran the 7 statements of a message (load bench, docs/PERFORMANCE.md). Close it with its
    ``dispose()``; use it only through :func:`call`."""
    if engine.dialect.name != "postgresql":
        return engine
    return DirectEngine(engine)


def on_loop(engine: Engine | DirectEngine) -> TypeGuard[DirectEngine]:
    """Whether ``engine``'s calls run on the event loop (:func:`call`) rather than in threads."""
    return isinstance(engine, DirectEngine)


async def call(engine: Engine | DirectEngine, fn: Callable[[*Args], T], *args: *Args) -> T:
    """Run ``fn`` — synchronous code that uses ``engine`` — without blocking the event loop: on
    the loop itself for a :class:`~bot.pg_direct.DirectEngine` (SQLAlchemy's greenlet bridge
    turns its waits for the database into awaits), else in a thread."""
    if isinstance(engine, DirectEngine):
        return await greenlet_spawn(fn, *args)
    return await asyncio.to_thread(fn, *args)


def import_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def migrated_tables() -> set[str]:
    """The tables the migrations own: those declared in :data:`MODEL_MODULES`. Tables other
    packages create themselves (e.g. the desk's) are left out of migrations and comparisons."""
    from sqlmodel import SQLModel

    import_models()
    names: set[str] = set()
    pending: list[type] = [SQLModel]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        table = getattr(cls, "__table__", None)
        if table is not None and cls.__module__ in MODEL_MODULES:
            names.add(table.name)
    return names


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter: compare and generate only the tables the migrations own."""
    if type_ == "table":
        return name in migrated_tables() or name == "alembic_version"
    table = getattr(obj, "table", None)
    return table is None or getattr(table, "name", None) in migrated_tables()


def alembic_config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def create_all(engine: Engine) -> None:
    """Bring the database to the current schema: ``alembic upgrade head`` (idempotent)."""
    from alembic import command

    import_models()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        _adopt_pre_migration_database(conn)
        command.upgrade(alembic_config(conn), "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _adopt_pre_migration_database(conn: Connection) -> None:
    """A database made by the foundation's ``create_all`` (no ``alembic_version``) is stamped
    at the baseline when its one table matches it; anything else is refused, not guessed."""
    from alembic import command

    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables or not tables:
        return
    if tables == {"conversation_session"}:
        columns = {c["name"] for c in inspect(conn).get_columns("conversation_session")}
        if columns == _BASELINE_SESSION_COLUMNS:
            command.stamp(alembic_config(conn), BASELINE)
            return
    raise MigrationError(
        "this database has tables but no migration history (alembic_version) and does not match "
        f"the baseline; back it up, then delete it or stamp it by hand (tables: {', '.join(sorted(tables))})"
    )
