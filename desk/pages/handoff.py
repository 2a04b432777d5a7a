"""The handoff inbox: open conversations waiting for a person, reading them, replying, closing.

Replies and the closing farewell go through :class:`bot.handoff.HandoffDesk` into the outbox; the
server's dispatcher (``bot.background``) delivers them through the channel the person used. The
audit log records that a reply was sent or a ticket closed, never the text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dialogue.menus import topic_label
from bot.handoff import HandoffTicket, Risk, TicketMessage, TicketStatus
from bot.i18n import translations
from desk.audit import Action, record
from desk.context import Desk
from desk.guard import Visitor, href
from desk.text import language_name

FAREWELL = "The team closed this conversation. You are back with the assistant: write /menu."
REPLY_MAX = 4096  # characters: Telegram's and WhatsApp's limit for one message


def farewell(language: str) -> str:
    """The closing message in the person's language (same msgid as ``brujula handoff close``)."""
    return translations(language).gettext(FAREWELL)


@dataclass(frozen=True, slots=True)
class TicketRow:
    id: int
    high_risk: bool
    language: str
    language_name: str
    topic: str
    topic_label: str
    channel: str
    opened: str
    waiting_minutes: int | None  # None: the last word was the team's


def _aware(when: datetime, now: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=now.tzinfo)


def waiting(ticket: HandoffTicket, now: datetime) -> int | None:
    """Minutes since the person last wrote (or opened the ticket) without an answer from the team."""
    person = ticket.last_person_at or ticket.opened_at
    if ticket.last_staff_at is not None and _aware(ticket.last_staff_at, now) >= _aware(person, now):
        return None
    return max(0, int((now - _aware(person, now)).total_seconds() // 60))


class HandoffPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _row(self, ticket: HandoffTicket, visitor: Visitor) -> TicketRow:
        assert ticket.id is not None
        return TicketRow(
            id=ticket.id,
            high_risk=ticket.risk == Risk.HIGH,
            language=ticket.language,
            language_name=language_name(ticket.language),
            topic=ticket.topic or "",
            topic_label=topic_label(visitor.text.catalog, ticket.topic) if ticket.topic else "",
            channel=ticket.channel,
            opened=self.desk.local(ticket.opened_at),
            waiting_minutes=waiting(ticket, self.desk.now()),
        )

    async def inbox(self, request: Request, visitor: Visitor) -> Response:
        tickets = await asyncio.to_thread(self.desk.handoff.open_tickets)
        # High risk first, then the longest open (the desk's order, whatever the store's).
        tickets.sort(key=lambda t: (t.risk != Risk.HIGH, t.opened_at))
        rows = [self._row(t, visitor) for t in tickets]
        return self.desk.render(
            request,
            visitor,
            "inbox.html",
            {
                "rows": rows,
                "done": request.query_params.get("done", ""),
                # a page that reloads itself can lose a screen reader's place: it can be stopped
                "auto_refresh": request.query_params.get("refresh") != "off",
            },
            title=visitor.text.gettext("Inbox"),
        )

    async def ticket(
        self, request: Request, visitor: Visitor, *, draft: str = "", problem: str = "", status: int = 200
    ) -> Response:
        ticket_id = _ticket_id(request)
        ticket = await self.desk.handoff.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket_id is None:
            return self.desk.error(request, visitor, 404, "missing")
        messages: list[TicketMessage] = await asyncio.to_thread(self.desk.handoff.messages, ticket_id)
        return self.desk.render(
            request,
            visitor,
            "ticket.html",
            {
                "row": self._row(ticket, visitor),
                "open": ticket.status == TicketStatus.OPEN,
                "messages": messages,
                "farewell": farewell(ticket.language),
                "draft": draft,
                "problem": problem,
                "done": request.query_params.get("done", ""),
                "reply_max": REPLY_MAX,
            },
            status=status,
            title=visitor.text.gettext("Conversation #{number}", number=ticket_id),
        )

    async def reply(self, request: Request, visitor: Visitor) -> Response:
        assert visitor.signed is not None and visitor.form is not None
        ticket_id = _ticket_id(request)
        if ticket_id is None:
            return self.desk.error(request, visitor, 404, "missing")
        value = visitor.form.get("text")
        text = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
        if not text:
            return await self.ticket(request, visitor, problem="empty", status=400)
        if len(text) > REPLY_MAX:
            return await self.ticket(request, visitor, draft=text, problem="long", status=400)
        user = visitor.signed.user
        sent = await asyncio.to_thread(self._reply, ticket_id, text, user.display_name, user.username)
        if not sent:
            return await self.ticket(request, visitor, draft=text, problem="closed", status=409)
        return RedirectResponse(href(request, f"/tickets/{ticket_id}?done=sent"), status_code=303)

    def _reply(self, ticket_id: int, text: str, staff_name: str, actor: str) -> bool:
        if not self.desk.handoff.reply(ticket_id, text, staff_name):
            return False
        with Session(self.desk.db) as db:
            record(db, actor=actor, action=Action.HANDOFF_REPLY, target=f"ticket #{ticket_id}")
            db.commit()
        return True

    async def close(self, request: Request, visitor: Visitor) -> Response:
        assert visitor.signed is not None
        ticket_id = _ticket_id(request)
        ticket = await self.desk.handoff.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket_id is None:
            return self.desk.error(request, visitor, 404, "missing")
        closed = await asyncio.to_thread(
            self._close, ticket_id, farewell(ticket.language), visitor.signed.user.username
        )
        if not closed:
            return await self.ticket(request, visitor, problem="closed", status=409)
        return RedirectResponse(href(request, "/inbox?done=closed"), status_code=303)

    def _close(self, ticket_id: int, text: str, actor: str) -> bool:
        if not self.desk.handoff.close(ticket_id, text):
            return False
        with Session(self.desk.db) as db:
            record(db, actor=actor, action=Action.HANDOFF_CLOSE, target=f"ticket #{ticket_id}")
            db.commit()
        return True


def _ticket_id(request: Request) -> int | None:
    raw = str(request.path_params.get("ticket_id", ""))
    return int(raw) if raw.isdigit() and len(raw) < 12 else None
