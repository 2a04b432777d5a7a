"""The load bench speaks the channels' real wire formats: what it sends, the app accepts."""

from __future__ import annotations

import json

from telegram import Bot, Update

from bot.channels.telegram import inbound_from_update
from bot.channels.whatsapp_webhook import Signature, check_signature, parse_webhook
from bot.dialogue import menus
from bot.loadbench.fake_apis import ReplyRecorder
from bot.loadbench.scripts import SCRIPTS, location, tap, text
from bot.loadbench.webhooks import APP_SECRET, PHONE_ID, Channels
from bot.messages import InboundKind


def test_whatsapp_webhooks_are_signed_and_parse_to_the_right_message() -> None:
    channels = Channels()
    for step, kind in ((text("hola"), InboundKind.TEXT), (tap("lang:es"), InboundKind.CHOICE),
                       (location(20.59, -100.39), InboundKind.LOCATION)):  # fmt: skip
        path, body, headers = channels.whatsapp("5215500000001", step)
        assert path == "/whatsapp/webhook"
        assert check_signature(body, headers["x-hub-signature-256"], APP_SECRET.encode()) is Signature.OK
        (item,) = parse_webhook(json.loads(body), PHONE_ID)
        assert item.inbound.kind is kind and item.inbound.user_id == "5215500000001"
        assert item.inbound.message_id.startswith("wamid.")


def test_telegram_updates_parse_with_a_fresh_update_id_each() -> None:
    channels = Channels()
    bot = Bot("123456:BENCH-token")
    ids = set()
    for step in (text("hello"), tap("consent:yes"), location(32.52, -117.04)):
        _, body, headers = channels.telegram("2000000001", step)
        assert headers["x-telegram-bot-api-secret-token"]
        update = Update.de_json(json.loads(body), bot)
        assert update is not None
        inbound = inbound_from_update(update)
        assert inbound is not None and inbound.user_id == "2000000001"
        ids.add(inbound.message_id)
    assert len(ids) == 3


def test_the_scripts_tap_only_buttons_the_assistant_has() -> None:
    known = {menus.CONSENT_ACCEPT} | {f"lang:{code}" for code in ("es", "en", "ht")}
    for steps in SCRIPTS.values():
        for step in steps:
            if step.kind == "tap":
                assert step.text in known or step.text.startswith(menus.TOPIC_PREFIX)


async def test_the_fake_apis_record_each_reply_with_its_address() -> None:
    seen: list[tuple[str, str]] = []
    recorder = ReplyRecorder(
        telegram_token="t", phone_number_id=PHONE_ID, on_reply=lambda c, a, k: seen.append((c, a))
    )
    status, result = recorder._answer(
        "/bott/sendMessage", "application/json", b'{"chat_id": 7, "text": "hola"}'
    )
    assert status == 200 and result["ok"] and result["result"]["chat"]["id"] == 7
    status, _ = recorder._answer(
        f"/v21.0/{PHONE_ID}/messages", "application/json", b'{"to": "52", "type": "text"}'
    )
    assert status == 200
    assert seen == [("telegram", "7"), ("whatsapp", "52")]
