"""Inbound messages already handled, so that a message delivered twice is answered once.

WhatsApp retries a webhook until it gets a ``200`` and can deliver one message more than once even
after that. Before handling a message the channel *claims* its id: only the first claim succeeds.
A claim is one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` against the unique constraint on
``(channel, message_id)``, so it is atomic across tasks, threads and workers on SQLite and
PostgreSQL alike.

A row holds no message text and no raw user id: the channel, the channel's message id, the
pseudonymous session id (so that deleting a person's data can delete their rows) and the time.
Rows are only needed while a duplicate can still arrive; :meth:`SqlDeliveryStore.prune` drops
older ones. The table is created by the schema migrations (``bot/migrations``, revision 0003).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, UniqueConstraint, delete, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col

from bot.sessions import utcnow


class InboundDelivery(SQLModel, table=True):
    __tablename__ = "inbound_delivery"
    __table_args__ = (UniqueConstraint("channel", "message_id", name="uq_inbound_delivery_message"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    message_id: str = Field(max_length=256)
    session_id: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class DeliveryStore(Protocol):
    async def claim(self, channel: str, message_id: str, session_id: str) -> bool:
        """``True`` the first time a message id is claimed on a channel, ``False`` ever after."""
        ...

    async def prune(self, before: datetime) -> int:
        """Drop the ids claimed before ``before`` (no duplicate can arrive that late); how many."""
        ...


class SqlDeliveryStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _claim(self, channel: str, message_id: str, session_id: str) -> bool:
        table = InboundDelivery.__table__  # type: ignore[attr-defined]
        values = {
            "channel": channel,
            "message_id": message_id,
            "session_id": session_id,
            "created_at": utcnow(),
        }
        keys = ["channel", "message_id"]
        dialect = self._engine.dialect.name
        if dialect not in ("postgresql", "sqlite"):  # any other database: the constraint still decides
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(table).values(values))
            except IntegrityError:
                return False
            return True
        make = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            make(table).values(values).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
        )
        with self._engine.begin() as conn:
            return conn.execute(statement).first() is not None  # a row comes back only if inserted

    def _prune(self, before: datetime) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(delete(InboundDelivery).where(col(InboundDelivery.created_at) < before))
            return result.rowcount

    def _forget(self, session_id: str) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(InboundDelivery).where(col(InboundDelivery.session_id) == session_id)
            )
            return result.rowcount

    async def claim(self, channel: str, message_id: str, session_id: str) -> bool:
        return await asyncio.to_thread(self._claim, channel, message_id, session_id)

    async def prune(self, before: datetime) -> int:
        """Drop the rows created before ``before``; returns how many."""
        return await asyncio.to_thread(self._prune, before)

    async def forget(self, session_id: str) -> int:
        """Drop one person's rows (deletion on request); returns how many."""
        return await asyncio.to_thread(self._forget, session_id)


class MemoryDeliveryStore:
    """For unit tests: same behaviour, no database."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[str, datetime]] = {}

    async def claim(self, channel: str, message_id: str, session_id: str) -> bool:
        if (channel, message_id) in self.rows:
            return False
        self.rows[(channel, message_id)] = (session_id, utcnow())
        return True

    async def prune(self, before: datetime) -> int:
        old = [key for key, (_, created) in self.rows.items() if created < before]
        for key in old:
            del self.rows[key]
        return len(old)
