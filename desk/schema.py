"""The desk's tables. The Alembic migration owns them; :func:`ensure_desk_tables` is a safety net.

``bot.db.create_all`` brings the database to the migrations' head. Until the migration that
creates the desk tables is part of ``bot/migrations``, and for databases made before it,
:func:`ensure_desk_tables` creates whichever desk tables are missing (never altering one that
exists) and installs the audit log's append-only triggers. Both are idempotent.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Engine, Table, inspect

from desk.accounts import DeskUser
from desk.audit import AuditEntry, install_append_only
from desk.sessions import StaffSession
from desk.throttle import LoginThrottle

#: The modules that declare the desk's tables (for ``bot.db.MODEL_MODULES``).
MODEL_MODULES: Final[tuple[str, ...]] = ("desk.accounts", "desk.sessions", "desk.throttle", "desk.audit")


def desk_tables() -> list[Table]:
    tables: list[Table] = [
        DeskUser.__table__,  # type: ignore[attr-defined]
        StaffSession.__table__,  # type: ignore[attr-defined]
        LoginThrottle.__table__,  # type: ignore[attr-defined]
        AuditEntry.__table__,  # type: ignore[attr-defined]
    ]
    return tables


def ensure_desk_tables(engine: Engine) -> None:
    from sqlmodel import SQLModel

    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        missing = [table for table in desk_tables() if table.name not in existing]
        if missing:
            SQLModel.metadata.create_all(conn, tables=missing)
        install_append_only(conn)
