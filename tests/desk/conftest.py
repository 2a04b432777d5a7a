"""Desk fixtures: a migrated database (SQLite, or PostgreSQL for the tests that ask for it) with the
desk's tables, and argon2 with cheap parameters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db import create_all, make_engine
from desk.passwords import Argon2Passwords
from desk.schema import ensure_desk_tables
from tests.desk.scenes import FAST


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    create_all(engine)
    ensure_desk_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def passwords() -> Argon2Passwords:
    return Argon2Passwords(**FAST)
