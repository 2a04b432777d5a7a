"""Searches answered a moment ago, kept for a few seconds: in a surge, hundreds of people in
one city ask the same thing within the same minute, and the registry changes far less often.

A search's result depends on its question (intent, place or rounded location, language,
populations, how many) and on the minute it is asked in (open now, next opening); the key holds
all of them, so a kept result is the one the registry would give — as of when it was kept. How
stale it may be is bounded twice: ``seconds`` (a coordinator's change reaches every worker's
replies within that long) and the registry's generation in this process (a change written here —
the desk, an import — is seen as soon as it is committed). Nothing personal is kept, in memory
only: the key is the question's shape (a shared location as the session keeps it, rounded to
about 1 km), never a person or their words.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Result = TypeVar("Result")


class RecentResults(Generic[Result]):
    """A bounded, thread-safe map of recent results that forget themselves after ``seconds``."""

    def __init__(
        self,
        seconds: float,
        generation: Callable[[], int],
        *,
        size: int = 2048,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._generation = generation
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[int, float, Result]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Result | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            generation, until, result = entry
            if generation != self._generation() or self._clock() >= until:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return result

    def put(self, key: Hashable, result: Result, generation: int) -> None:
        """``generation``: the registry's, read *before* the search (a change committed during
        it then makes the result stale at once)."""
        if self._seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (generation, self._clock() + self._seconds, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
