"""python-telegram-bot's network layer on aiohttp.

python-telegram-bot sends Bot API calls through a :class:`~telegram.request.BaseRequest`; its own
(``HTTPXRequest``) is built on httpx. Under load, with httpcore already replaced, a worker still
spent 9 % of its time in httpx (7 % building requests: URL and header objects) for the replies
of every turn (py-spy, load bench); on this one the bench's workers went from 10.7 to 9.5 ms of
CPU an answered turn (docs/PERFORMANCE.md). It sends the same bytes — form-encoded parameters,
multipart when a file goes with them, as ``HTTPXRequest`` does — through one aiohttp session
with a small pool of kept-alive connections.

Errors follow python-telegram-bot's: a timeout waiting for the answer is ``TimedOut`` (the call
may have reached Telegram: not repeated, see ``bot.channels.telegram._retrying``); one that never
got a connection, or a connection refused or closed, is ``NetworkError`` (nothing reached
Telegram, or the connection broke: the caller may send again).
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.http_transport import LoopSession, client_timeout


class AiohttpRequest(BaseRequest):
    __slots__ = ("_connect", "_media_write", "_pool", "_read", "_sessions")

    def __init__(
        self,
        *,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._sessions = LoopSession(limit=connection_pool_size, headers={"User-Agent": self.USER_AGENT})

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        self._sessions.get()

    async def shutdown(self) -> None:
        await self._sessions.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        data: aiohttp.FormData | str | None = None
        headers: dict[str, str] = {}
        total = None
        if request_data is not None and request_data.contains_files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
            # aiohttp has no write timeout: an upload and its answer are bounded together
            write = self._media_write if isinstance(write_timeout, DefaultValue) else write_timeout
            total = None if write is None or read is None else write + read
        elif request_data is not None and request_data.parameters:
            data = request_data.url_encoded_parameters()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        timeout = client_timeout(pool=pool, connect=connect, read=read, total=total)
        try:
            async with self._sessions.get().request(
                method, url, data=data, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:  # no connection: nothing was sent
            raise NetworkError(f"aiohttp.{type(err).__name__}: not sent (no connection in time)") from err
        except TimeoutError as err:  # sent, no answer in time: it may have reached Telegram
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
