"""Per-person rate limit (a token bucket per pseudonymous id, in this worker's memory).

A flood from one person is answered once with a kind "slow down" and otherwise dropped, so it
never delays anyone else. With several workers each keeps its own buckets, which only makes the
limit a little looser.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_people: int = 100_000,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst or max(5, per_minute // 2))
        self._clock = clock
        self._max = max_people
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, key: str) -> str:
        """``"ok"``, ``"warn"`` (first refusal: answer once) or ``"drop"``."""
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if not bucket.warned:
            bucket.warned = True
            return "warn"
        return "drop"
