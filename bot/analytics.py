"""Anonymous shared measurement: counts by (kind, topic, language, state, ISO week). Never text or ids.

kinds: ``question`` (a topic was answered), ``referral`` (services were offered), ``unmet`` (no
local service matched where the person is).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, UniqueConstraint, bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel


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
    ) -> None: ...


class SqlCounter:
    """One upsert a count (``INSERT … ON CONFLICT DO UPDATE count = count + 1``), built once:
    atomic when several workers count the same key at once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        table = UsageCount.__table__  # type: ignore[attr-defined]
        values = insert(table).values(
            kind=bindparam("kind"),
            topic=bindparam("topic"),
            language=bindparam("language"),
            state=bindparam("state"),
            week=bindparam("week"),
            count=1,
        )
        self._upsert = values.on_conflict_do_update(
            index_elements=["kind", "topic", "language", "state", "week"],
            set_={"count": table.c.count + 1},
        )

    def _count(self, kind: Kind, topic: str, language: str, state: str, week: str) -> None:
        params = {"kind": kind.value, "topic": topic, "language": language, "state": state, "week": week}
        with self._engine.begin() as conn:
            conn.execute(self._upsert, params)

    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        await asyncio.to_thread(self._count, kind, topic, language, state or "unknown", iso_week(when))


class NullCounter:
    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        return None
