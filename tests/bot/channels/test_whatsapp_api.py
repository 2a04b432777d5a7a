"""The Graph client: bearer token, timeouts, retries with backoff and Retry-After, error logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.channels.whatsapp_api import (
    DEFAULT_TIMEOUT,
    GraphClient,
    GraphRejected,
    GraphUnavailable,
    RetryPolicy,
    retry_after_seconds,
)
from bot.http_transport import AiohttpTransport, HttpxExchange
from nlu.service import free_port
from tests.fake_graph import ACCESS_TOKEN, BASE_URL, PHONE_NUMBER_ID, USER, FakeGraph, RecordedSleep, error

TEXT = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": USER,
    "type": "text",
    "text": {"body": "secreto: mi dirección es Calle 5", "preview_url": False},
}


def client(graph: FakeGraph, sleep: RecordedSleep, **retry: float) -> GraphClient:
    return GraphClient(
        base_url=BASE_URL + "/",
        phone_number_id=PHONE_NUMBER_ID,
        access_token=ACCESS_TOKEN,
        http=HttpxExchange(graph.transport()),
        retry=RetryPolicy(**retry),  # type: ignore[arg-type]
        sleep=sleep,
        jitter=lambda: 1.0,
    )


async def test_a_message_is_posted_with_the_bearer_token_and_returns_its_id() -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    api = client(graph, sleep)
    assert api.messages_url == f"{BASE_URL}/{PHONE_NUMBER_ID}/messages"
    assert await api.send(TEXT) == "wamid.sent1"
    assert graph.sent == [TEXT] and sleep.waits == []
    await api.aclose()


async def test_a_429_is_retried_after_retry_after_and_delivered_once() -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    graph.fail_next(error(429, 130429, retry_after="7"))
    api = client(graph, sleep)
    await api.send(TEXT)
    assert graph.attempts == 2 and graph.sent == [TEXT]
    assert len(sleep.waits) == 1 and 7.0 <= sleep.waits[0] <= 7.0 + 0.5  # Retry-After plus a little jitter
    await api.aclose()


async def test_5xx_and_throttling_codes_back_off_exponentially_up_to_the_cap() -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    graph.fail_next(error(503, 2), error(500, 1), error(400, 131056), error(502, 2), error(504, 2))
    api = client(graph, sleep, attempts=6, base_delay=1.0, max_delay=4.0)
    await api.send(TEXT)
    assert sleep.waits == [1.0, 2.0, 4.0, 4.0, 4.0]  # jitter fixed at its top: the ceilings themselves
    assert graph.sent == [TEXT]
    await api.aclose()


def test_backoff_jitter_stays_between_half_and_all_of_the_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    for retry in range(1, 10):
        ceiling = min(8.0, 0.5 * 2 ** (retry - 1))
        assert policy.backoff(retry, 0.0) == ceiling / 2
        assert policy.backoff(retry, 1.0) == ceiling


async def test_retries_end_in_graph_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    graph.fail_next(*(error(503, 2) for _ in range(4)))
    api = client(graph, sleep, attempts=4)
    with pytest.raises(GraphUnavailable) as caught:
        await api.send(TEXT)
    assert graph.attempts == 4 and len(sleep.waits) == 3 and graph.sent == []
    assert caught.value.status == 503
    assert "after 4 attempts" in caplog.text
    await api.aclose()


async def test_a_retry_after_longer_than_the_policy_allows_fails_at_once() -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    graph.fail_next(error(429, 4, retry_after="3600"))
    api = client(graph, sleep, max_retry_after=60.0)
    with pytest.raises(GraphUnavailable):
        await api.send(TEXT)
    assert graph.attempts == 1 and sleep.waits == []
    await api.aclose()


async def test_a_refusal_is_not_retried_and_is_logged_without_number_or_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    graph.fail_next(error(400, 131047))
    api = client(graph, sleep)
    with caplog.at_level(logging.DEBUG), pytest.raises(GraphRejected) as caught:
        await api.send(TEXT, kind="text")
    assert graph.attempts == 1 and sleep.waits == []
    assert caught.value.code == 131047
    assert "code=131047" in caplog.text and "24-hour" in caplog.text and "trace=AbCdEfGh123" in caplog.text
    for secret in (USER, "Calle 5", ACCESS_TOKEN, "secreto"):
        assert secret not in caplog.text
        assert secret not in str(caught.value)
    await api.aclose()


async def test_an_expired_token_is_named_as_such() -> None:
    graph, sleep = FakeGraph(), RecordedSleep()
    api = GraphClient(
        base_url=BASE_URL,
        phone_number_id=PHONE_NUMBER_ID,
        access_token="expired",
        http=HttpxExchange(graph.transport()),
        sleep=sleep,
    )
    with pytest.raises(GraphRejected, match="renew WHATSAPP_ACCESS_TOKEN"):
        await api.send(TEXT)
    await api.aclose()


async def test_network_errors_are_retried() -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"messages": [{"id": "wamid.ok"}]})

    sleep = RecordedSleep()
    api = GraphClient(
        base_url=BASE_URL,
        phone_number_id=PHONE_NUMBER_ID,
        access_token=ACCESS_TOKEN,
        http=HttpxExchange(httpx.MockTransport(flaky)),
        sleep=sleep,
        jitter=lambda: 0.0,
    )
    assert await api.send(TEXT) == "wamid.ok"
    assert calls == 3 and sleep.waits == [0.25, 0.5]
    await api.aclose()


async def test_every_request_has_explicit_timeouts() -> None:
    timeouts: list[dict[str, float | None]] = []

    def graph(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return httpx.Response(200, json={"messages": [{"id": "wamid.t"}]})

    api = GraphClient(
        base_url=BASE_URL,
        phone_number_id=PHONE_NUMBER_ID,
        access_token=ACCESS_TOKEN,
        http=HttpxExchange(httpx.MockTransport(graph)),
    )
    assert await api.send(TEXT) == "wamid.t"
    assert timeouts == [DEFAULT_TIMEOUT.as_dict()]
    assert DEFAULT_TIMEOUT.connect == 5.0 and DEFAULT_TIMEOUT.read == 10.0
    await api.aclose()


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Mon, 23 Nov 2026 17:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 23 Nov 2026 16:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


async def test_over_aiohttp_on_loopback_a_retried_reply_and_an_upload(tmp_path: Path) -> None:
    """The production path (``AiohttpTransport.exchange``, no httpx objects) against a Graph API
    served on 127.0.0.1: the same bytes, headers and retries as through httpx."""
    bodies: list[Any] = []
    uploads: list[tuple[str, bytes]] = []

    async def messages(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": 190}}, status=401)
        assert request.content_type == "application/json"
        bodies.append(await request.json())
        if len(bodies) == 1:
            return web.json_response({"error": {"code": 2}}, status=503, headers={"Retry-After": "1"})
        return web.json_response({"messages": [{"id": "wamid.loopback"}]})

    async def media(request: web.Request) -> web.Response:
        form = await request.post()
        file = form["file"]
        assert isinstance(file, web.FileField) and form["messaging_product"] == "whatsapp"
        uploads.append((file.content_type, file.file.read()))
        return web.json_response({"id": "media-1"})

    app = web.Application()
    app.router.add_post(f"/v21.0/{PHONE_NUMBER_ID}/messages", messages)
    app.router.add_post(f"/v21.0/{PHONE_NUMBER_ID}/media", media)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    sleep = RecordedSleep()
    api = GraphClient(
        base_url=f"http://127.0.0.1:{port}/v21.0",
        phone_number_id=PHONE_NUMBER_ID,
        access_token=ACCESS_TOKEN,
        http=AiohttpTransport(),
        sleep=sleep,
        jitter=lambda: 0.0,
    )
    try:
        assert await api.send(TEXT) == "wamid.loopback"
        assert bodies == [TEXT, TEXT] and sleep.waits == [1.0]  # Retry-After honoured
        recording = tmp_path / "respuesta.ogg"
        recording.write_bytes(b"OggS fake opus")
        assert await api.upload_audio(recording) == "media-1"
        assert uploads == [("audio/ogg", b"OggS fake opus")]
    finally:
        await api.aclose()
        await runner.cleanup()
