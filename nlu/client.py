"""The small client the bot uses to understand a message: ``POST /model/parse`` on a Rasa server.

Exceptions::

    NluUnavailable   the service did not answer (connection refused, timeout, 5xx after retries)
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from nlu.textguard import MAX_TEXT, UNREADABLE_INTENT, clip, readable

log = logging.getLogger(__name__)

__all__ = ["MAX_TEXT", "Classifier", "Entity", "NluUnavailable", "Parse", "RasaNluClient"]


class NluUnavailable(Exception):
    """The NLU service could not be reached or kept failing."""


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    value: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Parse:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def values(self, entity: str) -> list[str]:
        return [e.value for e in self.entities if e.entity == entity]

    @classmethod
    def from_rasa(cls, data: dict[str, Any]) -> Parse:
        intent = data.get("intent") or {}
        ranking = tuple(
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in data.get("intent_ranking") or []
            if r.get("name")
        )
        entities = tuple(
            Entity(str(e.get("entity")), str(e.get("value")), str(e.get("text") or e.get("value")))
            for e in data.get("entities") or []
            if e.get("entity") and e.get("value") is not None
        )
        return cls(
            intent=str(intent.get("name") or "out_of_scope"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=ranking,
            entities=entities,
        )


class Classifier(Protocol):
    async def parse(self, text: str) -> Parse: ...


class RasaNluClient:
    """One httpx client for the Rasa service, with timeouts and capped, jittered retries."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=2.0),
            transport=transport,
            # small: httpcore scans every pooled connection on each request; the thin server
            # batches whatever arrives together anyway
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )
        self._retries = retries
        self._params = {"token": token} if token else {}

    async def parse(self, text: str) -> Parse:
        """The model's reading of ``text``; text it cannot read is ``out_of_scope`` at confidence 0."""
        if not readable(text):
            return Parse(UNREADABLE_INTENT, 0.0)
        payload = {"text": clip(text)}
        delay = 0.2
        for attempt in range(self._retries + 1):
            try:
                response = await self._client.post("/model/parse", json=payload, params=self._params)
            except httpx.TransportError as exc:
                if attempt == self._retries:
                    raise NluUnavailable(type(exc).__name__) from exc
            else:
                if response.status_code == 200:
                    return Parse.from_rasa(response.json())
                if response.status_code not in (429, 500, 502, 503, 504) or attempt == self._retries:
                    raise NluUnavailable(f"HTTP {response.status_code}")
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 5.0))
            log.warning("nlu retry attempt=%d", attempt + 1)
            await asyncio.sleep(delay + random.uniform(0, delay / 2))
            delay = min(delay * 2, 2.0)
        raise NluUnavailable("unreachable")  # pragma: no cover

    async def model_file(self) -> str | None:
        """The model the service has loaded (from ``GET /status``), or ``None``."""
        try:
            response = await self._client.get("/status", params=self._params)
        except httpx.TransportError:
            return None
        if response.status_code != 200:
            return None
        value = response.json().get("model_file")
        return str(value) if value else None

    async def ready(self) -> bool:
        try:
            response = await self._client.get("/status", params=self._params)
        except httpx.TransportError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_file"))

    async def aclose(self) -> None:
        await self._client.aclose()
