"""Fakes for the outside world: a keyword classifier standing in for Rasa in unit tests, a
server that never answers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from nlu.client import Entity, NluUnavailable, Parse
from referrals.places import default_gazetteer

KEYWORDS: dict[str, tuple[str, ...]] = {
    "asylum": ("asilo", "refugio", "comar", "asylum", "azil"),
    "shelter": ("albergue", "dormir", "shelter", "abri"),
    "health": ("doctor", "clinica", "medico", "salud", "health", "sick", "malad"),
    "curp": ("curp",),
    "greet": ("hola", "hello", "bonjou", "buenas"),
    "thanks": ("gracias", "thanks", "mesi"),
    "human": ("persona", "human", "moun"),
    "out_of_scope": ("futbol", "football", "chiste"),
}


class FakeClassifier:
    """Answers like Rasa would for a handful of keywords; counts calls; can be switched off."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False

    async def parse(self, text: str) -> Parse:
        self.calls += 1
        if self.down:
            raise NluUnavailable("fake is down")
        low = text.lower()
        entities: tuple[Entity, ...] = ()
        place = default_gazetteer().find_in_text(text)
        if place is not None:
            entities = (Entity("location", place.label, place.name),)
        for intent, words in KEYWORDS.items():
            if any(w in low for w in words):
                return Parse(intent, 0.93, ((intent, 0.93), ("health", 0.03)), entities)
        # Unknown: low confidence, a plausible ranking for "did you mean".
        return Parse("work", 0.31, (("work", 0.31), ("documents", 0.25), ("money", 0.2)), entities)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A server on 127.0.0.1 that accepts connections, reads the request and never answers (a
    stalled API); yields its port."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read(65536)
            await asyncio.sleep(30)
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
