"""Mexico's states and the cities where migrants concentrate (``data/places.yml``).

Resolves what a person writes ("qro", "cd juarez", "el DF") or a shared location to a canonical
place, and gives the time zone needed to say whether a service is open now.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "places.yml"


def normalise(text: str) -> str:
    """Lowercase, no accents, single spaces, punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9ñ]+", " ", plain).strip()


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # e.g. "Querétaro" (the state) or "Tapachula" (a city)
    state_code: str  # ISO 3166-2:MX, e.g. "MX-QUE"
    state_name: str
    timezone: str
    latitude: float
    longitude: float
    municipality: str | None = None  # None for a state

    @property
    def label(self) -> str:
        """The canonical value: "Querétaro" (the state) or "Querétaro, Querétaro" (the city)."""
        return self.name if self.municipality is None else f"{self.name}, {self.state_name}"

    @property
    def is_state(self) -> bool:
        return self.municipality is None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


class Gazetteer:
    def __init__(self, states: list[Place], cities: list[Place], aliases: dict[str, Place]):
        self.states = states
        self.cities = cities
        self._aliases = aliases
        self._by_code = {s.state_code: s for s in states}
        self._by_label = {normalise(p.label): p for p in [*states, *cities]}
        self._max_words = max((len(a.split()) for a in aliases), default=1)

    @classmethod
    def load(cls, path: Path = DATA) -> Gazetteer:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        states: list[Place] = []
        cities: list[Place] = []
        aliases: dict[str, Place] = {}
        by_code: dict[str, Place] = {}
        for row in data.get("states") or []:
            place = Place(
                name=row["name"],
                state_code=row["code"],
                state_name=row["name"],
                timezone=row["timezone"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            states.append(place)
            by_code[place.state_code] = place
            for alias in [row["name"], *(row.get("aliases") or [])]:
                aliases.setdefault(normalise(str(alias)), place)
        for row in data.get("cities") or []:
            state = by_code[row["state"]]
            place = Place(
                name=row["name"],
                state_code=state.state_code,
                state_name=state.name,
                timezone=row.get("timezone") or state.timezone,
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                municipality=row.get("municipality") or row["name"],
            )
            cities.append(place)
            for alias in [row["name"], *(row.get("aliases") or [])]:
                aliases.setdefault(normalise(str(alias)), place)
        return cls(states, cities, aliases)

    def state(self, code: str) -> Place | None:
        return self._by_code.get(code)

    def by_name(self, name: str) -> Place | None:
        """The place whose canonical value (as the NLU returns it) or alias is ``name``."""
        key = normalise(name)
        return self._by_label.get(key) or self._aliases.get(key)

    def find_in_text(self, text: str) -> Place | None:
        """The longest alias found as whole words in ``text``; cities win over states."""
        words = normalise(text).split()
        best: Place | None = None
        best_len = 0
        for size in range(min(self._max_words, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                candidate = self._aliases.get(" ".join(words[start : start + size]))
                if candidate is None:
                    continue
                if size > best_len or (
                    size == best_len and best is not None and best.is_state and not candidate.is_state
                ):
                    best, best_len = candidate, size
            if best is not None:
                return best
        return None

    def nearest(self, latitude: float, longitude: float) -> Place:
        """The nearest known city (or state capital) to a shared location."""
        candidates = [*self.cities, *self.states]
        return min(
            candidates,
            key=lambda p: haversine_km(latitude, longitude, p.latitude, p.longitude),
        )

    def aliases(self) -> dict[str, Place]:
        return dict(self._aliases)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()
