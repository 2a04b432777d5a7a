"""Registry fixtures: a migrated database on SQLite or on a fresh PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.db import create_all, make_engine
from referrals import transfer


def _fresh_postgres_database(base_url: str) -> tuple[str, str]:
    name = f"brujula_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_engine(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite, or (param "postgres") a new database on the test server."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    url, name = _fresh_postgres_database(base)
    try:
        yield url
    finally:
        _drop_postgres_database(base, name)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    """A migrated, empty registry."""
    engine = make_engine(database_url)
    create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def seeded(db: Engine) -> Engine:
    """The real seed registry, imported."""
    report = transfer.seed(db)
    assert report.applied, report.lines()
    return db
