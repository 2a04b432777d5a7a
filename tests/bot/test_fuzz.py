"""Fuzzing: thousands of random and malformed inbound messages, no unhandled exception, a reply
to every valid one. Runs the engine (fake NLU, in-memory sessions) and the Telegram adapter."""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot

from bot.channels.telegram import inbound_from_update, parse_update
from bot.dialogue.engine import DialogueEngine
from bot.messages import Inbound, InboundKind, Location

FUZZ_INPUTS = 5000
ALPHABET = string.printable + "áéíóúñüçèòÀÉ¿¡😀🙏🔥\u200b\u200e\u202e\x00\ufeff아مرحباпривет"


def random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return ""
    if kind < 0.2:
        return "".join(rng.choice("😀🙏🔥💔🇲🇽") for _ in range(rng.randint(1, 20)))
    if kind < 0.25:
        return "x" * rng.randint(4000, 20000)
    if kind < 0.3:
        return rng.choice(["/start", "/menu", "/idioma", "/borrar", "/persona", "/bot", "/", "//", "/x" * 50])
    if kind < 0.35:
        return rng.choice(
            [
                "'; DROP TABLE conversation_session; --",
                "<script>alert(1)</script>",
                "{{7*7}}",
                "%s%s%n",
                "=cmd|' /C calc'!A0",
                "\x00\x01\x02",
            ]
        )
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 300)))


def random_inbound(rng: random.Random) -> Inbound:
    user = str(rng.randint(1, 60))
    roll = rng.random()
    if roll < 0.6:
        return Inbound.from_text("fuzz", user, random_text(rng))
    if roll < 0.85:
        choice = rng.choice(
            [
                "lang:es",
                "lang:en",
                "lang:ht",
                "consent:yes",
                "consent:more",
                "menu",
                "topic:asylum",
                "topic:emergency",
                "sec:asylum:steps",
                "src:curp",
                "place:skip",
                "place:change",
                "privacy:delete",
                "privacy:delete:yes",
                "privacy:delete:no",
                "handoff:leave",
                "lang:" + "x" * 100,
                "",
                "💥",
            ]
        )
        return Inbound.from_choice("fuzz", user, choice)
    if roll < 0.95:
        lat, lon = rng.uniform(-200, 200), rng.uniform(-400, 400)
        return Inbound.from_location("fuzz", user, Location(lat, lon))
    return Inbound.unsupported("fuzz", user)


async def test_engine_survives_random_conversations(engine: DialogueEngine) -> None:
    rng = random.Random(20261123)
    for _ in range(FUZZ_INPUTS):
        inbound = random_inbound(rng)
        replies = await engine.handle(inbound)
        if inbound.kind is not InboundKind.CHOICE or inbound.choice:
            assert replies, inbound.kind
        for reply in replies:
            assert reply.text.strip()
            assert len(reply.text) < 20_000


def random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([None, True, 0, -1, 2**40, 1.5, "", "x", random_text(rng)[:50]])
    if roll < 0.6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = [
        "message",
        "text",
        "chat",
        "id",
        "type",
        "from",
        "callback_query",
        "data",
        "location",
        "latitude",
        "longitude",
        "sticker",
        "update_id",
        "date",
        "message_id",
    ]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def telegram_update(rng: random.Random) -> dict[str, Any]:
    chat_id = rng.randint(1, 10**10)
    base: dict[str, Any] = {"update_id": rng.randint(1, 10**9)}
    message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": rng.choice(["private", "group"])}}
    roll = rng.random()
    if roll < 0.4:
        base["message"] = {**message, "text": random_text(rng)}
    elif roll < 0.55:
        base["callback_query"] = {
            "id": "1",
            "chat_instance": "c",
            "data": random_text(rng)[:64],
            "from": {"id": chat_id, "is_bot": False, "first_name": "x"},
            "message": {**message, "text": "x"},
        }
    elif roll < 0.65:
        base["message"] = {
            **message,
            "location": {"latitude": rng.uniform(-90, 90), "longitude": rng.uniform(-180, 180)},
        }
    elif roll < 0.75:
        base["message"] = {
            **message,
            "sticker": {
                "file_id": "a",
                "file_unique_id": "b",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        }
    else:
        junk = random_json(rng)  # malformed: whatever keys and types
        if isinstance(junk, dict):
            base.update(junk)
    return base


async def test_telegram_adapter_survives_random_updates(engine: DialogueEngine) -> None:
    rng = random.Random(7)
    bot = Bot("123:fuzz")
    handled = dropped = 0
    for _ in range(FUZZ_INPUTS):
        data = telegram_update(rng)
        update = parse_update(data, bot)  # the webhook's path: an unreadable body is dropped
        if update is None:
            dropped += 1
            continue
        inbound = inbound_from_update(update)
        if inbound is None:
            continue
        replies = await engine.handle(inbound)
        assert replies or inbound.kind is InboundKind.CHOICE
        handled += 1
    assert handled > FUZZ_INPUTS // 3 and dropped < FUZZ_INPUTS // 10


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=500))
def test_any_unicode_text_gets_a_reply(engine: DialogueEngine, text: str) -> None:
    replies = asyncio.run(engine.handle(Inbound.from_text("fuzz", "hyp", text)))
    assert replies and all(r.text for r in replies)


def whatsapp_payload(rng: random.Random) -> Any:
    phone = "15550001111"
    sender = str(rng.randint(10**10, 10**12))
    message: dict[str, Any] = {
        "from": sender,
        "id": f"wamid.{rng.getrandbits(64)}",
        "timestamp": "1763917200",
    }
    roll = rng.random()
    if roll < 0.4:
        message |= {"type": "text", "text": {"body": random_text(rng)}}
    elif roll < 0.55:
        kind = rng.choice(["button_reply", "list_reply"])
        message |= {
            "type": "interactive",
            "interactive": {"type": kind, kind: {"id": random_text(rng)[:256], "title": "x"}},
        }
    elif roll < 0.65:
        message |= {
            "type": "location",
            "location": {"latitude": rng.uniform(-100, 100), "longitude": random_json(rng)},
        }
    elif roll < 0.75:
        message |= {
            "type": rng.choice(
                ["audio", "image", "sticker", "document", "contacts", "reaction", "video", "unknown"]
            )
        }
    elif roll < 0.85:
        junk = random_json(rng)
        message = junk if isinstance(junk, dict) else message
    else:
        return random_json(rng)  # not even the envelope
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": phone},
                            "contacts": [{"wa_id": sender}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


async def test_whatsapp_adapter_survives_random_webhooks(engine: DialogueEngine) -> None:
    from bot.channels.whatsapp_webhook import parse_webhook

    rng = random.Random(11)
    handled = 0
    for _ in range(FUZZ_INPUTS):
        for incoming in parse_webhook(whatsapp_payload(rng), "15550001111"):
            replies = await engine.handle(incoming.inbound)
            assert replies or incoming.inbound.kind is InboundKind.CHOICE
            handled += 1
    assert handled > FUZZ_INPUTS // 2
