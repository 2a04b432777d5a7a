"""The thin server's pieces that do not need Rasa: the parse cache."""

from __future__ import annotations

from nlu.server import ParseCache


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
