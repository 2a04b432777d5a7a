"""Telegram through python-telegram-bot against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram import TelegramChannel, TelegramStartError, check_bot_api
from bot.composition import App
from bot.dialogue.engine import DialogueEngine
from bot.messages import Inbound, Outbound
from bot.settings import load_settings
from bot.web.app import create_web_app
from nlu.service import free_port
from tests.fake_telegram import FakeBotApi

SECRET = "s3cret-webhook-token"


def channel_for(api: FakeBotApi, engine: DialogueEngine) -> TelegramChannel:
    return TelegramChannel(token=api.token, base_url=api.base_url, handle=engine.handle)


async def test_polling_update_gets_an_answer_with_an_inline_keyboard(
    telegram_api: FakeBotApi, engine: DialogueEngine
) -> None:
    channel = channel_for(telegram_api, engine)
    await channel.start(webhook_url=None, secret=None)
    try:
        telegram_api.push(telegram_api.update_text(1001, "hola"))
        (sent,) = await telegram_api.wait_sent(1)
        assert sent["method"] == "sendMessage"
        assert int(sent["chat_id"]) == 1001
        assert "Elige tu idioma" in sent["text"]
        buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        assert [b["callback_data"] for b in buttons][:3] == ["lang:es", "lang:en", "lang:ht"]

        telegram_api.push(telegram_api.update_choice(1001, "lang:es"))
        await telegram_api.wait_sent(2)  # the privacy notice, to accept
        assert "answerCallbackQuery" in telegram_api.calls
        assert "no del gobierno" in telegram_api.sent[1]["text"]
        consent = [
            b["callback_data"] for row in telegram_api.sent[1]["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert consent == ["consent:yes", "consent:more"]
        telegram_api.push(telegram_api.update_choice(1001, "consent:yes"))
        await telegram_api.wait_sent(3)  # the menu

        telegram_api.push(telegram_api.update_sticker(1001))
        await telegram_api.wait_sent(4)
        assert "Solo puedo leer texto y ubicaciones" in telegram_api.sent[3]["text"]
    finally:
        await channel.stop()
    assert "deleteWebhook" in telegram_api.calls


async def test_location_request_uses_a_reply_keyboard_and_shared_location_is_read(
    telegram_api: FakeBotApi, engine: DialogueEngine
) -> None:
    channel = channel_for(telegram_api, engine)
    await channel.start(webhook_url=None, secret=None)
    try:
        telegram_api.push(telegram_api.update_text(7, "hola"))
        telegram_api.push(telegram_api.update_choice(7, "lang:es"))
        telegram_api.push(telegram_api.update_choice(7, "consent:yes"))
        telegram_api.push(telegram_api.update_choice(7, "topic:shelter"))
        await telegram_api.wait_sent(6)  # languages, notice, menu, answer, ask place, 📍 keyboard
        keyboard = telegram_api.sent[5]["reply_markup"]["keyboard"]
        assert keyboard[0][0]["request_location"] is True
        telegram_api.push(telegram_api.update_location(7, 20.59, -100.39))
        await telegram_api.wait_sent(7)
        assert "provisional" in telegram_api.sent[6]["text"].lower()
    finally:
        await channel.stop()


async def test_webhook_checks_the_secret_and_answers_through_send_message(
    telegram_api: FakeBotApi, engine: DialogueEngine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=telegram_api.token,
        TELEGRAM_API_BASE_URL=telegram_api.base_url,
        TELEGRAM_WEBHOOK_URL="https://example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        BRUJULA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
    )
    channel = channel_for(telegram_api, engine)
    from bot.composition import build_app

    app: App = build_app(settings)
    app.engine = engine
    web = create_web_app(app, channel)
    await channel.start(webhook_url=settings.telegram_webhook_url, secret=SECRET)
    try:
        assert "setWebhook" in telegram_api.calls
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = json.dumps(telegram_api.update_text(55, "hello"))
            headers = {"Content-Type": "application/json"}
            no_secret = await client.post("/telegram/webhook", content=body, headers=headers)
            assert no_secret.status_code == 403
            wrong = await client.post(
                "/telegram/webhook",
                content=body,
                headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            assert wrong.status_code == 403
            assert telegram_api.sent == []  # nothing was processed
            ok = await client.post(
                "/telegram/webhook",
                content=body,
                headers={**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert ok.status_code == 200
            (sent,) = await telegram_api.wait_sent(1)
            assert "Choose your language" in sent["text"]
            assert sent["reply_markup"]["inline_keyboard"]
            garbage = await client.post(
                "/telegram/webhook",
                content=b"\xff\xfe not json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert garbage.status_code == 400
            unreadable = await client.post(  # JSON, but not an update python-telegram-bot can read
                "/telegram/webhook",
                json={"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": 5}},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert unreadable.status_code == 200  # dropped: Telegram must not retry it forever
            assert len(telegram_api.sent) == 1
    finally:
        await channel.stop()
        await app.aclose()


async def test_an_update_delivered_again_is_answered_once_from_the_shared_inbox(
    telegram_api: FakeBotApi, engine: DialogueEngine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Telegram retries an update that got no 200; update_id is the idempotency key, and two
    workers on one database (two channels here) answer it once."""
    from bot.db import create_all, make_engine
    from bot.inbox import SqlInbox
    from bot.sealing import Sealer

    db = make_engine(f"sqlite:///{tmp_path / 'inbox.sqlite'}")
    create_all(db)
    workers = [
        TelegramChannel(
            token=telegram_api.token,
            base_url=telegram_api.base_url,
            handle=engine.handle,
            inbox=SqlInbox(db),
            sealer=Sealer("test-secret"),
            pseudonymize=lambda channel, user: f"{channel}:{user}",
        )
        for _ in range(2)
    ]
    for worker in workers:
        await worker.application.initialize()
    try:
        update = telegram_api.update_text(55, "hello")
        for i in range(4):
            await workers[i % 2].feed(update)
        for worker in workers:
            await worker.join()
        assert len(telegram_api.sent) == 1 and "Choose your language" in telegram_api.sent[0]["text"]
        tap = telegram_api.update_choice(55, "lang:en")
        await workers[1].feed(tap)
        await workers[0].feed(tap)
        for worker in workers:
            await worker.join()
        assert "answerCallbackQuery" in telegram_api.calls
        assert len(telegram_api.sent) == 2
    finally:
        for worker in workers:
            await worker.application.shutdown()
        db.dispose()


async def test_a_send_that_hits_a_network_error_is_tried_again_but_not_after_a_timeout() -> None:
    from telegram.error import NetworkError, TimedOut

    from bot.channels.telegram import _retrying

    calls: list[str] = []

    async def flaky(text: str) -> None:
        calls.append(text)
        if len(calls) == 1:
            raise NetworkError("connection reset")

    await _retrying(flaky, "hola")
    assert calls == ["hola", "hola"]

    async def slow(text: str) -> None:
        calls.append(text)
        raise TimedOut()

    calls.clear()
    with pytest.raises(TimedOut):
        await _retrying(slow, "hola")
    assert calls == ["hola"]  # it may have reached Telegram: no second copy


async def test_a_refused_token_or_an_unreachable_bot_api_is_named_without_the_token(
    telegram_api: FakeBotApi, engine: DialogueEngine
) -> None:
    assert await check_bot_api(token=telegram_api.token, base_url=telegram_api.base_url) == "brujula_test_bot"
    wrong = "999999:WRONG-token-value"
    with pytest.raises(TelegramStartError) as refused:
        await check_bot_api(token=wrong, base_url=telegram_api.base_url)
    assert "TELEGRAM_BOT_TOKEN" in str(refused.value)
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    with pytest.raises(TelegramStartError, match="cannot reach the Telegram Bot API"):
        await check_bot_api(token=wrong, base_url=nowhere)
    # python-telegram-bot's own InvalidToken quotes the token: the channel's start must not pass it on.
    channel = TelegramChannel(token=wrong, base_url=telegram_api.base_url, handle=engine.handle)
    with pytest.raises(TelegramStartError) as at_start:
        await channel.start(webhook_url=None, secret=None)
    for error in (refused.value, at_start.value):
        text = "".join(traceback.format_exception(error))
        assert wrong not in text and "WRONG" not in text
        assert "\n" not in str(error)


def test_serve_with_an_unreachable_bot_api_stops_with_one_line(tmp_path: Path) -> None:
    token = "123456:SERVE-token-value"
    env = {
        **os.environ,
        "BRUJULA_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "BRUJULA_PORT": str(free_port()),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "alembic" not in line]
    assert errors == [
        f"brujula: cannot reach the Telegram Bot API at {env['TELEGRAM_API_BASE_URL']} (NetworkError)"
    ]
    assert token not in result.stdout + result.stderr and "Brújula is starting" not in result.stdout


async def test_when_the_bot_api_goes_away_polling_logs_one_line_per_failure_not_a_traceback(
    telegram_api: FakeBotApi, engine: DialogueEngine, caplog: pytest.LogCaptureFixture
) -> None:
    channel = channel_for(telegram_api, engine)
    await channel.start(webhook_url=None, secret=None)
    try:
        telegram_api.push(telegram_api.update_text(1001, "hola"))
        await telegram_api.wait_sent(1)
        with caplog.at_level(logging.DEBUG):
            await telegram_api.stop()  # a network outage
            for _ in range(100):
                if "telegram polling failed" in caplog.text:
                    break
                await asyncio.sleep(0.05)
            polling = [
                r
                for r in caplog.records
                if r.name.startswith("telegram") or r.name == "bot.channels.telegram"
            ]
    finally:
        await channel.stop()
    assert any(r.getMessage() == "telegram polling failed error=NetworkError (retrying)" for r in polling)
    assert not [r for r in polling if r.exc_info], "a traceback was logged for a failed poll"


async def test_one_person_waiting_never_delays_another(telegram_api: FakeBotApi) -> None:
    """Updates are handled concurrently: while one person's message is still being handled (a
    slow NLU, a flood), another person is answered; each person's own messages stay in order."""
    release = asyncio.Event()
    seen: list[str] = []

    async def handle(inbound: Inbound) -> list[Outbound]:
        seen.append(f"{inbound.user_id}:{inbound.text}")
        if inbound.user_id == "1" and inbound.text == "slow":
            await release.wait()
        return [Outbound(f"re {inbound.text}")]

    channel = TelegramChannel(token=telegram_api.token, base_url=telegram_api.base_url, handle=handle)
    await channel.start(webhook_url=None, secret=None)
    try:
        telegram_api.push(telegram_api.update_text(1, "slow"))
        telegram_api.push(telegram_api.update_text(2, "fast"))
        (first,) = await telegram_api.wait_sent(1)
        assert int(first["chat_id"]) == 2 and first["text"] == "re fast"
        release.set()
        await telegram_api.wait_sent(2)
        assert telegram_api.sent[1]["text"] == "re slow"
    finally:
        release.set()
        await channel.stop()
