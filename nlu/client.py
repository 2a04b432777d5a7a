"""The small client the bot uses to understand a message: ``POST /model/parse`` on a Rasa server.

Exceptions::

    NluUnavailable   the service did not answer (connection refused, timeout, 5xx after retries)
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

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


class Answer(Protocol):
    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


class Http(Protocol):
    """What the client needs of HTTP: one request, its whole answer, httpx's exceptions when the
    network fails. In the app ``bot.http_transport.AiohttpTransport`` (aiohttp, without httpx's
    request and response objects: under load they cost as much CPU as the request itself); in
    tests ``bot.http_transport.HttpxExchange`` over an httpx transport. The same shape as
    ``bot.http_transport.Exchange``, declared here because ``nlu`` never imports ``bot``."""

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: httpx.Timeout,
    ) -> Answer: ...

    async def aclose(self) -> None: ...


_JSON = {"Content-Type": "application/json"}


class RasaNluClient:
    """The Rasa service over ``http``, with timeouts and capped, jittered retries."""

    def __init__(
        self,
        base_url: str,
        *,
        http: Http,
        timeout: float = 5.0,
        retries: int = 2,
        token: str | None = None,
    ) -> None:
        self._http = http
        self._timeouts = httpx.Timeout(timeout, connect=2.0)
        query = f"?{urlencode({'token': token})}" if token else ""
        self._parse_url = f"{base_url.rstrip('/')}/model/parse{query}"
        self._status_url = f"{base_url.rstrip('/')}/status{query}"
        self._retries = retries

    async def parse(self, text: str) -> Parse:
        """The model's reading of ``text``; text it cannot read is ``out_of_scope`` at confidence 0."""
        if not readable(text):
            return Parse(UNREADABLE_INTENT, 0.0)
        body = json.dumps({"text": clip(text)}, ensure_ascii=False).encode()
        delay = 0.2
        for attempt in range(self._retries + 1):
            try:
                response = await self._http.exchange(
                    "POST", self._parse_url, content=body, headers=_JSON, timeouts=self._timeouts
                )
            except httpx.TransportError as exc:
                if attempt == self._retries:
                    raise NluUnavailable(type(exc).__name__) from exc
            else:
                if response.status == 200:
                    return Parse.from_rasa(response.json())
                if response.status not in (429, 500, 502, 503, 504) or attempt == self._retries:
                    raise NluUnavailable(f"HTTP {response.status}")
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 5.0))
            log.warning("nlu retry attempt=%d", attempt + 1)
            await asyncio.sleep(delay + random.uniform(0, delay / 2))
            delay = min(delay * 2, 2.0)
        raise NluUnavailable("unreachable")  # pragma: no cover

    async def _status(self) -> dict[str, Any] | None:
        try:
            response = await self._http.exchange("GET", self._status_url, timeouts=self._timeouts)
        except httpx.TransportError:
            return None
        if response.status != 200:
            return None
        data = response.json()
        return data if isinstance(data, dict) else None

    async def model_file(self) -> str | None:
        """The model the service has loaded (from ``GET /status``), or ``None``."""
        value = (await self._status() or {}).get("model_file")
        return str(value) if value else None

    async def ready(self) -> bool:
        return bool((await self._status() or {}).get("model_file"))

    async def aclose(self) -> None:
        await self._http.aclose()
