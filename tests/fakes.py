"""Fakes for the outside world: a keyword classifier standing in for Rasa in unit tests."""

from __future__ import annotations

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
