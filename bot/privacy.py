"""Deleting a person's data on request, and the retention purge.

Every table that keys rows to a person does so with a ``session_id`` column (the pseudonymous id);
erasure walks the schema, so a table added later is covered without touching this module.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, delete, select
from sqlmodel import SQLModel

from bot.sessions import ConversationSession

DELETE_COMMANDS = ("/borrar", "/delete", "/efase", "/deletemydata")
DELETE_PHRASES = (
    "borrar mis datos",
    "borra mis datos",
    "borrar mi informacion",
    "eliminar mis datos",
    "elimina mis datos",
    "quiero borrar mis datos",
    "delete my data",
    "erase my data",
    "delete my information",
    "remove my data",
    "efase done mwen",
    "efase enfomasyon mwen",
    "efase tout done mwen",
    "efase done m",
)


def _tables() -> list[Table]:
    return [table for table in SQLModel.metadata.sorted_tables if "session_id" in table.c]


def erase(engine: Engine, session_id: str) -> int:
    """Delete every row that references ``session_id``. Returns the number of rows deleted."""
    removed = 0
    with engine.begin() as conn:
        # children first: rows referencing tickets go before the tickets
        for table in sorted(_tables(), key=lambda t: -len(t.foreign_keys)):
            removed += conn.execute(delete(table).where(table.c.session_id == session_id)).rowcount or 0
        sessions = ConversationSession.__table__  # type: ignore[attr-defined]
        removed += conn.execute(delete(sessions).where(sessions.c.id == session_id)).rowcount or 0
    return removed


async def erase_async(engine: Engine, session_id: str) -> int:
    return await asyncio.to_thread(erase, engine, session_id)


def references(engine: Engine, session_id: str) -> int:
    """How many rows anywhere still reference ``session_id`` (used by tests and audits)."""
    count = 0
    with engine.connect() as conn:
        for table in _tables():
            count += len(conn.execute(select(table).where(table.c.session_id == session_id)).all())
        sessions = ConversationSession.__table__  # type: ignore[attr-defined]
        count += len(conn.execute(select(sessions).where(sessions.c.id == session_id)).all())
    return count


def purge(engine: Engine, *, now: datetime, session_days: int, ticket_days: int) -> dict[str, int]:
    """The retention job: idle sessions, closed tickets and delivered messages past their time."""
    from bot.handoff import HandoffTicket, OutboxMessage, TicketMessage, TicketStatus

    idle_before = now - timedelta(days=session_days)
    closed_before = now - timedelta(days=ticket_days)
    stats: dict[str, int] = {}
    with engine.begin() as conn:
        tickets = HandoffTicket.__table__  # type: ignore[attr-defined]
        messages = TicketMessage.__table__  # type: ignore[attr-defined]
        outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
        sessions = ConversationSession.__table__  # type: ignore[attr-defined]
        old = select(tickets.c.id).where(
            tickets.c.status == TicketStatus.CLOSED, tickets.c.closed_at < closed_before
        )
        stats["ticket_messages"] = conn.execute(
            delete(messages).where(messages.c.ticket_id.in_(old))
        ).rowcount
        stats["outbox"] = conn.execute(
            delete(outbox).where((outbox.c.ticket_id.in_(old)) | (outbox.c.sent_at < closed_before))
        ).rowcount
        stats["tickets"] = conn.execute(
            delete(tickets).where(
                tickets.c.status == TicketStatus.CLOSED, tickets.c.closed_at < closed_before
            )
        ).rowcount
        open_sessions = select(tickets.c.session_id).where(tickets.c.status == TicketStatus.OPEN)
        idle = select(sessions.c.id).where(
            sessions.c.updated_at < idle_before, sessions.c.id.not_in(open_sessions)
        )
        idle_ids = [row[0] for row in conn.execute(idle)]
        for table in sorted(_tables(), key=lambda t: -len(t.foreign_keys)):
            if table.name in {tickets.name, messages.name, outbox.name}:
                continue
            if idle_ids:
                conn.execute(delete(table).where(table.c.session_id.in_(idle_ids)))
        stats["sessions"] = (
            conn.execute(delete(sessions).where(sessions.c.id.in_(idle_ids))).rowcount if idle_ids else 0
        )
    return {k: int(v or 0) for k, v in stats.items()}
