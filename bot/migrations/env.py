"""Alembic environment: the app's SQLModel metadata, run on the connection ``bot.db`` passes.

Run through ``bot.db.create_all`` (``alembic upgrade head`` inside one transaction), or by hand:
``.venv/bin/alembic -c bot/migrations/alembic.ini upgrade head`` with ``BRUJULA_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from bot.db import import_models, include_object

import_models()
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.db import make_engine
    from bot.settings import load_settings

    engine = make_engine(load_settings().database_url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
