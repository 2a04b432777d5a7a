"""Conversation sessions, keyed by a pseudonymous id and kept in the database.

A session holds only what the conversation needs to continue: language, consent time, where the
person is in the flow, the last topic and place, an open handoff ticket. No message text.
Coordinates are rounded to ~1 km.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Engine, Insert, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from bot.db import call
from bot.pg_direct import DirectEngine


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


_TABLE = ConversationSession.__table__  # type: ignore[attr-defined]
_COLUMNS = [c.name for c in _TABLE.columns]
_HELD: ContextVar[list[dict[str, Any]] | None] = ContextVar("brujula_held_session_saves", default=None)


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A person's session as the inbox read it together with their message: its column values,
    or ``None`` when the person has no session yet."""

    session_id: str
    values: dict[str, Any] | None


_READ: ContextVar[StoredSession | None] = ContextVar("brujula_session_read_with_message", default=None)


def session_upsert(dialect: str) -> Insert:
    """The statement that writes a session (insert, or update every column but its creation)."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(_TABLE).values({name: bindparam(f"v_{name}") for name in _COLUMNS})
    return upsert.on_conflict_do_update(
        index_elements=["id"],
        set_={name: upsert.excluded[name] for name in _COLUMNS if name not in ("id", "created_at")},
    )


@contextlib.contextmanager
def held_saves(read: StoredSession | None = None) -> Iterator[list[dict[str, Any]]]:
    """Within this block (the current task and what it awaits) :meth:`SqlSessionStore.save`
    writes nothing: it adds the session's values to the list yielded, for the caller to write with
    :func:`session_upsert` in its own transaction. The inbox writes them together with the
    replies they produced, so that a worker killed in between leaves neither: the message is then
    handled again from the session as it was, and gets the same answer (a session saved without
    its replies stored made the message get another answer, or none: the load bench's kill -9
    lost replies that way).

    ``read``: the session as read with the message (under the person's lease, so nobody else
    changed it since) — the first :meth:`SqlSessionStore.get` of it returns that instead of
    reading it again."""
    held: list[dict[str, Any]] = []
    token, read_token = _HELD.set(held), _READ.set(read)
    try:
        yield held
    finally:
        _READ.reset(read_token)
        _HELD.reset(token)


class SqlSessionStore:
    """One statement a call, built once, without the ORM's unit of work: a read, an upsert, a
    delete (the ORM's ``merge`` read the row again before writing it; the load bench profiled the
    building of statements and the unit of work as a large part of a worker's time)."""

    def __init__(self, engine: Engine | DirectEngine) -> None:
        # each call is one statement, atomic alone: no BEGIN and COMMIT round trips around it
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._select = select(_TABLE).where(_TABLE.c.id == bindparam("sid"))
        self._upsert = session_upsert(engine.dialect.name)
        self._delete_row = delete(_TABLE).where(_TABLE.c.id == bindparam("sid"))

    def _get(self, session_id: str) -> ConversationSession | None:
        with self._engine.connect() as conn:
            row = conn.execute(self._select, {"sid": session_id}).first()
        return ConversationSession(**row._asdict()) if row is not None else None

    def _save(self, params: dict[str, Any]) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._upsert, params)

    def _delete(self, session_id: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._delete_row, {"sid": session_id})

    async def get(self, session_id: str) -> ConversationSession | None:
        read = _READ.get()
        if read is not None and read.session_id == session_id:
            _READ.set(None)  # once: what the engine reads later comes from the database
            return ConversationSession(**read.values) if read.values is not None else None
        return await call(self._engine, self._get, session_id)

    async def save(self, session: ConversationSession) -> None:
        params = {f"v_{name}": getattr(session, name) for name in _COLUMNS}
        held = _HELD.get()
        if held is not None:  # written by the caller of held_saves(), with what it belongs to
            held.append(params)
            return
        await call(self._engine, self._save, params)

    async def delete(self, session_id: str) -> None:
        await call(self._engine, self._delete, session_id)


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
