"""Logs of a whole conversation carry neither message text nor the channel's user id nor tokens,
on Telegram, WhatsApp and the web chat."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.channels.telegram import TelegramChannel
from bot.dialogue.engine import DialogueEngine
from bot.logging_setup import configure
from bot.sessions import MemorySessionStore
from tests.fake_graph import (
    ACCESS_TOKEN,
    APP_SECRET,
    USER,
    VERIFY_TOKEN,
    FakeGraph,
    Meta,
    error,
    web_client,
    whatsapp_channel,
)
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


async def test_whatsapp_and_web_chat_logs_are_clean(
    engine: DialogueEngine,
    sessions: MemorySessionStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same over signed WhatsApp webhooks (with Graph refusing and throttling, whose error
    bodies quote the number) and over the web chat (whose cookie is the raw user id)."""
    graph, meta = FakeGraph(), Meta()
    channel = whatsapp_channel(graph, engine, sessions)
    configure("DEBUG")
    caplog.set_level(logging.DEBUG)
    try:
        async with web_client(channel, engine, tmp_path) as client:
            handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
            assert (await client.get("/whatsapp/webhook", params=handshake)).text == "42"
            assert (
                await meta.post(client, meta.text("hola mi nombre es Rosa"), signature=None)
            ).status_code == 401
            assert (await meta.post(client, meta.text("hola mi nombre es Rosa"))).status_code == 200
            await channel.join()
            for choice in ("lang:es", "consent:yes"):
                assert (await meta.post(client, meta.tap(graph, choice))).status_code == 200
                await channel.join()
            graph.fail_next(error(429, 130429, retry_after="1"), error(400, 131047))
            assert (await meta.post(client, meta.text("necesito asilo en Tapachula"))).status_code == 200
            await channel.join()
            for data in (
                meta.text("nos tienen secuestrados"),
                meta.location(14.905, -92.263),
                meta.message("sticker"),
                Meta.fixture("status"),
            ):
                assert (await meta.post(client, data)).status_code == 200
                await channel.join()

            first = await client.post("/chat/api", json={"text": "hola mi nombre es Rosa"})
            cookie = first.cookies["brujula_web"]
            await client.post("/chat/api", json={"choice": "lang:es"})
            await client.post("/chat/api", json={"choice": "consent:yes"})
            await client.post("/chat/api", json={"text": "necesito asilo en Tapachula"})
            await client.post("/chat/api", json={"text": "nos tienen secuestrados"})
    finally:
        configure("INFO")
    assert graph.sent, "WhatsApp answered"
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "whatsapp send rejected" in logged and "code=131047" in logged  # Graph's refusal was logged
    assert logged.count("handled session=") >= 10  # both channels went through the engine
    for word in SECRET_WORDS:
        assert word not in logged, word
    for secret in (USER, cookie, ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in logged, secret
