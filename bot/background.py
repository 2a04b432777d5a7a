"""Work the server does on its own: delivering staff replies (the outbox) and the retention purge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from bot.handoff import HandoffDesk
from bot.privacy import purge

log = logging.getLogger(__name__)


class Deliverer(Protocol):
    async def deliver(self, address: str, text: str) -> None: ...


async def deliver_outbox_once(desk: HandoffDesk, deliverers: dict[str, Deliverer]) -> int:
    """Send what staff queued, through the channel each person used. Returns how many were sent."""
    if not deliverers:
        return 0
    pending = await asyncio.to_thread(desk.claim_pending, set(deliverers))
    sent = 0
    for item in pending:
        try:
            await deliverers[item.channel].deliver(item.address, item.text)
        except Exception as exc:  # one failed delivery must not stop the others; retried later
            log.warning(
                "outbox delivery failed id=%d channel=%s error=%s", item.id, item.channel, type(exc).__name__
            )
            continue
        await asyncio.to_thread(desk.mark_sent, item.id)
        sent += 1
    return sent


async def outbox_loop(desk: HandoffDesk, deliverers: dict[str, Deliverer], interval: float = 1.0) -> None:
    while True:
        try:
            await deliver_outbox_once(desk, deliverers)
        except Exception as exc:  # keep the loop alive; the database may be briefly unavailable
            log.warning("outbox loop error=%s", type(exc).__name__)
        await asyncio.sleep(interval)


async def purge_loop(
    engine: Engine,
    *,
    session_days: int,
    ticket_days: int,
    interval: float = 3600.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    while True:
        try:
            stats = await asyncio.to_thread(
                purge, engine, now=clock(), session_days=session_days, ticket_days=ticket_days
            )
            log.info("retention purge %s", " ".join(f"{k}={v}" for k, v in sorted(stats.items())))
        except Exception as exc:
            log.warning("retention purge error=%s", type(exc).__name__)
        await asyncio.sleep(interval)
