"""Anonymous shared measurement: counts by (kind, topic, language, state, ISO week). Never text or ids.

kinds: ``question`` (a topic was answered), ``referral`` (services were offered), ``unmet`` (no
local service matched where the person is).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel


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
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _count(self, kind: Kind, topic: str, language: str, state: str, week: str) -> None:
        table = UsageCount.__table__  # type: ignore[attr-defined]
        key = (
            (table.c.kind == kind)
            & (table.c.topic == topic)
            & (table.c.language == language)
            & (table.c.state == state)
            & (table.c.week == week)
        )
        for _ in range(3):
            with self._engine.begin() as conn:
                if conn.execute(update(table).where(key).values(count=table.c.count + 1)).rowcount:
                    return
            try:
                with Session(self._engine) as db:
                    db.add(
                        UsageCount(kind=kind, topic=topic, language=language, state=state, week=week, count=1)
                    )
                    db.commit()
                return
            except IntegrityError:
                continue  # another worker inserted it first: increment instead

    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        await asyncio.to_thread(self._count, kind, topic, language, state or "unknown", iso_week(when))


class NullCounter:
    async def count(
        self, kind: Kind, *, topic: str, language: str, state: str | None, when: datetime
    ) -> None:
        return None
