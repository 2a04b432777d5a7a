"""HTTP on aiohttp (bot/http_transport.py), against servers on 127.0.0.1: answers as httpx gives
them (``HttpxExchange`` alongside, over httpx's own transport), httpx's errors where the network
fails, and sessions that close at shutdown and open again when used."""

from __future__ import annotations

import httpx
import pytest

from bot.http_transport import AiohttpTransport, HttpxExchange
from nlu.service import free_port
from tests.fake_telegram import FakeBotApi
from tests.fakes import silent_server

TIMEOUT = httpx.Timeout(5.0)


async def test_an_exchange_answers_as_httpx_would(telegram_api: FakeBotApi) -> None:
    api = f"{telegram_api.base_url}{telegram_api.token}"
    body = '{"chat_id": 7, "text": "Kote biwo COMAR la ye? 🙏"}'.encode()
    json_type = {"Content-Type": "application/json"}
    for http in (AiohttpTransport(), HttpxExchange()):
        me = await http.exchange("GET", f"{api}/getMe", timeouts=TIMEOUT)
        assert me.status == 200 and me.json()["result"]["username"] == "brujula_test_bot"
        answer = await http.exchange(
            "POST", f"{api}/sendMessage", content=body, headers=json_type, timeouts=TIMEOUT
        )
        assert answer.is_success and answer.json()["ok"] is True
        assert answer.headers["content-type"] == answer.headers["Content-Type"] == "application/json"
        refused = await http.exchange("GET", f"{telegram_api.base_url}999:wrong/getMe", timeouts=TIMEOUT)
        assert refused.status == 401 and not refused.is_success  # an answer, not an exception
        await http.aclose()
    sent = {"method": "sendMessage", "chat_id": 7, "text": "Kote biwo COMAR la ye? 🙏"}
    assert telegram_api.sent == [sent, sent]


async def test_nobody_listening_is_a_connect_error_and_no_answer_in_time_a_read_timeout() -> None:
    http = AiohttpTransport()
    with pytest.raises(httpx.ConnectError):
        await http.exchange("GET", f"http://127.0.0.1:{free_port()}/status", timeouts=TIMEOUT)
    async with silent_server() as port:
        with pytest.raises(httpx.ReadTimeout):
            await http.exchange(
                "POST", f"http://127.0.0.1:{port}/x", content=b"{}", timeouts=httpx.Timeout(0.3, connect=1.0)
            )
    await http.aclose()


async def test_closing_closes_the_connections_and_a_new_request_opens_them(telegram_api: FakeBotApi) -> None:
    http = AiohttpTransport()
    me = f"{telegram_api.base_url}{telegram_api.token}/getMe"
    assert (await http.exchange("GET", me, timeouts=TIMEOUT)).status == 200
    session = http.sessions.current
    assert session is not None and not session.closed
    await http.aclose()  # a server stopping
    assert session.closed and http.sessions.current is None
    assert (await http.exchange("GET", me, timeouts=TIMEOUT)).status == 200  # served again
    await http.aclose()
