"""HTTP for the clients of outside services (the Graph API, the NLU service), on aiohttp.

:meth:`AiohttpTransport.exchange`: a request in, an :class:`Answer` (status, headers, body) out,
over one pool of kept-alive connections per event loop. Why not httpx, whose interface the
clients used: under load its transport (httpcore: pool bookkeeping, a pure-Python HTTP/1.1 state
machine, a failed ``import sniffio`` on every request) took a fifth of a worker's time, and with
that replaced by aiohttp, httpx's request and response objects around aiohttp's (URL parsing and
merging, header objects, the cookie jar) still cost as much CPU as the request itself: a
WhatsApp send 300–354 µs of CPU through httpx, 123–134 µs through :meth:`~AiohttpTransport.exchange`
(py-spy and a loopback benchmark, docs/PERFORMANCE.md). :class:`HttpxExchange` gives the same
:class:`Exchange` over any httpx transport: the tests' fake Graph API and mock NLU service.

Errors are httpx's, so the callers' handling stays httpx's: a connection refused is
``httpx.ConnectError``, a timeout while connecting ``httpx.ConnectTimeout``, while waiting for the
answer ``httpx.ReadTimeout``, a connection closed by the other side ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole HTTP answer."""

    status: int
    headers: Mapping[str, str]  # looked up without regard to case
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.content)


class Exchange(Protocol):
    async def exchange(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: httpx.Timeout,
    ) -> Answer:
        """Send one request and read its whole answer; httpx's exceptions when the network fails."""
        ...

    async def aclose(self) -> None: ...


class HttpxExchange:
    """An :class:`Exchange` over an httpx transport (``None``: httpx's own)."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=False)

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: httpx.Timeout,
    ) -> Answer:
        response = await self._client.request(method, url, content=content, headers=headers, timeout=timeouts)
        return Answer(response.status_code, response.headers, response.content)

    async def aclose(self) -> None:
        await self._client.aclose()


class LoopSession:
    """One aiohttp session per event loop, made when first needed, with at most ``limit`` kept-alive
    connections: python-telegram-bot checks the token on one loop at start-up and serves on
    another, and tests run each on its own loop. :meth:`close` closes it; the next request opens
    a new one (an app served again)."""

    def __init__(self, *, limit: int, **options: Any) -> None:
        self._limit = limit
        self._options = options
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def current(self) -> aiohttp.ClientSession | None:
        return self._session

    def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                cookie_jar=aiohttp.DummyCookieJar(),
                **self._options,
            )
            self._loop = loop
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()


def client_timeout(
    *, pool: float | None, connect: float | None, read: float | None, total: float | None = None
) -> aiohttp.ClientTimeout:
    """httpx's (and python-telegram-bot's) timeouts as aiohttp's: waiting for a connection of the
    pool and opening it bounded together, then each wait for the answer."""
    return aiohttp.ClientTimeout(
        total=total,
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


class AiohttpTransport:
    """An :class:`Exchange` on aiohttp: requests on a :class:`LoopSession`."""

    def __init__(self, *, limit: int = 16) -> None:
        self.sessions = LoopSession(
            limit=limit,
            auto_decompress=False,  # nothing asks for compression (no Accept-Encoding)
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: httpx.Timeout,
    ) -> Answer:
        timeout = client_timeout(pool=timeouts.pool, connect=timeouts.connect, read=timeouts.read)
        try:
            async with self.sessions.get().request(
                method, url, headers=headers, data=content, timeout=timeout, allow_redirects=False
            ) as response:
                return Answer(response.status, response.headers, await response.read())
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timeout") from exc
        except TimeoutError as exc:  # the request may have reached the other side
            raise httpx.ReadTimeout(str(exc) or "read timeout") from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        await self.sessions.close()
