"""WhatsApp Cloud API adapter: webhook JSON → Inbound, Outbound → Graph API calls (plain httpx).

The web server's route checks the signature, parses the JSON and hands it to
:meth:`WhatsAppChannel.accept`, which queues the messages and returns at once, so the route can
answer ``200`` quickly. Each person's messages are handled in order by one task per person (keyed
by the pseudonymous id); different people are handled concurrently. Before a message is handled
its id is claimed in the delivery store, so a message WhatsApp delivers twice is answered once.

The 24-hour customer service window: a free-form message may be sent only within 24 hours of the
person's last message. A reply is checked against the timestamp of the message it answers (a
webhook retried for days is not answered); a staff reply (:meth:`WhatsAppChannel.deliver`) against
the session's ``last_inbound_at``. Outside the window nothing is sent — that would need an approved
message template (see docs/WHATSAPP.md).

Module map: ``whatsapp_webhook`` (signature, handshake, parsing), ``whatsapp_payloads`` (Outbound →
payloads within WhatsApp's limits), ``whatsapp_api`` (the Graph client: timeouts, retries, errors).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.channels.whatsapp_api import GraphClient, GraphError, GraphRejected
from bot.channels.whatsapp_payloads import (
    PAYLOAD_ERROR_CODES,
    Labels,
    Message,
    addressed,
    render,
    text_message,
)
from bot.channels.whatsapp_webhook import (
    CHANNEL,
    Incoming,
    Signature,
    check_signature,
    handshake,
    parse_webhook,
)
from bot.deliveries import DeliveryStore
from bot.i18n import translations
from bot.languages import DEFAULT_LANGUAGE
from bot.messages import Inbound, Outbound
from bot.sessions import ConversationSession

log = logging.getLogger(__name__)

Handler = Callable[[Inbound], Awaitable[list[Outbound]]]
SERVICE_WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=10)  # our clock, Meta's clock and the send itself take time
DELIVERY_RETENTION = timedelta(days=2)  # older messages are outside the window anyway
PRUNE_EVERY = 3600.0  # seconds


class SessionReader(Protocol):
    """What the channel reads of a session: the language (for its own words) and the window."""

    async def get(self, session_id: str) -> ConversationSession | None: ...


class ServiceWindowClosed(Exception):
    """The person wrote more than 24 hours ago: only a message template may be sent."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


class WhatsAppChannel:
    def __init__(
        self,
        *,
        api: GraphClient,
        handle: Handler,
        pseudonymize: Callable[[str, str], str],
        deliveries: DeliveryStore,
        sessions: SessionReader,
        app_secret: str,
        phone_number_id: str,
        verify_token: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pending: int = 1000,
        stop_grace: float = 10.0,
    ) -> None:
        self.api = api
        self._handle = handle
        self._pseudonymize = pseudonymize
        self._deliveries = deliveries
        self._sessions = sessions
        self._app_secret = app_secret.encode()
        self._phone_number_id = phone_number_id
        self._verify_token = verify_token
        self._clock = clock
        self._max_pending = max_pending
        self._stop_grace = stop_grace
        self._queues: dict[str, deque[Incoming]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._accepting = True
        self._pruner: asyncio.Task[None] | None = None

    # -- the webhook ----------------------------------------------------------------------------

    def check_signature(self, body: bytes, header: str | None) -> Signature:
        return check_signature(body, header, self._app_secret)

    def handshake(self, params: Mapping[str, str]) -> str | None:
        return handshake(params, self._verify_token)

    def accept(self, data: object) -> bool:
        """Queue the messages of a verified webhook. ``False`` when overloaded or stopping: the
        route answers 503 and Meta delivers the webhook again later (duplicates are claimed once)."""
        items = parse_webhook(data, self._phone_number_id)
        if not self._accepting or self._pending + len(items) > self._max_pending:
            log.warning("whatsapp webhook refused pending=%d new=%d", self._pending, len(items))
            return False
        for item in items:
            self._enqueue(self._pseudonymize(CHANNEL, item.inbound.user_id), item)
        return True

    def _enqueue(self, session_id: str, item: Incoming) -> None:
        queue = self._queues.get(session_id)
        if queue is None:
            queue = self._queues[session_id] = deque()
            task = asyncio.create_task(self._drain(session_id, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.append(item)
        self._pending += 1

    async def _drain(self, session_id: str, queue: deque[Incoming]) -> None:
        """One person's messages, one at a time, in the order they came."""
        try:
            while queue:
                item = queue.popleft()
                try:
                    await self._process(session_id, item)
                except Exception as exc:  # the boundary: one failed message must not stop the queue
                    log.error(
                        "whatsapp handling failed session=%s error=%s", session_id[:12], type(exc).__name__
                    )
                finally:
                    self._pending -= 1
        finally:
            if self._queues.get(session_id) is queue:
                del self._queues[session_id]

    async def _process(self, session_id: str, item: Incoming) -> None:
        inbound = item.inbound
        if item.sent_at is not None and not self._inside_window(item.sent_at):
            log.warning(
                "whatsapp message too old to answer session=%s (outside the 24-hour window)", session_id[:12]
            )
            return
        if inbound.message_id:
            try:
                first = await self._deliveries.claim(CHANNEL, inbound.message_id, session_id)
            except Exception as exc:  # better a rare double answer than none
                log.error(
                    "whatsapp delivery claim failed session=%s error=%s", session_id[:12], type(exc).__name__
                )
                first = True
            if not first:
                log.info("whatsapp duplicate ignored session=%s", session_id[:12])
                return
        replies = await self._handle(inbound)
        if not replies:
            return
        try:
            # A reply to a message is inside the window that message opened (checked above).
            await self._send(inbound.user_id, session_id, replies, opened=item.sent_at or self._clock())
        except GraphError:
            log.error("whatsapp reply not delivered session=%s", session_id[:12])

    # -- sending --------------------------------------------------------------------------------

    async def send(self, address: str, replies: list[Outbound]) -> None:
        """Send replies to ``address`` (a phone number or business-scoped user id) if the
        person's window is open. Raises :class:`ServiceWindowClosed` or a ``GraphError``."""
        session_id = self._pseudonymize(CHANNEL, address)
        await self._send(address, session_id, replies, opened=None)

    async def deliver(self, address: str, text: str) -> None:
        """A staff reply from the handoff outbox (``bot.background.Deliverer``)."""
        await self.send(address, [Outbound(text)])

    async def _send(
        self, address: str, session_id: str, replies: list[Outbound], *, opened: datetime | None
    ) -> None:
        session = await self._session(session_id)
        if opened is None and session is not None and session.last_inbound_at is not None:
            opened = _aware(session.last_inbound_at)
        if opened is None or not self._inside_window(opened):
            log.warning("whatsapp not sent session=%s: outside the 24-hour window", session_id[:12])
            raise ServiceWindowClosed("the person wrote more than 24 hours ago: a template is needed")
        labels = self._labels(session.language if session is not None else None)
        for reply in replies:
            if reply.audio is not None:
                media_id = await self.api.upload_audio(reply.audio)
                if media_id:
                    voice = Message("audio", {"type": "audio", "audio": {"id": media_id}})
                    await self.api.send(addressed(voice, address), kind="audio")
            for message in render(reply, labels):
                try:
                    await self.api.send(addressed(message, address), kind=message.kind)
                except GraphRejected as exc:
                    if message.fallback is None or exc.code not in PAYLOAD_ERROR_CODES:
                        raise
                    # The interactive form was refused: the words still reach the person.
                    await self.api.send(addressed(text_message(message.fallback), address), kind="text")

    async def _session(self, session_id: str) -> ConversationSession | None:
        try:
            return await self._sessions.get(session_id)
        except Exception as exc:  # the reply still goes out, in the default language
            log.error("whatsapp session read failed session=%s error=%s", session_id[:12], type(exc).__name__)
            return None

    def _inside_window(self, opened: datetime) -> bool:
        return self._clock() - _aware(opened) < SERVICE_WINDOW - WINDOW_MARGIN

    @staticmethod
    def _labels(language: str | None) -> Labels:
        t = translations(language or DEFAULT_LANGUAGE)
        return Labels(
            list_button=t.gettext("See options"),
            more=t.gettext("More options ({page} of {pages}):"),
        )

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._accepting = True
        if self._verify_token is None:
            log.warning("WHATSAPP_VERIFY_TOKEN is not set: Meta cannot verify the webhook")
        if self._pruner is None:
            self._pruner = asyncio.create_task(self._prune_forever())

    async def join(self) -> None:
        """Wait until every queued message has been handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        self._accepting = False
        if self._tasks:
            _, late = await asyncio.wait(list(self._tasks), timeout=self._stop_grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                log.warning("whatsapp stopped with %d conversations still in progress", len(late))
        if self._pruner is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
            self._pruner = None
        await self.api.aclose()

    async def _prune_forever(self) -> None:
        while True:
            try:
                removed = await self._deliveries.prune(self._clock() - DELIVERY_RETENTION)
                log.info("whatsapp delivery ids pruned=%d", removed)
            except Exception as exc:  # the database may be briefly unavailable; try again later
                log.warning("whatsapp delivery prune failed error=%s", type(exc).__name__)
            await asyncio.sleep(PRUNE_EVERY)
