"""Logs of a whole conversation carry neither message text nor the channel's user id nor tokens."""

from __future__ import annotations

import logging

import pytest

from bot.channels.telegram import TelegramChannel
from bot.dialogue.engine import DialogueEngine
from bot.logging_setup import configure
from tests.fake_telegram import FakeBotApi

SECRET_WORDS = ["secuestrados", "Tapachula", "asilo", "mi nombre es Rosa"]
USER_ID = 987654321


async def test_conversation_logs_are_clean(
    telegram_api: FakeBotApi, engine: DialogueEngine, caplog: pytest.LogCaptureFixture
) -> None:
    configure("DEBUG")
    caplog.set_level(logging.DEBUG)
    channel = TelegramChannel(token=telegram_api.token, base_url=telegram_api.base_url, handle=engine.handle)
    await channel.start(webhook_url=None, secret=None)
    try:
        api = telegram_api
        api.push(api.update_text(USER_ID, "hola mi nombre es Rosa"))
        api.push(api.update_choice(USER_ID, "lang:es"))
        api.push(api.update_choice(USER_ID, "consent:yes"))
        api.push(api.update_text(USER_ID, "necesito asilo en Tapachula"))
        api.push(api.update_text(USER_ID, "nos tienen secuestrados"))
        api.push(api.update_sticker(USER_ID))
        await api.wait_sent(9)
    finally:
        await channel.stop()
        configure("INFO")
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "handled session=" in logged  # the engine did log, with pseudonymous ids
    for word in SECRET_WORDS:
        assert word not in logged, word
    assert str(USER_ID) not in logged
    assert telegram_api.token not in logged
    assert telegram_api.token.split(":")[1] not in logged
