"""HTTP on aiohttp (bot/http_transport.py), against servers on 127.0.0.1: as an httpx transport
and through ``exchange`` what httpx's own transport would return, httpx's errors where the network
fails, and sessions that close at shutdown and open again when used."""

from __future__ import annotations

import httpx
import pytest

from bot.http_transport import AiohttpTransport, HttpxExchange
from nlu.service import free_port
from tests.fake_telegram import FakeBotApi
from tests.fakes import silent_server

TIMEOUT = httpx.Timeout(5.0)


async def test_requests_and_answers_are_httpxs(telegram_api: FakeBotApi) -> None:
    transport = AiohttpTransport()
    api = f"{telegram_api.base_url}{telegram_api.token}"
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"{api}/getMe")
        assert response.status_code == 200
        assert response.json()["result"]["username"] == "brujula_test_bot"
        response = await client.post(
            f"{api}/sendMessage", json={"chat_id": 7, "text": "¿Dónde está la COMAR? 🙏"}
        )
        assert response.json()["ok"] is True
        refused = await client.get(f"{telegram_api.base_url}999:wrong/getMe")
        assert refused.status_code == 401  # an answer, not an exception
    assert telegram_api.sent == [{"method": "sendMessage", "chat_id": 7, "text": "¿Dónde está la COMAR? 🙏"}]


async def test_nobody_listening_is_a_connect_error() -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{free_port()}/status")


async def test_no_answer_in_time_is_a_read_timeout() -> None:
    async with silent_server() as port:
        client = httpx.AsyncClient(transport=AiohttpTransport(), timeout=httpx.Timeout(0.3, connect=1.0))
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"http://127.0.0.1:{port}/model/parse", json={"text": "hola"})
        await client.aclose()


async def test_closing_the_transport_closes_its_connections_and_a_new_request_opens_them(
    telegram_api: FakeBotApi,
) -> None:
    transport = AiohttpTransport()
    client = httpx.AsyncClient(transport=transport)
    me = f"{telegram_api.base_url}{telegram_api.token}/getMe"
    assert (await client.get(me)).status_code == 200
    session = transport.sessions.current
    assert session is not None and not session.closed
    await transport.aclose()  # a server stopping
    assert session.closed
    assert (await client.get(me)).status_code == 200  # served again
    await client.aclose()
    assert transport.sessions.current is None


async def test_an_exchange_answers_as_httpx_would(telegram_api: FakeBotApi) -> None:
    api = f"{telegram_api.base_url}{telegram_api.token}"
    body = '{"chat_id": 7, "text": "Kote biwo COMAR la ye? 🙏"}'.encode()
    json_type = {"Content-Type": "application/json"}
    for http in (AiohttpTransport(), HttpxExchange()):
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


async def test_an_exchange_fails_with_httpxs_errors() -> None:
    http = AiohttpTransport()
    with pytest.raises(httpx.ConnectError):
        await http.exchange("GET", f"http://127.0.0.1:{free_port()}/status", timeouts=TIMEOUT)
    async with silent_server() as port:
        with pytest.raises(httpx.ReadTimeout):
            await http.exchange(
                "POST", f"http://127.0.0.1:{port}/x", content=b"{}", timeouts=httpx.Timeout(0.3, connect=1.0)
            )
    await http.aclose()
