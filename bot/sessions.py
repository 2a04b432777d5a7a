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

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, select


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
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _get(self, session_id: str) -> ConversationSession | None:
        with Session(self._engine, expire_on_commit=False) as db:
            return db.exec(select(ConversationSession).where(ConversationSession.id == session_id)).first()

    def _save(self, session: ConversationSession) -> None:
        with Session(self._engine, expire_on_commit=False) as db:
            db.merge(session)
            db.commit()

    def _delete(self, session_id: str) -> None:
        with Session(self._engine) as db:
            row = db.get(ConversationSession, session_id)
            if row is not None:
                db.delete(row)
                db.commit()

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
