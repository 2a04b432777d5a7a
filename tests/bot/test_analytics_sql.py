"""Anonymous counts in a real database: SQLite and PostgreSQL, several writers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from bot.analytics import Kind, SqlCounter, UsageCount
from bot.db import create_all, make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'counts.db'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


async def test_counts_from_many_writers_at_once_add_up(db_url: str) -> None:
    engine = make_engine(db_url)
    create_all(engine)
    first, second = SqlCounter(engine), SqlCounter(engine)  # two workers
    when = datetime(2026, 12, 7, 12, tzinfo=UTC)
    await asyncio.gather(
        *(
            counter.count(Kind.QUESTION, topic="asylum", language="es", state="MX-CHP", when=when)
            for counter in (first, second) * 20
        ),
        first.count(Kind.QUESTION, topic="asylum", language="ht", state=None, when=when),
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(UsageCount.language, UsageCount.state, UsageCount.week, UsageCount.count).order_by(
                UsageCount.language  # type: ignore[arg-type]
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("es", "MX-CHP", "2026-W50", 40), ("ht", "unknown", "2026-W50", 1)]
