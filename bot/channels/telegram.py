"""Telegram adapter (python-telegram-bot 22): Update → Inbound, Outbound → Bot API calls.

Polling or webhook. In webhook mode the web server's route checks the secret token header and
hands the update to :meth:`TelegramChannel.feed`. Only private chats are served.

Either way an update goes into the inbox (``bot/inbox.py``) first, keyed by its ``update_id``: a
retried update is answered once, each person's updates are handled in order on whichever worker
holds their lease, and an update stored by a worker that then died is finished by another's sweep.
The webhook route answers ``200`` only once the update is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.limits import TELEGRAM, split_text
from bot.channels.telegram_request import AiohttpRequest
from bot.identity import Pseudonymizer
from bot.inbox import Inbox, MemoryInbox
from bot.inbox_worker import DEFAULT_LEASE, Deliveries, InboxWorker, Received
from bot.messages import Inbound, Location, Outbound
from bot.sealing import Sealer

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Handler = Callable[[Inbound], Awaitable[list[Outbound]]]


def parse_update(data: object, bot: Bot) -> Update | None:
    """A webhook body as an :class:`Update`, or ``None`` when python-telegram-bot cannot read it
    (a malformed or forged body is dropped with one log line, never an error for the route)."""
    try:
        return Update.de_json(data, bot)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("telegram update unreadable error=%s", type(exc).__name__)
        return None


class TelegramStartError(Exception):
    """Telegram could not be started. The message is one line for a person, without the token
    (python-telegram-bot quotes the token in ``InvalidToken``)."""


def _start_error(exc: TelegramError, base_url: str) -> TelegramStartError:
    if isinstance(exc, InvalidToken):
        return TelegramStartError(
            "the Telegram Bot API refused TELEGRAM_BOT_TOKEN (check the token from @BotFather)"
        )
    if isinstance(exc, NetworkError):  # TimedOut included
        return TelegramStartError(f"cannot reach the Telegram Bot API at {base_url} ({type(exc).__name__})")
    return TelegramStartError(f"the Telegram Bot API refused to start the bot ({type(exc).__name__})")


async def check_bot_api(*, token: str, base_url: str) -> str:
    """Ask the Bot API who we are (``getMe``): the bot's username, or :class:`TelegramStartError`."""
    bot = Bot(token, base_url=base_url)
    try:
        async with bot:  # initialize() calls getMe
            return bot.username
    except TelegramError as exc:
        raise _start_error(exc, base_url) from None


def inbound_from_update(update: Update) -> Inbound | None:
    """The canonical message for an update, or ``None`` for updates we do not serve."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return None
    user = str(chat.id)
    message_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        return Inbound.from_choice(CHANNEL, user, query.data or "", message_id)
    message = update.message
    if message is None:
        return None
    if message.location is not None:
        loc = Location(message.location.latitude, message.location.longitude)
        return Inbound.from_location(CHANNEL, user, loc, message_id)
    if message.text is not None:
        return Inbound.from_text(CHANNEL, user, message.text, message_id)
    return Inbound.unsupported(CHANNEL, user, message_id)


def keyboard(reply: Outbound) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    buttons = [
        InlineKeyboardButton(c.label[:64], callback_data=c.id)
        for c in reply.choices
        if len(c.id.encode()) <= (TELEGRAM.callback_bytes or 64)
    ]
    per_row = 1 if any(len(b.text) > 18 for b in buttons) else 2
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


SEND_ATTEMPTS = 3


async def _retrying(call: Callable[..., Awaitable[object]], *args: object, **kwargs: object) -> None:
    """A Bot API call, again after a network error other than a timeout — most often a pooled
    connection the other side had closed, so the request never got through (the load bench lost
    replies to exactly this). Not after a timeout, which may have reached Telegram: a second copy
    would be a duplicate reply. ``RetryAfter`` is the rate limiter's business."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await call(*args, **kwargs)
            return
        except TimedOut:
            raise
        except NetworkError:
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(0.2 * attempt)


class TelegramChannel:
    """``inbox``, ``sealer`` and ``pseudonymize`` default to a process-local inbox (tests, one
    process); the composition root passes the database's, shared by every worker."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        handle: Handler,
        inbox: Inbox | None = None,
        sealer: Sealer | None = None,
        pseudonymize: Callable[[str, str], str] | None = None,
        lease: timedelta = DEFAULT_LEASE,
        max_sends_per_second: float = 30.0,
        stop_grace: float = 10.0,
    ) -> None:
        local_key = secrets.token_hex(32)
        self._base_url = base_url
        self._pseudonymize = pseudonymize or Pseudonymizer(local_key)
        self._stop_grace = stop_grace
        self._worker = InboxWorker(
            channel=CHANNEL,
            inbox=inbox or MemoryInbox(),
            handle=handle,
            respond=self._respond,
            sealer=sealer or Sealer(local_key),
            pseudonymize=self._pseudonymize,
            lease=lease,
        )
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .rate_limiter(AIORateLimiter(overall_max_rate=max_sends_per_second, max_retries=3))
            # Bot API calls go through aiohttp (telegram_request.py): httpx and httpcore were the
            # largest cost of a worker under load (profiled). 16 kept-alive connections.
            .request(AiohttpRequest(connection_pool_size=16))
            # Updates are not handled concurrently here: handling only stores the update in the
            # inbox (quick), and storing them one by one keeps each person's order; the inbox
            # worker answers different people concurrently.
            .build()
        )
        self.application.add_handler(CallbackQueryHandler(self._on_update))
        self.application.add_handler(MessageHandler(filters.ChatType.PRIVATE, self._on_update))
        self.application.add_error_handler(self._on_error)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.receive(update)

    async def receive(self, update: Update) -> bool:
        """Store one update in the inbox and start handling it; ``False`` for updates we do not
        serve. Raises when the database refuses it (the webhook route must not answer 200)."""
        inbound = inbound_from_update(update)
        if inbound is None:
            return False
        query = update.callback_query
        meta = {"callback": query.id} if query is not None else {}
        sid = self._pseudonymize(CHANNEL, inbound.user_id)
        await self._worker.submit([(sid, Received(inbound, meta))])
        return True

    async def _respond(
        self, session_id: str, message: Received, replies: list[Outbound], deliveries: Deliveries
    ) -> None:
        callback = message.meta.get("callback")
        if callback:
            with contextlib.suppress(TelegramError):  # an old button: answering is cosmetic
                await self.application.bot.answer_callback_query(callback)
        try:
            await self.send(int(message.inbound.user_id), replies, deliveries)
        except TelegramError as exc:
            log.error("telegram reply not delivered session=%s error=%s", session_id[:12], type(exc).__name__)

    async def join(self) -> None:
        """Wait until every stored update has been handled (tests, shutdown)."""
        await self._worker.join()

    async def send(self, chat_id: int, replies: list[Outbound], deliveries: Deliveries | None = None) -> None:
        """Each reply as Bot API calls; ``deliveries`` skips those that went out before a worker
        was killed (see :class:`~bot.inbox_worker.Deliveries`)."""
        bot = self.application.bot
        due = (deliveries or Deliveries.every()).next
        for reply in replies:
            if reply.audio is not None and await due():
                with reply.audio.open("rb") as voice:
                    await bot.send_voice(chat_id, voice)
            pieces = split_text(reply.text, TELEGRAM.text)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply) if i == len(pieces) - 1 else None
                if await due():
                    await _retrying(bot.send_message, chat_id, piece, reply_markup=markup)
            if reply.location is not None and await due():
                await _retrying(bot.send_location, chat_id, reply.location.latitude, reply.location.longitude)
            if reply.request_location and await due():
                await _retrying(
                    bot.send_message,
                    chat_id,
                    "📍",
                    reply_markup=ReplyKeyboardMarkup(
                        [[KeyboardButton(reply.request_location, request_location=True)]],
                        one_time_keyboard=True,
                        resize_keyboard=True,
                    ),
                )

    async def deliver(self, address: str, text: str) -> None:
        """A staff reply from the outbox, to the chat the person wrote from."""
        await self.send(int(address), [Outbound(text)])

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("telegram error: %s", type(error).__name__ if error else "unknown")

    async def feed(self, data: object) -> None:
        """Store a webhook update (already authenticated by the route) in the inbox."""
        update = parse_update(data, self.application.bot)
        if update is not None:
            await self.receive(update)

    async def start(self, *, webhook_url: str | None, secret: str | None) -> None:
        """Start polling or register the webhook; :class:`TelegramStartError` when the Bot API
        refuses the token or cannot be reached."""
        try:
            await self._start(webhook_url=webhook_url, secret=secret)
        except TelegramError as exc:
            raise _start_error(exc, self._base_url) from None

    async def _start(self, *, webhook_url: str | None, secret: str | None) -> None:
        await self.application.initialize()
        await self.application.start()
        self._worker.start()
        if webhook_url:
            await self.application.bot.set_webhook(
                webhook_url, secret_token=secret, allowed_updates=["message", "callback_query"]
            )
        else:
            assert self.application.updater is not None
            await self.application.bot.delete_webhook()
            await self.application.updater.start_polling(
                allowed_updates=["message", "callback_query"],
                poll_interval=0.0,
                timeout=10,
                error_callback=self._on_polling_error,
            )

    @staticmethod
    def _on_polling_error(error: TelegramError) -> None:
        """One line per failed poll. python-telegram-bot retries with growing waits (up to 30 s);
        its default callback logs a whole traceback each time, which floods the log in an outage."""
        log.warning("telegram polling failed error=%s (retrying)", type(error).__name__)

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        late = await self._worker.stop(self._stop_grace)
        if late:
            log.warning("telegram stopped with %d conversations still in progress", late)
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
