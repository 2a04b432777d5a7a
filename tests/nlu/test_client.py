"""The NLU client against httpx.MockTransport: parsing, retries, Retry-After, giving up."""

from __future__ import annotations

import httpx
import pytest

from bot.http_transport import HttpxExchange
from nlu.client import NluUnavailable, RasaNluClient

RASA_REPLY = {
    "text": "busco albergue en qro",
    "intent": {"name": "shelter", "confidence": 0.97},
    "intent_ranking": [
        {"name": "shelter", "confidence": 0.97},
        {"name": "health", "confidence": 0.01},
    ],
    "entities": [{"entity": "location", "value": "Querétaro", "start": 18, "end": 21}],
}


async def test_parse_maps_rasa_json() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append({"path": request.url.path, "body": request.content})
        return httpx.Response(200, json=RASA_REPLY)

    client = RasaNluClient("http://nlu", http=HttpxExchange(httpx.MockTransport(handler)))
    parse = await client.parse("busco albergue en qro")
    await client.aclose()
    assert parse.intent == "shelter" and parse.confidence == 0.97
    assert parse.ranking[1] == ("health", 0.01)
    assert parse.values("location") == ["Querétaro"]
    assert seen[0]["path"] == "/model/parse"


async def test_retries_5xx_and_429_then_succeeds() -> None:
    statuses = iter([503, 429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        if status == 200:
            return httpx.Response(200, json=RASA_REPLY)
        return httpx.Response(status, headers={"Retry-After": "0"})

    client = RasaNluClient("http://nlu", retries=2, http=HttpxExchange(httpx.MockTransport(handler)))
    assert (await client.parse("x")).intent == "shelter"
    await client.aclose()


async def test_gives_up_with_nlu_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = RasaNluClient("http://nlu", retries=1, http=HttpxExchange(httpx.MockTransport(handler)))
    with pytest.raises(NluUnavailable):
        await client.parse("x")
    await client.aclose()


async def test_long_text_is_truncated_before_sending() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sizes.append(len(request.content))
        return httpx.Response(200, json=RASA_REPLY)

    client = RasaNluClient("http://nlu", http=HttpxExchange(httpx.MockTransport(handler)))
    await client.parse("a" * 50_000)
    await client.aclose()
    assert sizes[0] < 1100


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "12345", "привет как дела", "مرحبا"])
async def test_unreadable_text_is_out_of_scope_without_asking_the_model(text: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the model must not be asked")

    client = RasaNluClient("http://nlu", http=HttpxExchange(httpx.MockTransport(handler)))
    parse = await client.parse(text)
    await client.aclose()
    assert parse.intent == "out_of_scope" and parse.confidence == 0.0


async def test_model_file_from_status() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/status"
        return httpx.Response(200, json={"model_file": "nlu-abc.tar.gz"})

    client = RasaNluClient("http://nlu", http=HttpxExchange(httpx.MockTransport(handler)))
    assert await client.model_file() == "nlu-abc.tar.gz"
    await client.aclose()
