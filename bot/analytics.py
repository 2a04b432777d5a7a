"""Anonymous shared measurement: counts by (kind, topic, language, state, ISO week). Never text or ids.

kinds: ``question`` (a topic was answered), ``referral`` (services were offered), ``unmet`` (no
local service matched where the person is).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, UniqueConstraint, bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

log = logging.getLogger(__name__)


class Kind(StrEnum):
    QUESTION = "question"
    REFERRAL = "referral"
    UNMET = "unmet"


class UsageCount(SQLModel, table=True):
    __tablename__ = "usage_count"
    __table_args__ = (UniqueConstraint("kind", "topic", "language", "state", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    topic: str = Field(max_length=32)
    language: str = Field(max_length=16)
    state: str = Field(max_length=16)  # ISO 3166-2:MX code or "unknown"
    week: str = Field(max_length=8, index=True)  # ISO week, e.g. "2026-W48"
    count: int = 0


def iso_week(when: datetime) -> str:
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


class Counter(Protocol):
    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        """Never raises: the engine counts before it answers (an emergency too), and a count
        that cannot be written must not turn the answer into an error message."""
        ...


class SqlCounter:
    """Counts kept in memory and written together every ``flush_every`` seconds (``0``: at once),
    one upsert a key (``INSERT … ON CONFLICT DO UPDATE count = count + n``), keys in one order:
    atomic when several workers count the same key at once, and under a surge one statement a
    few seconds for the week's few hot keys instead of one a message, each waiting for the
    row's lock (the load bench measured it the slowest statement on PostgreSQL). A worker killed
    with ``kill -9`` loses at most the last ``flush_every`` seconds of counts; a stopping one
    writes them (:meth:`flush`)."""

    def __init__(
        self, engine: Engine, *, flush_every: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._flush_every = flush_every
        self._clock = clock
        self._pending: collections.Counter[tuple[str, str, str, str, str]] = collections.Counter()
        self._last = clock()
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        table = UsageCount.__table__  # type: ignore[attr-defined]
        values = insert(table).values(
            kind=bindparam("kind"),
            topic=bindparam("topic"),
            language=bindparam("language"),
            state=bindparam("state"),
            week=bindparam("week"),
            count=bindparam("n"),
        )
        self._upsert = values.on_conflict_do_update(
            index_elements=["kind", "topic", "language", "state", "week"],
            set_={"count": table.c.count + values.excluded.count},
        )

    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        self._pending[(kind.value, topic, language, state or "unknown", iso_week(when))] += 1
        if self._clock() - self._last >= self._flush_every:
            try:
                await self.flush()
            except Exception as exc:  # kept for the next flush; the person's answer goes on
                log.warning("counts not written error=%s", type(exc).__name__)

    async def flush(self) -> None:
        """Write the counts kept in memory; on failure they are kept for the next time."""
        batch, self._pending = self._pending, collections.Counter()
        self._last = self._clock()
        if not batch:
            return
        try:
            await asyncio.to_thread(self._write, batch)
        except Exception:
            self._pending.update(batch)
            raise

    def _write(self, batch: collections.Counter[tuple[str, str, str, str, str]]) -> None:
        rows = [
            {"kind": k, "topic": t, "language": lang, "state": st, "week": w, "n": n}
            for (k, t, lang, st, w), n in sorted(batch.items())
        ]
        with self._engine.begin() as conn:
            conn.execute(self._upsert, rows)


class NullCounter:
    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        return None
