"""WhatsApp Cloud API adapter: webhook JSON → Inbound, Outbound → Graph API calls (plain httpx).

The web server's route checks the signature, parses the JSON and hands it to
:meth:`WhatsAppChannel.accept`, which stores the messages in the inbox (``bot/inbox.py``) and
returns, so the route answers ``200`` only once nothing can be lost. The inbox worker then handles
each person's messages in order, exactly once, on whichever worker holds the person's lease; a
message WhatsApp delivers twice is stored once; a worker killed mid-message is taken over by the
sweep of another.

The 24-hour customer service window: a free-form message may be sent only within 24 hours of the
person's last message. A reply is checked against the timestamp of the message it answers (a
webhook retried for days is not answered); a staff reply (:meth:`WhatsAppChannel.deliver`) against
the session's ``last_inbound_at``. Outside the window nothing is sent — that would need an approved
message template (see docs/WHATSAPP.md).

Module map: ``whatsapp_webhook`` (signature, handshake, parsing), ``whatsapp_payloads`` (Outbound →
payloads within WhatsApp's limits), ``whatsapp_api`` (the Graph client: timeouts, retries, errors).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.channels.whatsapp_api import GraphClient, GraphError, GraphRejected
from bot.channels.whatsapp_payloads import (
    PAYLOAD_ERROR_CODES,
    Labels,
    Message,
    addressed,
    needs_labels,
    render,
    text_message,
)
from bot.channels.whatsapp_webhook import (
    CHANNEL,
    Signature,
    check_signature,
    handshake,
    parse_webhook,
)
from bot.i18n import translations
from bot.inbox import Inbox
from bot.inbox_worker import DEFAULT_LEASE, Deliveries, InboxWorker, Received
from bot.languages import DEFAULT_LANGUAGE
from bot.messages import Inbound, Outbound
from bot.sealing import Sealer
from bot.sessions import ConversationSession, aware

log = logging.getLogger(__name__)

Handler = Callable[[Inbound], Awaitable[list[Outbound]]]
SERVICE_WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=10)  # our clock, Meta's clock and the send itself take time


class SessionReader(Protocol):
    """What the channel reads of a session: the language (for its own words) and the window."""

    async def get(self, session_id: str) -> ConversationSession | None: ...


class ServiceWindowClosed(Exception):
    """The person wrote more than 24 hours ago: only a message template may be sent."""


class WhatsAppChannel:
    def __init__(
        self,
        *,
        api: GraphClient,
        handle: Handler,
        pseudonymize: Callable[[str, str], str],
        inbox: Inbox,
        sealer: Sealer,
        sessions: SessionReader,
        app_secret: str,
        phone_number_id: str,
        verify_token: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pending: int = 1000,
        stop_grace: float = 10.0,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.api = api
        self._pseudonymize = pseudonymize
        self._sessions = sessions
        self._app_secret = app_secret.encode()
        self._phone_number_id = phone_number_id
        self._verify_token = verify_token
        self._clock = clock
        self._max_pending = max_pending
        self._stop_grace = stop_grace
        self._accepting = True
        self._worker = InboxWorker(
            channel=CHANNEL,
            inbox=inbox,
            handle=handle,
            respond=self._respond,
            sealer=sealer,
            pseudonymize=self._pseudonymize,
            lease=lease,
            clock=clock,
        )

    # -- the webhook ----------------------------------------------------------------------------

    def check_signature(self, body: bytes, header: str | None) -> Signature:
        return check_signature(body, header, self._app_secret)

    def handshake(self, params: Mapping[str, str]) -> str | None:
        return handshake(params, self._verify_token)

    async def accept(self, data: object) -> bool:
        """Store the messages of a verified webhook in the inbox, then handle them in the
        background. ``False`` when overloaded or stopping: the route answers 503 and Meta delivers
        the webhook again later (a message stored twice is answered once). Raises when the
        database refuses the messages: the route then answers 500 and Meta retries too."""
        items = parse_webhook(data, self._phone_number_id)
        if not self._accepting or self._worker.busy + len(items) > self._max_pending:
            log.warning("whatsapp webhook refused busy=%d new=%d", self._worker.busy, len(items))
            return False
        fresh: list[tuple[str, Received]] = []
        for item in items:
            session_id = self._pseudonymize(CHANNEL, item.inbound.user_id)
            if item.sent_at is not None and not self._inside_window(item.sent_at):
                log.warning(
                    "whatsapp message too old to answer session=%s (outside the 24-hour window)",
                    session_id[:12],
                )
                continue
            meta = {"sent_at": item.sent_at.isoformat()} if item.sent_at is not None else {}
            fresh.append((session_id, Received(item.inbound, meta)))
        new = await self._worker.submit(fresh)
        if not all(new):
            log.info("whatsapp duplicates ignored=%d", new.count(False))
        return True

    async def _respond(
        self, session_id: str, message: Received, replies: list[Outbound], deliveries: Deliveries
    ) -> None:
        sent_at = message.meta.get("sent_at")
        opened = datetime.fromisoformat(sent_at) if sent_at else self._clock()
        try:
            # A reply to a message is inside the window that message opened.
            await self._send(
                message.inbound.user_id, session_id, replies, opened=opened, deliveries=deliveries
            )
        except (GraphError, ServiceWindowClosed):
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
        self,
        address: str,
        session_id: str,
        replies: list[Outbound],
        *,
        opened: datetime | None,
        deliveries: Deliveries | None = None,
    ) -> None:
        """``deliveries`` skips the sends that went out before a worker was killed (see
        :class:`~bot.inbox_worker.Deliveries`); a refused interactive message and its plain-text
        fallback count as one."""
        # The session, for the window of a message sent on its own (staff replies) and for the
        # language of list buttons; most replies to a message need neither.
        session = None
        if opened is None or any(needs_labels(reply) for reply in replies):
            session = await self._session(session_id)
        if opened is None and session is not None and session.last_inbound_at is not None:
            opened = aware(session.last_inbound_at)
        if opened is None or not self._inside_window(opened):
            log.warning("whatsapp not sent session=%s: outside the 24-hour window", session_id[:12])
            raise ServiceWindowClosed("the person wrote more than 24 hours ago: a template is needed")
        labels = self._labels(session.language if session is not None else None)
        due = (deliveries or Deliveries.every()).next
        for reply in replies:
            if reply.audio is not None and await due():
                media_id = await self.api.upload_audio(reply.audio)
                if media_id:
                    voice = Message("audio", {"type": "audio", "audio": {"id": media_id}})
                    await self.api.send(addressed(voice, address), kind="audio")
            for message in render(reply, labels):
                if not await due():
                    continue
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
        return self._clock() - aware(opened) < SERVICE_WINDOW - WINDOW_MARGIN

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
        self._worker.start()

    async def join(self) -> None:
        """Wait until every stored message has been handled (tests, shutdown)."""
        await self._worker.join()

    async def stop(self) -> None:
        self._accepting = False
        late = await self._worker.stop(self._stop_grace)
        if late:
            log.warning("whatsapp stopped with %d conversations still in progress", late)
        await self.api.aclose()
