"""Human handoff: tickets in a staff queue, their messages, and an outbox for staff replies.

A ticket keeps what staff need to answer — the conversation's language, topic and risk flag, the
person's messages while the ticket is open, and the sealed channel address to reply to — and is
purged when closed plus ``BRUJULA_TICKET_RETENTION_DAYS``. Staff replies (desk or CLI) go to the
outbox; the server's dispatcher delivers them through the channel the person used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, case
from sqlmodel import Field, Session, SQLModel, col, select

from bot.sealing import Sealer
from bot.sessions import utcnow


class TicketStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Risk(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


class HandoffTicket(SQLModel, table=True):
    __tablename__ = "handoff_ticket"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True, max_length=64)
    channel: str = Field(max_length=32)
    address_sealed: str | None = Field(default=None, max_length=512)
    language: str = Field(max_length=16)
    topic: str | None = Field(default=None, max_length=32)
    risk: str = Field(default=Risk.NORMAL, max_length=16)
    status: str = Field(default=TicketStatus.OPEN, index=True, max_length=16)
    opened_at: datetime = Field(default_factory=utcnow)
    last_person_at: datetime | None = None
    last_staff_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, index=True)


class TicketMessage(SQLModel, table=True):
    __tablename__ = "ticket_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="handoff_ticket.id", index=True)
    session_id: str = Field(index=True, max_length=64)
    sender: str = Field(max_length=16)  # "person" | "staff" | "system"
    staff_name: str | None = Field(default=None, max_length=120)
    text: str = Field(max_length=4096)
    created_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, index=True)
    session_id: str = Field(index=True, max_length=64)
    channel: str = Field(max_length=32)
    address_sealed: str = Field(max_length=512)
    text: str = Field(max_length=4096)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    channel: str
    address: str
    text: str


class HandoffDesk:
    """Tickets and the outbox in the database. Blocking work runs in a thread."""

    def __init__(self, engine: Engine, sealer: Sealer, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._sealer = sealer
        self._clock = clock

    # -- the person's side (called by the dialogue engine) ---------------------------------------

    def _open(
        self, session_id: str, channel: str, address: str, language: str, topic: str | None, risk: Risk
    ) -> HandoffTicket:
        with Session(self._engine, expire_on_commit=False) as db:
            existing = db.exec(
                select(HandoffTicket).where(
                    HandoffTicket.session_id == session_id, HandoffTicket.status == TicketStatus.OPEN
                )
            ).first()
            if existing is not None:
                return existing
            ticket = HandoffTicket(
                session_id=session_id,
                channel=channel,
                address_sealed=self._sealer.seal(address),
                language=language,
                topic=topic,
                risk=risk,
                opened_at=self._clock(),
            )
            db.add(ticket)
            db.commit()
            db.refresh(ticket)
            return ticket

    async def open(
        self, *, session_id: str, channel: str, address: str, language: str, topic: str | None, risk: Risk
    ) -> HandoffTicket:
        return await asyncio.to_thread(self._open, session_id, channel, address, language, topic, risk)

    def _get(self, ticket_id: int) -> HandoffTicket | None:
        with Session(self._engine, expire_on_commit=False) as db:
            return db.get(HandoffTicket, ticket_id)

    async def get(self, ticket_id: int) -> HandoffTicket | None:
        return await asyncio.to_thread(self._get, ticket_id)

    def _note_person(self, ticket_id: int, session_id: str, text: str, risk: Risk | None) -> None:
        with Session(self._engine) as db:
            ticket = db.get(HandoffTicket, ticket_id)
            if ticket is None:
                return
            if text:
                db.add(
                    TicketMessage(
                        ticket_id=ticket_id,
                        session_id=session_id,
                        sender="person",
                        text=text,
                        created_at=self._clock(),
                    )
                )
            ticket.last_person_at = self._clock()
            if risk is Risk.HIGH:
                ticket.risk = Risk.HIGH
            db.add(ticket)
            db.commit()

    async def note_person(self, ticket_id: int, session_id: str, text: str, risk: Risk | None = None) -> None:
        await asyncio.to_thread(self._note_person, ticket_id, session_id, text[:4096], risk)

    def _flag_high_risk(self, session_id: str) -> None:
        with Session(self._engine) as db:
            for ticket in db.exec(
                select(HandoffTicket).where(
                    HandoffTicket.session_id == session_id, HandoffTicket.status == TicketStatus.OPEN
                )
            ):
                ticket.risk = Risk.HIGH
                db.add(ticket)
            db.commit()

    async def flag_high_risk(self, session_id: str) -> None:
        await asyncio.to_thread(self._flag_high_risk, session_id)

    # -- the staff side (desk, CLI) -------------------------------------------------------------

    def open_tickets(self) -> list[HandoffTicket]:
        with Session(self._engine, expire_on_commit=False) as db:
            return list(
                db.exec(
                    select(HandoffTicket)
                    .where(HandoffTicket.status == TicketStatus.OPEN)
                    .order_by(
                        case((col(HandoffTicket.risk) == Risk.HIGH, 0), else_=1), col(HandoffTicket.opened_at)
                    )
                )
            )

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        with Session(self._engine, expire_on_commit=False) as db:
            return list(
                db.exec(
                    select(TicketMessage)
                    .where(TicketMessage.ticket_id == ticket_id)
                    .order_by(col(TicketMessage.created_at), col(TicketMessage.id))
                )
            )

    def reply(self, ticket_id: int, text: str, staff_name: str | None = None) -> bool:
        """Queue a staff reply for delivery. False if the ticket is not open."""
        text = text.strip()[:4096]
        if not text:
            return False
        with Session(self._engine) as db:
            ticket = db.get(HandoffTicket, ticket_id)
            if ticket is None or ticket.status != TicketStatus.OPEN or not ticket.address_sealed:
                return False
            db.add(
                TicketMessage(
                    ticket_id=ticket_id,
                    session_id=ticket.session_id,
                    sender="staff",
                    staff_name=staff_name,
                    text=text,
                    created_at=self._clock(),
                )
            )
            db.add(
                OutboxMessage(
                    ticket_id=ticket_id,
                    session_id=ticket.session_id,
                    channel=ticket.channel,
                    address_sealed=ticket.address_sealed,
                    text=text,
                    created_at=self._clock(),
                )
            )
            ticket.last_staff_at = self._clock()
            db.add(ticket)
            db.commit()
            return True

    def close(self, ticket_id: int, farewell: str | None = None) -> bool:
        """Close a ticket; the person is back with the assistant (told so if ``farewell``)."""
        with Session(self._engine) as db:
            ticket = db.get(HandoffTicket, ticket_id)
            if ticket is None or ticket.status != TicketStatus.OPEN:
                return False
            if farewell and ticket.address_sealed:
                db.add(
                    OutboxMessage(
                        ticket_id=ticket_id,
                        session_id=ticket.session_id,
                        channel=ticket.channel,
                        address_sealed=ticket.address_sealed,
                        text=farewell,
                        created_at=self._clock(),
                    )
                )
            ticket.status = TicketStatus.CLOSED
            ticket.closed_at = self._clock()
            db.add(ticket)
            db.commit()
            return True

    # -- delivery (the server's dispatcher) -------------------------------------------------------

    def claim_pending(self, channels: set[str], limit: int = 50) -> list[Pending]:
        """Unsent outbox messages for the given channels, oldest first, marked as attempted."""
        out: list[Pending] = []
        with Session(self._engine) as db:
            query = (
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.channel).in_(channels),
                    OutboxMessage.attempts < 5,
                )
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            )
            if self._engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in db.exec(query):
                address = self._sealer.open(row.address_sealed)
                row.attempts += 1
                db.add(row)
                if address is not None and row.id is not None:
                    out.append(Pending(row.id, row.channel, address, row.text))
            db.commit()
        return out

    def take_for_session(self, session_id: str, channel: str) -> list[str]:
        """Unsent outbox texts for one person on a pull channel (the web chat polls), marked sent."""
        with Session(self._engine) as db:
            rows = list(
                db.exec(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.session_id == session_id,
                        OutboxMessage.channel == channel,
                        col(OutboxMessage.sent_at).is_(None),
                    )
                    .order_by(col(OutboxMessage.id))
                )
            )
            now = self._clock()
            for row in rows:
                row.sent_at = now
                db.add(row)
            db.commit()
            return [row.text for row in rows]

    def mark_sent(self, outbox_id: int) -> None:
        with Session(self._engine) as db:
            row = db.get(OutboxMessage, outbox_id)
            if row is not None:
                row.sent_at = self._clock()
                db.add(row)
                db.commit()
