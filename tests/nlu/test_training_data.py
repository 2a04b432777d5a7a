"""The NLU data keeps the intent contract and the counts the model needs."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu.intents import ALL_INTENTS, CONVERSATION_INTENTS, TOPIC_INTENTS
from nlu.paths import DATA, HELDOUT
from nlu.training import places_training_data
from referrals.places import default_gazetteer

MINIMUM = {"es": 60, "en": 30, "ht": 30}
ENTITY = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data.get("version") == "3.1", path
    out: dict[str, list[str]] = {}
    for block in data["nlu"]:
        lines = [ln[2:].strip() for ln in block["examples"].splitlines() if ln.startswith("- ")]
        out.setdefault(block["intent"], []).extend(lines)
    return out


@pytest.mark.parametrize("lang", ["es", "en", "ht"])
def test_training_data_per_language(lang: str) -> None:
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for path in sorted((DATA / lang).glob("*.yml")):
        for intent, lines in examples(path).items():
            assert intent in ALL_INTENTS, f"{path}: unknown intent {intent}"
            for line in lines:
                for _, entity in ENTITY.findall(line):
                    assert entity == "location", f"{path}: entity {entity}"
                key = ENTITY.sub(r"\1", line).lower()
                assert key not in seen, f"{path}: duplicate example {line!r}"
                seen.add(key)
            counts[intent] += len(lines)
    for intent in TOPIC_INTENTS:
        assert counts[intent] >= MINIMUM[lang], f"{lang}/{intent}: {counts[intent]}"
    for intent in CONVERSATION_INTENTS:
        assert counts[intent] >= 15, f"{lang}/{intent}: {counts[intent]}"


def test_heldout_never_overlaps_training() -> None:
    train = set()
    for path in DATA.rglob("*.yml"):
        for lines in examples(path).values():
            train |= {ENTITY.sub(r"\1", ln).lower() for ln in lines}
    total: Counter[str] = Counter()
    for path in sorted(HELDOUT.glob("*.yml")):
        for intent, lines in examples(path).items():
            assert intent in ALL_INTENTS
            total[intent] += len(lines)
            for line in lines:
                assert ENTITY.sub(r"\1", line).lower() not in train, f"held-out example in training: {line!r}"
    for intent in TOPIC_INTENTS:
        assert total[intent] >= 25, intent


def words(line: str) -> frozenset[str]:
    """The message's words, lowercased and without accents, in any order."""
    text = unicodedata.normalize("NFD", ENTITY.sub(r"\1", line).lower())
    return frozenset(re.findall(r"\w+", "".join(c for c in text if unicodedata.category(c) != "Mn")))


def test_heldout_has_no_near_copy_in_training() -> None:
    """An accent or a word order does not make a held-out message new: a training example whose
    words overlap a held-out one's by 80 % or more (shared words / words of the two together) would
    make the evaluation a memory test. One extra word is caught from four words on ("tell me joke"
    and "tell me a joke" share 3 of 4 and pass)."""
    train = [
        (words(ln), ln) for path in DATA.rglob("*.yml") for lines in examples(path).values() for ln in lines
    ]
    near = []
    for path in sorted(HELDOUT.glob("*.yml")):
        for lines in examples(path).values():
            for line in lines:
                held = words(line)
                near += [(line, ln) for w, ln in train if len(w & held) >= 0.8 * max(1, len(w | held))]
    assert near == [], f"{len(near)} near copies of held-out messages in training: {near[:5]}"


def test_place_synonyms_map_aliases_to_canonical_places() -> None:
    data = places_training_data(default_gazetteer())
    synonyms = {b["synonym"]: b["examples"] for b in data["nlu"] if "synonym" in b}  # type: ignore[index,operator]
    assert "cdmx" in synonyms["Ciudad de México"]
    assert "qro" in synonyms["Querétaro"]
    assert "juarez" in synonyms["Ciudad Juárez, Chihuahua"]
