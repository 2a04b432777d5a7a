"""The inbox: every inbound message is stored before the webhook answers ``200``, then handled
exactly once, in order per person, by whichever worker holds that person's lease.

Why: a channel (WhatsApp, Telegram) stops retrying once it got a ``200``. A message kept only in
a worker's memory dies with the worker; a message id merely *claimed* before handling makes the
channel's retry look like a duplicate. Here a message is durable first and done last::

    webhook ─▶ receive (INSERT … ON CONFLICT DO NOTHING) ─▶ 200
    any worker: acquire the person's lease ─▶ oldest pending row ─▶ handle ─▶ answered (replies
    stored) ─▶ send ─▶ done ─▶ next row … ─▶ release ─▶ re-check

A row's ``state`` goes ``received`` → ``answered`` → ``done``. The lease (one row per person in
``inbox_lease``, taken with an atomic upsert that only succeeds when the lease is free, expired or
already ours) makes one worker at a time handle a person's messages, in the order they were
received (the row id). A worker killed mid-message leaves its row pending and its lease expiring;
the sweep of any worker (:meth:`Inbox.stale_sessions`) then takes the person over: a ``received``
row is handled again, an ``answered`` row only has its stored replies sent (the session already
moved on), and only those of its channel sends that had not gone out (``sent`` counts them:
written just before each send after the first). The one window left is between a send reaching
the channel and the next write: a worker killed exactly there sends that one message again.

Privacy: ``payload`` and ``replies`` are sealed (Fernet, key derived from ``BRUJULA_SECRET_KEY``)
and emptied as soon as the row is done; done rows keep only channel, a keyed hash of the
channel's message id (a WhatsApp ``wamid`` carries the sender's phone number), the pseudonymous
session id and times, to answer a late duplicate once, and are pruned after two
days. Both tables key rows by ``session_id``, so "delete my data" and the retention purge
(``bot/privacy.py``) remove a person's rows with the rest. The tables are created by the schema
migrations (revision 0006).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    exists,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col

from bot.db import call, on_loop
from bot.pg_direct import DirectConnection, DirectEngine
from bot.sessions import ConversationSession, StoredSession, aware, session_upsert, utcnow

SESSION_TABLE = ConversationSession.__table__  # type: ignore[attr-defined]
_Conn = Connection | DirectConnection  # SQLAlchemy's, or bot.pg_direct's on PostgreSQL


class State(StrEnum):
    RECEIVED = "received"  # stored; not handled yet (or handling never finished)
    ANSWERED = "answered"  # the engine answered; the replies are stored, maybe not all sent
    DONE = "done"  # replies sent (or nothing to send); payload and replies emptied


PENDING = (State.RECEIVED.value, State.ANSWERED.value)
# the pending states as literal SQL: SQLAlchemy renders an expanding ``IN`` again on every
# execution, and ``<> 'done'`` cannot be an index condition
_PENDING_IN = f"IN ({', '.join(repr(state) for state in PENDING)})"


class InboxMessage(SQLModel, table=True):
    __tablename__ = "inbox_message"
    __table_args__ = (
        UniqueConstraint("channel", "message_id", name="uq_inbox_message_channel_id"),
        Index("ix_inbox_message_session_state", "session_id", "state"),
        Index("ix_inbox_message_state_updated", "state", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    message_id: str = Field(max_length=256)
    session_id: str = Field(max_length=64)
    state: str = Field(default=State.RECEIVED, max_length=16)
    payload: str | None = Field(default=None, sa_type=Text)  # sealed; emptied when done
    replies: str | None = Field(default=None, sa_type=Text)  # sealed; emptied when done
    # channel sends of the replies that went out (a worker killed between two sends)
    sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    received_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InboxLease(SQLModel, table=True):
    __tablename__ = "inbox_lease"

    session_id: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage:
    channel: str
    message_id: str
    session_id: str
    payload: str  # sealed


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    channel: str
    state: State
    payload: str | None
    replies: str | None
    sent: int = 0  # channel sends that went out before the worker handling it died
    session: StoredSession | None = None  # the person's session, when read with the message


class Inbox(Protocol):
    async def receive(self, messages: Sequence[NewMessage]) -> list[bool]:
        """Store messages (one transaction); per message ``True`` if new, ``False`` if its id was
        already received on that channel (a retry or a duplicate delivery)."""
        ...

    async def acquire(self, session_id: str, owner: str, until: datetime) -> bool:
        """Take or renew the person's lease until ``until``: ``True`` when it was free, expired
        or already ``owner``'s."""
        ...

    async def claim(self, session_id: str, owner: str, until: datetime) -> tuple[bool, Pending | None]:
        """:meth:`acquire`, and when it succeeded the person's oldest pending message, in one
        transaction: ``(acquired, message or None)``."""
        ...

    async def renew(self, session_id: str, owner: str, until: datetime) -> bool:
        """Extend ``owner``'s lease; ``False`` (and nothing written) when it is not theirs any
        more — a renewal never takes a lease back after it was given up."""
        ...

    async def release(self, session_id: str, owner: str) -> bool:
        """Give the lease back; ``True`` when the person still has pending messages (stored by
        another worker while this one held the lease)."""
        ...

    async def next(self, session_id: str) -> Pending | None:
        """The person's oldest pending message (receipt order), or ``None``."""
        ...

    @property
    def writes_sessions(self) -> bool:
        """Whether :meth:`answered` writes held session saves (``bot.sessions.held_saves``)."""
        ...

    async def answered(self, message: int, replies: str, sessions: Sequence[dict[str, Any]] = ()) -> None:
        """Store the replies; and, in the same transaction, the sessions that produced them."""
        ...

    async def progress(self, message: int, sent: int) -> None:
        """``sent`` channel sends of the message's replies went out."""
        ...

    async def done(self, message: int, session_id: str, owner: str) -> tuple[Pending | None, bool]:
        """Mark the message done; then give ``owner``'s lease back if the person has nothing else
        pending — ``(None, True)`` — or return their next message — ``(message, False)``. One
        call instead of done, next, release and a last look: the lease is deleted only where no
        message is pending, so a message stored meanwhile by another worker is either seen here
        or finds the lease free when that worker tries to take it."""
        ...

    async def stale_sessions(self, channel: str, before: datetime, limit: int = 100) -> list[str]:
        """People with a message pending since before ``before`` and no live lease: their worker
        died (or never started); the sweep takes them over."""
        ...

    async def prune(self, before: datetime) -> int:
        """Drop done messages last touched before ``before``; how many."""
        ...


class _Statements:
    """The inbox's statements, built once: SQLAlchemy then finds each compiled form in its cache
    without building the statement and its cache key again for every call (the load bench
    profiled half of a worker's time in the database client, most of it building statements)."""

    def __init__(self, insert: Any) -> None:
        m = InboxMessage.__table__  # type: ignore[attr-defined]
        lease = InboxLease.__table__  # type: ignore[attr-defined]
        self.receive = (
            insert(m)
            .values(
                channel=bindparam("channel"),
                message_id=bindparam("message_id"),
                session_id=bindparam("session_id"),
                state=State.RECEIVED.value,
                payload=bindparam("payload"),
                received_at=bindparam("now"),
                updated_at=bindparam("now"),
            )
            .on_conflict_do_nothing(index_elements=["channel", "message_id"])
            .returning(m.c.id)
        )
        values = insert(lease).values(
            session_id=bindparam("sid"), owner=bindparam("owner"), expires_at=bindparam("until")
        )
        # taken when free, expired or already ours
        self.acquire = values.on_conflict_do_update(
            index_elements=["session_id"],
            set_={"owner": values.excluded.owner, "expires_at": values.excluded.expires_at},
            where=(lease.c.expires_at < bindparam("now")) | (lease.c.owner == values.excluded.owner),
        ).returning(lease.c.session_id)
        pending = text(f"inbox_message.state {_PENDING_IN}")
        # the message with the person's session: one statement instead of two
        self.next = (
            select(m.c.id, m.c.channel, m.c.state, m.c.payload, m.c.replies, m.c.sent, m.c.session_id)
            .add_columns(*(c.label(f"s_{c.name}") for c in SESSION_TABLE.columns))
            .select_from(m.outerjoin(SESSION_TABLE, SESSION_TABLE.c.id == m.c.session_id))
            .where(m.c.session_id == bindparam("sid"), pending)
            .order_by(m.c.id)
            .limit(1)
        )
        self.release = delete(lease).where(
            lease.c.session_id == bindparam("sid"), lease.c.owner == bindparam("owner")
        )
        waiting = select(m.c.id).where(m.c.session_id == bindparam("sid"), pending).exists()
        self.release_if_idle = (
            delete(lease)
            .where(lease.c.session_id == bindparam("sid"), lease.c.owner == bindparam("owner"), ~waiting)
            .returning(lease.c.session_id)
        )
        self.renew = (
            update(lease)
            .where(lease.c.session_id == bindparam("sid"), lease.c.owner == bindparam("holder"))
            .values(expires_at=bindparam("until"))
        )
        # ``answered`` and ``progress`` leave ``updated_at`` alone: the lease, not the row's age,
        # says whether a worker still has the message, and an update of unindexed columns only
        # (``progress``) can stay on its page without touching the indexes (a HOT update)
        self.answered = (
            update(m)
            .where(m.c.id == bindparam("mid"))
            .values(state=State.ANSWERED.value, replies=bindparam("replies"))
        )
        self.progress = update(m).where(m.c.id == bindparam("mid")).values(sent=bindparam("sent"))
        self.done = (
            update(m)
            .where(m.c.id == bindparam("mid"))
            .values(state=State.DONE.value, payload=None, replies=None, updated_at=bindparam("now"))
        )


class _OneStatement:
    """PostgreSQL only (SQLite has no INSERT/UPDATE/DELETE in ``WITH``): three of a message's steps
    as one statement each, atomic without ``BEGIN`` and ``COMMIT`` — a round trip costs the
    database more than what the statement does (the load bench: 3.6 ms of PostgreSQL's CPU a turn
    over 13.7 round trips, of which executing the statements took 0.02–0.13 ms each)."""

    def __init__(self, statements: _Statements) -> None:
        # the replies stored and the session that produced them saved, together
        self.answered = statements.answered.add_cte(session_upsert("postgresql").cte("saved"))
        session = ", ".join(f"s.{c.name} AS s_{c.name}" for c in SESSION_TABLE.columns)
        message = "f.id, f.channel, f.state, f.payload, f.replies, f.sent, f.session_id"
        # the lease taken (when free, expired or already ours) and, if it was, the person's oldest
        # pending message with their session. A message stored after the statement's snapshot is
        # not seen: the worker then gives the lease back, and ``release`` sees it.
        self.claim = text(
            f"""
            WITH taken AS (
                INSERT INTO inbox_lease (session_id, owner, expires_at) VALUES (:sid, :owner, :until)
                ON CONFLICT (session_id) DO UPDATE
                SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE inbox_lease.expires_at < :now OR inbox_lease.owner = excluded.owner
                RETURNING session_id
            ), oldest AS (
                SELECT id, channel, state, payload, replies, sent, session_id FROM inbox_message
                WHERE session_id = :sid AND state {_PENDING_IN} AND EXISTS (SELECT 1 FROM taken)
                ORDER BY id LIMIT 1
            )
            SELECT {message}, {session}, (SELECT count(*) FROM taken) AS taken
            FROM (SELECT 1) AS one LEFT JOIN oldest AS f ON true
                LEFT JOIN conversation_session AS s ON s.id = f.session_id
            """  # noqa: S608 (column names of the session table only)
        )
        # done; then the person's next pending message (with their session), or the lease given
        # back if there is none. The parts share one snapshot, taken before the update: hence
        # ``id <> :mid``.
        self.done = text(
            f"""
            WITH finished AS (
                UPDATE inbox_message SET state = :done, payload = NULL, replies = NULL, updated_at = :now
                WHERE id = :mid
            ), following AS (
                SELECT id, channel, state, payload, replies, sent, session_id FROM inbox_message
                WHERE session_id = :sid AND state {_PENDING_IN} AND id <> :mid
                ORDER BY id LIMIT 1
            ), released AS (
                DELETE FROM inbox_lease
                WHERE session_id = :sid AND owner = :owner AND NOT EXISTS (SELECT 1 FROM following)
                RETURNING session_id
            )
            SELECT {message}, {session}, (SELECT count(*) FROM released) AS released
            FROM (SELECT 1) AS one LEFT JOIN following AS f ON true
                LEFT JOIN conversation_session AS s ON s.id = f.session_id
            """  # noqa: S608 (column names of the session table only)
        ).bindparams(done=State.DONE.value)


class SqlInbox:
    """The inbox on SQLite or PostgreSQL: its calls in threads, or on the event loop with an engine
    from ``bot.db.loop_engine`` (:func:`bot.db.call`).

    Every statement commits on its own (``AUTOCOMMIT``): each of them is atomic by itself (the
    upsert that takes a lease, the insert that stores a message) and the lease keeps one worker
    per person, so a transaction around them would only add its ``BEGIN`` and ``COMMIT`` round
    trips — two per call, ten per message, which the load bench showed dominating under load."""

    writes_sessions = True

    def __init__(self, engine: Engine | DirectEngine) -> None:
        self._transactional = engine  # replies and the session they advanced: one transaction
        self._session_upsert = session_upsert(engine.dialect.name)
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        # In threads (SQLite), storing a webhook's messages has its own: the 200 must not queue
        # behind the database calls of the conversations being handled (the bench saw webhooks
        # wait seconds). On the event loop (``bot.db.loop_engine``) nothing queues behind a call.
        self._receiving = (
            None if on_loop(engine) else ThreadPoolExecutor(max_workers=4, thread_name_prefix="inbox-receive")
        )
        if engine.dialect.name not in ("postgresql", "sqlite"):
            raise ValueError("the inbox needs SQLite or PostgreSQL (INSERT … ON CONFLICT)")
        postgresql = engine.dialect.name == "postgresql"
        self._sql = _Statements(postgresql_insert if postgresql else sqlite_insert)
        self._one = _OneStatement(self._sql) if postgresql else None

    # -- sync bodies ---------------------------------------------------------------------------

    def _receive(self, messages: Sequence[NewMessage]) -> list[bool]:
        now = utcnow()
        out: list[bool] = []
        with self._engine.begin() as conn:
            for m in messages:
                params = {
                    "channel": m.channel,
                    "message_id": m.message_id,
                    "session_id": m.session_id,
                    "payload": m.payload,
                    "now": now,
                }
                out.append(conn.execute(self._sql.receive, params).first() is not None)
        return out

    def _acquire_on(self, conn: _Conn, session_id: str, owner: str, until: datetime) -> bool:
        params = {"sid": session_id, "owner": owner, "until": until, "now": utcnow()}
        return conn.execute(self._sql.acquire, params).first() is not None

    def _next_on(self, conn: _Conn, session_id: str) -> Pending | None:
        return _pending(conn.execute(self._sql.next, {"sid": session_id}).first())

    def _acquire(self, session_id: str, owner: str, until: datetime) -> bool:
        with self._engine.begin() as conn:
            return self._acquire_on(conn, session_id, owner, until)

    def _claim(self, session_id: str, owner: str, until: datetime) -> tuple[bool, Pending | None]:
        if self._one is not None:
            params = {"sid": session_id, "owner": owner, "until": until, "now": utcnow()}
            with self._engine.begin() as conn:
                row = conn.execute(self._one.claim, params).one()
            return (True, _pending(row)) if row.taken else (False, None)
        with self._engine.begin() as conn:
            if not self._acquire_on(conn, session_id, owner, until):
                return False, None
            return True, self._next_on(conn, session_id)

    def _release(self, session_id: str, owner: str) -> bool:
        with self._engine.begin() as conn:
            conn.execute(self._sql.release, {"sid": session_id, "owner": owner})
            return self._next_on(conn, session_id) is not None

    def _next(self, session_id: str) -> Pending | None:
        with self._engine.connect() as conn:
            return self._next_on(conn, session_id)

    def _answered(self, message: int, replies: str, sessions: Sequence[dict[str, Any]]) -> None:
        if self._one is not None and len(sessions) == 1:
            with self._engine.begin() as conn:
                conn.execute(self._one.answered, {**sessions[0], "mid": message, "replies": replies})
            return
        with (self._transactional if sessions else self._engine).begin() as conn:
            for params in sessions:
                conn.execute(self._session_upsert, params)
            conn.execute(self._sql.answered, {"mid": message, "replies": replies})

    def _renew(self, session_id: str, owner: str, until: datetime) -> bool:
        with self._engine.begin() as conn:
            return bool(
                conn.execute(self._sql.renew, {"sid": session_id, "holder": owner, "until": until}).rowcount
            )

    def _progress(self, message: int, sent: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._sql.progress, {"mid": message, "sent": sent})

    def _done(self, message: int, session_id: str, owner: str) -> tuple[Pending | None, bool]:
        if self._one is not None:
            params = {"mid": message, "sid": session_id, "owner": owner, "now": utcnow()}
            with self._engine.begin() as conn:
                row = conn.execute(self._one.done, params).one()
            return (None, True) if row.released else (_pending(row), False)
        with self._engine.begin() as conn:
            conn.execute(self._sql.done, {"mid": message, "now": utcnow()})
            if conn.execute(self._sql.release_if_idle, {"sid": session_id, "owner": owner}).first():
                return None, True
            return self._next_on(conn, session_id), False

    def _stale_sessions(self, channel: str, before: datetime, limit: int) -> list[str]:
        live = exists().where(
            col(InboxLease.session_id) == col(InboxMessage.session_id),
            col(InboxLease.expires_at) >= utcnow(),
        )
        query = (
            select(col(InboxMessage.session_id))
            .where(
                col(InboxMessage.channel) == channel,
                col(InboxMessage.state).in_(PENDING),
                col(InboxMessage.updated_at) < before,
                ~live,
            )
            .distinct()
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    def _prune(self, before: datetime) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(InboxMessage).where(
                    col(InboxMessage.state) == State.DONE.value, col(InboxMessage.updated_at) < before
                )
            )
            return result.rowcount

    # -- the protocol ----------------------------------------------------------------------------

    async def receive(self, messages: Sequence[NewMessage]) -> list[bool]:
        if not messages:
            return []
        if self._receiving is None:
            return await call(self._engine, self._receive, messages)
        return await asyncio.get_running_loop().run_in_executor(self._receiving, self._receive, messages)

    async def acquire(self, session_id: str, owner: str, until: datetime) -> bool:
        return await call(self._engine, self._acquire, session_id, owner, until)

    async def claim(self, session_id: str, owner: str, until: datetime) -> tuple[bool, Pending | None]:
        return await call(self._engine, self._claim, session_id, owner, until)

    async def release(self, session_id: str, owner: str) -> bool:
        return await call(self._engine, self._release, session_id, owner)

    async def next(self, session_id: str) -> Pending | None:
        return await call(self._engine, self._next, session_id)

    async def answered(self, message: int, replies: str, sessions: Sequence[dict[str, Any]] = ()) -> None:
        await call(self._engine, self._answered, message, replies, sessions)

    async def progress(self, message: int, sent: int) -> None:
        await call(self._engine, self._progress, message, sent)

    async def renew(self, session_id: str, owner: str, until: datetime) -> bool:
        return await call(self._engine, self._renew, session_id, owner, until)

    async def done(self, message: int, session_id: str, owner: str) -> tuple[Pending | None, bool]:
        return await call(self._engine, self._done, message, session_id, owner)

    async def stale_sessions(self, channel: str, before: datetime, limit: int = 100) -> list[str]:
        return await call(self._engine, self._stale_sessions, channel, before, limit)

    async def prune(self, before: datetime) -> int:
        return await call(self._engine, self._prune, before)


def _pending(row: Any) -> Pending | None:
    """A message read with ``_Statements.next`` or ``_OneStatement``'s ``claim`` or ``done``, and
    its session (a SQLAlchemy row or a ``bot.pg_direct`` named tuple)."""
    if row is None or row.id is None:
        return None
    fields = row._asdict()
    values = {c.name: fields[f"s_{c.name}"] for c in SESSION_TABLE.columns} if fields["s_id"] else None
    read = StoredSession(row.session_id, values)
    return Pending(row.id, row.channel, State(row.state), row.payload, row.replies, row.sent, read)


class MemoryInbox:
    """For unit tests and the console: the same behaviour in one process, no database."""

    def __init__(self) -> None:
        self.rows: dict[int, InboxMessage] = {}
        self.ids: dict[tuple[str, str], int] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}

    async def receive(self, messages: Sequence[NewMessage]) -> list[bool]:
        out = []
        for m in messages:
            if (m.channel, m.message_id) in self.ids:
                out.append(False)
                continue
            row_id = len(self.rows) + 1
            self.rows[row_id] = InboxMessage(
                id=row_id,
                channel=m.channel,
                message_id=m.message_id,
                session_id=m.session_id,
                payload=m.payload,
            )
            self.ids[(m.channel, m.message_id)] = row_id
            out.append(True)
        return out

    async def acquire(self, session_id: str, owner: str, until: datetime) -> bool:
        held = self.leases.get(session_id)
        if held is not None and held[0] != owner and aware(held[1]) >= utcnow():
            return False
        self.leases[session_id] = (owner, until)
        return True

    async def claim(self, session_id: str, owner: str, until: datetime) -> tuple[bool, Pending | None]:
        if not await self.acquire(session_id, owner, until):
            return False, None
        return True, await self.next(session_id)

    async def release(self, session_id: str, owner: str) -> bool:
        held = self.leases.get(session_id)
        if held is not None and held[0] == owner:
            del self.leases[session_id]
        return await self.next(session_id) is not None

    async def next(self, session_id: str) -> Pending | None:
        for row_id in sorted(self.rows):
            row = self.rows[row_id]
            if row.session_id == session_id and row.state in PENDING:
                return Pending(row_id, row.channel, State(row.state), row.payload, row.replies, row.sent)
        return None

    writes_sessions = False  # sessions are saved by their store as they go

    async def answered(self, message: int, replies: str, sessions: Sequence[dict[str, Any]] = ()) -> None:
        row = self.rows[message]
        row.state, row.replies = State.ANSWERED.value, replies

    async def progress(self, message: int, sent: int) -> None:
        self.rows[message].sent = sent

    async def renew(self, session_id: str, owner: str, until: datetime) -> bool:
        held = self.leases.get(session_id)
        if held is None or held[0] != owner:
            return False
        self.leases[session_id] = (owner, until)
        return True

    async def done(self, message: int, session_id: str, owner: str) -> tuple[Pending | None, bool]:
        row = self.rows[message]
        row.state, row.payload, row.replies, row.updated_at = State.DONE.value, None, None, utcnow()
        following = await self.next(session_id)
        held = self.leases.get(session_id)
        if following is None and held is not None and held[0] == owner:
            del self.leases[session_id]
            return None, True
        return following, False

    async def stale_sessions(self, channel: str, before: datetime, limit: int = 100) -> list[str]:
        now = utcnow()
        found: list[str] = []
        for row in self.rows.values():
            held = self.leases.get(row.session_id)
            if (
                row.channel == channel
                and row.state in PENDING
                and aware(row.updated_at) < before
                and (held is None or aware(held[1]) < now)
                and row.session_id not in found
            ):
                found.append(row.session_id)
        return found[:limit]

    async def prune(self, before: datetime) -> int:
        old = [i for i, r in self.rows.items() if r.state == State.DONE and aware(r.updated_at) < before]
        for i in old:
            row = self.rows.pop(i)
            del self.ids[(row.channel, row.message_id)]
        return len(old)
