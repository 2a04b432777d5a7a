"""The thin server's pieces that do not need Rasa: the parse cache."""

from __future__ import annotations

from nlu.server import ParseCache, _slice, same_parses


def test_cache_keeps_the_most_recent_and_counts() -> None:
    cache = ParseCache(2)
    cache.put("hola", {"intent": "greet"})
    cache.put("ayuda", {"intent": "emergency"})
    assert cache.get("hola") == {"intent": "greet"}  # now the most recent
    cache.put("gracias", {"intent": "thanks"})
    assert cache.get("ayuda") is None  # the least recent went
    assert cache.get("hola") is not None and cache.get("gracias") is not None
    assert (cache.hits, cache.misses) == (3, 1)


def test_a_zero_size_cache_keeps_nothing() -> None:
    cache = ParseCache(0)
    cache.put("hola", {"intent": "greet"})
    assert cache.get("hola") is None


def parse(intent: str, confidence: float, *places: str) -> dict[str, object]:
    return {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": "location", "value": p} for p in places],
    }


def test_self_check_compares_intents_confidences_and_places() -> None:
    a = [parse("shelter", 0.91, "Querétaro"), parse("greet", 0.99)]
    assert same_parses(a, [parse("shelter", 0.91004, "Querétaro"), parse("greet", 0.99)])
    assert not same_parses(a, [parse("health", 0.91, "Querétaro"), parse("greet", 0.99)])
    assert not same_parses(a, [parse("shelter", 0.80, "Querétaro"), parse("greet", 0.99)])
    assert not same_parses(a, [parse("shelter", 0.91), parse("greet", 0.99)])


def test_batch_outputs_are_sliced_per_message() -> None:
    class Rows:
        def __init__(self, rows: list[int]) -> None:
            self.rows = rows
            self.ndim = 1
            self.shape = (len(rows),)

        def __getitem__(self, s: slice) -> list[int]:
            return self.rows[s]

    out = {"i_scores": Rows([10, 20, 30]), "diagnostic_data": {"x": Rows([1, 2, 3])}, "n": 3}
    assert _slice(out, 1) == {"i_scores": [20], "diagnostic_data": {"x": [2]}, "n": 3}
