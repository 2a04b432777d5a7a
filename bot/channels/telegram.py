"""Telegram adapter (python-telegram-bot 22): Update → Inbound, Outbound → Bot API calls.

Polling or webhook. In webhook mode the web server's route checks the secret token header and
hands the update to :meth:`TelegramChannel.feed`. Only private chats are served.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
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
from bot.messages import Inbound, Location, Outbound

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


class TelegramChannel:
    def __init__(self, *, token: str, base_url: str, handle: Handler) -> None:
        self._handle = handle
        self._base_url = base_url
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .rate_limiter(AIORateLimiter(max_retries=3))
            # updates are handled concurrently, so one person's flood never delays the others;
            # the engine keeps each person's messages in order (a lock per conversation)
            .concurrent_updates(True)
            .build()
        )
        self.application.add_handler(CallbackQueryHandler(self._on_update))
        self.application.add_handler(MessageHandler(filters.ChatType.PRIVATE, self._on_update))
        self.application.add_error_handler(self._on_error)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = inbound_from_update(update)
        if inbound is None:
            return
        # handle first: an await before the engine takes the person's lock could let their next
        # update overtake this one
        replies = await self._handle(inbound)
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # an old button: answering is cosmetic
                await update.callback_query.answer()
        await self.send(int(inbound.user_id), replies)

    async def send(self, chat_id: int, replies: list[Outbound]) -> None:
        bot = self.application.bot
        for reply in replies:
            if reply.audio is not None:
                with reply.audio.open("rb") as voice:
                    await bot.send_voice(chat_id, voice)
            pieces = split_text(reply.text, TELEGRAM.text)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply) if i == len(pieces) - 1 else None
                await bot.send_message(chat_id, piece, reply_markup=markup)
            if reply.location is not None:
                await bot.send_location(chat_id, reply.location.latitude, reply.location.longitude)
            if reply.request_location:
                await bot.send_message(
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
        """Queue a webhook update (already authenticated by the route)."""
        update = parse_update(data, self.application.bot)
        if update is not None:
            await self.application.update_queue.put(update)

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
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
