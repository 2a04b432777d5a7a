"""Anonymous counts in a real database: SQLite and PostgreSQL, several writers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from bot.analytics import Kind, SqlCounter, UsageCount
from bot.db import create_all, make_engine


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


async def test_counts_kept_in_memory_are_written_every_few_seconds_and_at_shutdown(db_url: str) -> None:
    engine = make_engine(db_url)
    create_all(engine)
    now = [0.0]
    counter = SqlCounter(engine, flush_every=2.0, clock=lambda: now[0])
    when = datetime(2026, 12, 7, 12, tzinfo=UTC)

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.sum(UsageCount.count), 0))).scalar_one())

    for _ in range(3):
        await counter.count(Kind.REFERRAL, topic="shelter", language="en", state="MX-BCN", when=when)
    assert stored() == 0  # within the two seconds: in memory
    now[0] = 2.5
    await counter.count(Kind.REFERRAL, topic="shelter", language="en", state="MX-BCN", when=when)
    assert stored() == 4  # the fourth count wrote all four
    await counter.count(Kind.UNMET, topic="shelter", language="en", state="MX-BCN", when=when)
    assert stored() == 4
    await counter.flush()  # a worker stopping
    assert stored() == 5
    engine.dispose()


async def test_a_count_that_cannot_be_written_does_not_fail_the_answer_and_is_kept(db_url: str) -> None:
    """The engine counts an emergency before it answers: a database hiccup there must not turn the
    911 message into an error message. The count waits for the next write."""
    engine = make_engine(db_url)
    create_all(engine)
    counter = SqlCounter(engine)
    when = datetime(2026, 12, 7, 12, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE usage_count RENAME TO usage_count_away"))
    await counter.count(Kind.QUESTION, topic="emergency", language="es", state="MX-CHP", when=when)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE usage_count_away RENAME TO usage_count"))
    await counter.count(Kind.QUESTION, topic="emergency", language="es", state="MX-CHP", when=when)
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(UsageCount.count))).scalar_one() == 2
    engine.dispose()
