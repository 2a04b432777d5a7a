"""HTTP for the clients of outside services, on aiohttp.

Two ways in, one pool of connections:

- :class:`AiohttpTransport` is an httpx transport: the NLU client keeps httpx's interface (and its
  tests httpx's mock transport) while its requests go through aiohttp. Why: the load bench
  profiled the workers' event loops spending about a fifth of their time inside httpcore (its
  pool bookkeeping, its pure-Python HTTP/1.1 state machine, a failed ``import sniffio`` on every
  request); aiohttp parses HTTP in C and keeps its connections in a plain pool.
- :meth:`AiohttpTransport.exchange` skips httpx altogether: a request in, an :class:`Answer`
  (status, headers, body) out. The Graph client sends every WhatsApp reply through it: httpx's
  request and response objects around aiohttp's (URL parsing and merging, header objects, the
  cookie jar) cost as much CPU as the send itself (py-spy, load bench). :class:`HttpxExchange`
  gives the same :class:`Exchange` over any httpx transport — the tests' fake Graph API.

Errors are httpx's either way, so the callers' handling does not change: a connection refused is
``httpx.ConnectError``, a timeout while connecting ``httpx.ConnectTimeout``, while waiting for the
answer ``httpx.ReadTimeout``, a connection closed by the other side ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import aiohttp
import httpx

# Headers httpx computes that aiohttp computes again from the body it is given.
_RECOMPUTED = frozenset({"content-length", "transfer-encoding"})


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


@runtime_checkable
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


class AiohttpTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=AiohttpTransport())``, or :meth:`exchange` directly: requests on
    a :class:`LoopSession`."""

    def __init__(self, *, limit: int = 16) -> None:
        self.sessions = LoopSession(
            limit=limit,
            auto_decompress=False,  # httpx decodes, as it would with its own transport
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
        with _as_httpx_errors(None):
            async with self.sessions.get().request(
                method,
                url,
                headers=headers,
                data=content,
                timeout=_client_timeout(timeouts.pool, timeouts.connect, timeouts.read),
                allow_redirects=False,
            ) as response:
                return Answer(response.status, response.headers, await response.read())
        raise AssertionError("unreachable")  # pragma: no cover - returned or raised above

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = _client_timeout(timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read"))
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _RECOMPUTED]
        body = await request.aread()
        with _as_httpx_errors(request):
            async with self.sessions.get().request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                content = await response.read()
                return httpx.Response(
                    status_code=response.status,
                    headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
                    content=content,
                    request=request,
                    extensions={"http_version": b"HTTP/1.1"},
                )
        raise AssertionError("unreachable")  # pragma: no cover - returned or raised above

    async def aclose(self) -> None:
        await self.sessions.close()


def _client_timeout(pool: float | None, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=None,
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request | None) -> Iterator[None]:
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
    except TimeoutError as exc:  # the request may have reached the other side
        raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
