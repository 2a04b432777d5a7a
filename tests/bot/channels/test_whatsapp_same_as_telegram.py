"""One script, two channels: Telegram and WhatsApp give the same answers and the same buttons.

Telegram runs through python-telegram-bot against the fake Bot API (tests/fake_telegram.py);
WhatsApp through signed webhooks into the web app and the fake Graph API (tests/fake_graph.py).
What differs by design is only how it looks: WhatsApp cuts interactive bodies at 1024 characters,
pages long menus into several lists and asks for the location with its own button; Telegram sends
a 📍 keyboard. So texts are compared with their whitespace normalised, and the location request by
its label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update

from bot.channels.telegram import TelegramChannel
from bot.dialogue import menus
from bot.dialogue.engine import DialogueEngine
from bot.i18n import translations
from bot.sessions import MemorySessionStore
from tests.fake_graph import FakeGraph, Meta, web_client, whatsapp_channel
from tests.fake_telegram import FakeBotApi

CHAT = 1001

# (action, argument): "text" → a message; "tap" → a button id, or "first:<prefix>" for the first
# offered button with that prefix; "location" → (lat, lon); "sticker" → something unreadable.
SCRIPT: list[tuple[str, Any]] = [
    ("text", "hola"),
    ("tap", "lang:es"),
    ("tap", menus.CONSENT_ACCEPT),
    ("text", "necesito pedir asilo"),
    ("tap", f"first:{menus.SECTION_PREFIX}"),
    ("tap", f"first:{menus.SOURCES_PREFIX}"),
    ("text", "donde puedo dormir"),
    ("text", "estoy en qro"),
    ("tap", menus.CHANGE_PLACE),
    ("location", (14.905, -92.263)),  # Tapachula
    ("sticker", None),
    ("text", "tengo una pregunta sobre algo"),
    ("text", "ayuda nos tienen secuestrados"),
]


@dataclass
class Step:
    """What the person saw after one step, reduced to what must match across channels."""

    text: str = ""
    choices: list[str] = field(default_factory=list)
    pins: list[tuple[float, float]] = field(default_factory=list)
    location_request: str = ""

    def add_text(self, text: str) -> None:
        self.text = " ".join(f"{self.text} {text}".split())


def from_telegram(sent: list[dict[str, Any]]) -> Step:
    step = Step()
    for message in sent:
        if message["method"] == "sendLocation":
            step.pins.append((float(message["latitude"]), float(message["longitude"])))
            continue
        markup = message.get("reply_markup") or {}
        if "keyboard" in markup:  # the 📍 "share my location" keyboard
            step.location_request = markup["keyboard"][0][0]["text"]
            continue
        step.add_text(message["text"])
        step.choices += [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
    return step


def from_whatsapp(sent: list[dict[str, Any]]) -> Step:
    t = translations("es")
    continuations = {
        t.gettext("More options ({page} of {pages}):").format(page=page, pages=pages)
        for pages in range(2, 11)
        for page in range(2, pages + 1)
    }
    step = Step()
    for payload in sent:
        if payload["type"] == "location":
            step.pins.append((payload["location"]["latitude"], payload["location"]["longitude"]))
            continue
        if payload["type"] == "interactive" and payload["interactive"]["type"] == "location_request_message":
            step.location_request = payload["interactive"]["body"]["text"]
            continue
        text = FakeGraph.text_of(payload)
        if text not in continuations:
            step.add_text(text)
        step.choices += FakeGraph.choices_of(payload)
    return step


def resolve(argument: str, offered: list[str]) -> str:
    if argument.startswith("first:"):
        prefix = argument.removeprefix("first:")
        matching = [c for c in offered if c.startswith(prefix)]
        assert matching, f"no button starting with {prefix!r} in {offered}"
        return matching[0]
    assert argument in offered, f"no button {argument!r} in {offered}"
    return argument


async def test_the_same_script_gets_the_same_answers_on_telegram_and_whatsapp(
    telegram_api: FakeBotApi, engine: DialogueEngine, sessions: MemorySessionStore, tmp_path: Path
) -> None:
    telegram = TelegramChannel(token=telegram_api.token, base_url=telegram_api.base_url, handle=engine.handle)
    graph, meta = FakeGraph(), Meta()
    whatsapp = whatsapp_channel(graph, engine, sessions)
    await telegram.application.initialize()
    try:
        async with web_client(whatsapp, engine, tmp_path) as client:

            async def on_telegram(action: str, argument: Any) -> Step:
                api = telegram_api
                update = {
                    "text": lambda: api.update_text(CHAT, argument),
                    "tap": lambda: api.update_choice(CHAT, argument),
                    "location": lambda: api.update_location(CHAT, *argument),
                    "sticker": lambda: api.update_sticker(CHAT),
                }[action]()
                before = len(api.sent)
                await telegram.application.process_update(Update.de_json(update, telegram.application.bot))
                await telegram.join()  # the update went through the inbox
                return from_telegram(api.sent[before:])

            async def on_whatsapp(action: str, argument: Any) -> Step:
                data = {
                    "text": lambda: meta.text(argument),
                    "tap": lambda: meta.tap(graph, argument),
                    "location": lambda: meta.location(*argument),
                    "sticker": lambda: meta.message("sticker"),
                }[action]()
                before = len(graph.sent)
                assert (await meta.post(client, data)).status_code == 200
                await whatsapp.join()
                return from_whatsapp(graph.sent[before:])

            offered: list[str] = []
            seen = []
            for action, argument in SCRIPT:
                if action == "tap":
                    argument = resolve(argument, offered)
                on_tg = await on_telegram(action, argument)
                on_wa = await on_whatsapp(action, argument)
                assert on_wa == on_tg, f"{action} {argument!r}"
                assert on_tg.text, f"{action} {argument!r}: no answer"
                offered = on_tg.choices
                seen.append(on_tg)
    finally:
        await telegram.application.shutdown()

    # The script went where it meant to: an answer with sources, a location request, an emergency.
    assert any("COMAR" in step.text for step in seen)
    assert any(step.location_request == "Compartir mi ubicación" for step in seen)
    assert "911" in seen[-1].text
