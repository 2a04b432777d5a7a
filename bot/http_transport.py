"""An httpx transport that makes its requests with aiohttp.

The clients of the Bot API (python-telegram-bot's ``HTTPXRequest``), of the Graph API and of the
NLU service keep httpx's interface (and their tests keep httpx's mock and ASGI transports); in
production their requests go through :class:`AiohttpTransport`. Why: the load bench profiled the
workers' event loops spending about a fifth of their time inside httpcore (its pool bookkeeping,
its pure-Python HTTP/1.1 state machine, a failed ``import sniffio`` on every request), for the
replies of each turn; aiohttp parses HTTP in C and keeps its connections in a plain pool.

Errors are httpx's, so the callers' handling does not change: a connection refused is
``httpx.ConnectError``, a timeout while connecting ``httpx.ConnectTimeout``, while waiting for the
answer ``httpx.ReadTimeout`` (python-telegram-bot turns both into ``TimedOut``), a connection
closed by the other side ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import httpx

# Headers httpx computes that aiohttp computes again from the body it is given.
_RECOMPUTED = frozenset({"content-length", "transfer-encoding"})


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
    """``httpx.AsyncClient(transport=AiohttpTransport())``: its requests on a :class:`LoopSession`."""

    def __init__(self, *, limit: int = 16) -> None:
        self.sessions = LoopSession(
            limit=limit,
            auto_decompress=False,  # httpx decodes, as it would with its own transport
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _RECOMPUTED]
        body = await request.aread()
        try:
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

    async def aclose(self) -> None:
        await self.sessions.close()


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b
