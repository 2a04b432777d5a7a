"""Conversation sessions, keyed by a pseudonymous id and kept in the database.

A session holds only what the conversation needs to continue: language, consent time, where the
person is in the flow, the last topic and place, an open handoff ticket. No message text.
Coordinates are rounded to ~1 km.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A time read back from the database, in UTC: SQLite drops the zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Stage(StrEnum):
    NEW = "new"
    CHOOSING_LANGUAGE = "choosing_language"
    CONSENT = "consent"  # the privacy notice is shown; nothing else until accepted
    READY = "ready"
    AWAITING_PLACE = "awaiting_place"
    CONFIRM_DELETE = "confirm_delete"
    DELETED = "deleted"  # transient: the engine does not save a deleted session


class ConversationSession(SQLModel, table=True):
    __tablename__ = "conversation_session"

    id: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=32)
    language: str | None = Field(default=None, max_length=16)
    stage: str = Field(default=Stage.NEW, max_length=32)
    topic: str | None = Field(default=None, max_length=32)
    pending_topic: str | None = Field(default=None, max_length=32)
    place: str | None = Field(default=None, max_length=120)
    latitude: float | None = None
    longitude: float | None = None
    consent_at: datetime | None = None  # when the person accepted the privacy notice
    ticket_id: int | None = None  # an open handoff ticket: a person, not the bot, answers
    high_risk: bool = False  # an emergency was flagged in this conversation (for staff)
    last_inbound_at: datetime | None = None  # WhatsApp's 24-hour service window starts here
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)

    def set_coordinates(self, latitude: float, longitude: float) -> None:
        self.latitude = round(latitude, 2)
        self.longitude = round(longitude, 2)


class SessionStore(Protocol):
    async def get(self, session_id: str) -> ConversationSession | None: ...
    async def save(self, session: ConversationSession) -> None: ...
    async def delete(self, session_id: str) -> None: ...


class SqlSessionStore:
    """One statement a call, built once, without the ORM's unit of work: a read, an upsert, a
    delete (the ORM's ``merge`` read the row again before writing it; the load bench profiled the
    building of statements and the unit of work as a large part of a worker's time)."""

    def __init__(self, engine: Engine) -> None:
        # each call is one statement, atomic alone: no BEGIN and COMMIT round trips around it
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        table = ConversationSession.__table__  # type: ignore[attr-defined]
        self._columns = [c.name for c in table.columns]
        self._select = select(table).where(table.c.id == bindparam("sid"))
        upsert = insert(table).values({name: bindparam(f"v_{name}") for name in self._columns})
        self._upsert = upsert.on_conflict_do_update(
            index_elements=["id"],
            set_={name: upsert.excluded[name] for name in self._columns if name not in ("id", "created_at")},
        )
        self._delete_row = delete(table).where(table.c.id == bindparam("sid"))

    def _get(self, session_id: str) -> ConversationSession | None:
        with self._engine.connect() as conn:
            row = conn.execute(self._select, {"sid": session_id}).mappings().first()
        return ConversationSession(**row) if row is not None else None

    def _save(self, session: ConversationSession) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._upsert, {f"v_{name}": getattr(session, name) for name in self._columns})

    def _delete(self, session_id: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._delete_row, {"sid": session_id})

    async def get(self, session_id: str) -> ConversationSession | None:
        return await asyncio.to_thread(self._get, session_id)

    async def save(self, session: ConversationSession) -> None:
        await asyncio.to_thread(self._save, session)

    async def delete(self, session_id: str) -> None:
        await asyncio.to_thread(self._delete, session_id)


class MemorySessionStore:
    """For unit tests: same behaviour, no database."""

    def __init__(self) -> None:
        self.rows: dict[str, ConversationSession] = {}

    async def get(self, session_id: str) -> ConversationSession | None:
        row = self.rows.get(session_id)
        return ConversationSession.model_validate(row.model_dump()) if row else None

    async def save(self, session: ConversationSession) -> None:
        self.rows[session.id] = ConversationSession.model_validate(session.model_dump())

    async def delete(self, session_id: str) -> None:
        self.rows.pop(session_id, None)
