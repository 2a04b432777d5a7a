"""python-telegram-bot on aiohttp (bot/channels/telegram_request.py) against the fake Bot API on
127.0.0.1: the same calls and bytes as its own httpx layer, and its errors where Telegram's
network fails."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.channels.telegram_request import AiohttpRequest
from nlu.service import free_port
from tests.fake_telegram import FakeBotApi
from tests.fakes import silent_server


def bot_for(base_url: str, token: str = "123456:TEST-token", **timeouts: float) -> Bot:  # noqa: S107
    return Bot(token, base_url=base_url, request=AiohttpRequest(connection_pool_size=4, **timeouts))


async def test_messages_buttons_and_a_voice_reach_the_bot_api(telegram_api: FakeBotApi) -> None:
    async with bot_for(telegram_api.base_url) as bot:  # initialize() calls getMe
        assert bot.username == "brujula_test_bot"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Asilo", callback_data="topic:asylum")]])
        sent = await bot.send_message(7001, "¿En qué te ayudo? ñ 🌎", reply_markup=markup)
        assert sent.text == "¿En qué te ayudo? ñ 🌎" and sent.chat.id == 7001
        await bot.send_voice(7001, b"OggS fake voice", filename="respuesta.ogg")
    message, voice = telegram_api.sent
    assert message["method"] == "sendMessage" and message["text"] == "¿En qué te ayudo? ñ 🌎"
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "topic:asylum"
    assert voice == {"method": "sendVoice", "chat_id": 7001}


async def test_a_refused_token_is_telegrams_answer_not_a_network_error(telegram_api: FakeBotApi) -> None:
    from telegram.error import InvalidToken

    with pytest.raises(InvalidToken):
        async with bot_for(telegram_api.base_url, token="999:wrong"):
            pass


async def test_nobody_listening_is_a_network_error_the_sender_may_repeat() -> None:
    bot = bot_for(f"http://127.0.0.1:{free_port()}/bot")
    with pytest.raises(NetworkError) as caught:
        await bot.get_me()
    assert not isinstance(caught.value, TimedOut)  # nothing reached Telegram
    await bot.shutdown()


async def test_no_answer_in_time_is_timed_out_which_is_not_repeated() -> None:
    async with silent_server() as port:
        bot = bot_for(f"http://127.0.0.1:{port}/bot", read_timeout=0.3)
        with pytest.raises(TimedOut):
            await bot.get_me()
        await bot.shutdown()
