"""WhatsApp end to end: signed webhooks into the web app, replies out to a fake Graph API.

The engine is the real one with the fake classifier (tests/conftest.py); Meta's side is
tests/fake_graph.py. ``await channel.join()`` waits until the queued messages are handled.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.whatsapp import ServiceWindowClosed, WhatsAppChannel
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.render import referral_messages
from bot.i18n import translations
from bot.identity import Pseudonymizer
from bot.messages import Inbound, Outbound
from bot.sessions import MemorySessionStore
from content import AnswerBook
from referrals import Referral, ReferralResult
from referrals.places import default_gazetteer
from tests.fake_graph import (
    NOW,
    USER,
    VERIFY_TOKEN,
    FakeGraph,
    Meta,
    RecordedSleep,
    error,
    web_client,
    whatsapp_channel,
)
from tests.fakes import FakeClassifier

OTHER = "16505550199"


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def meta() -> Meta:
    return Meta()


@pytest.fixture
def channel(graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore) -> WhatsAppChannel:
    return whatsapp_channel(graph, engine, sessions)


async def start(
    client: httpx.AsyncClient, channel: WhatsAppChannel, graph: FakeGraph, meta: Meta, hello: str, lang: str
) -> list[dict[str, Any]]:
    """Greet, choose the language, accept the privacy notice; what the acceptance brought."""
    await meta.post(client, meta.text(hello))
    await channel.join()
    await meta.post(client, meta.tap(graph, f"lang:{lang}"))
    await channel.join()
    before = len(graph.sent)
    await meta.post(client, meta.tap(graph, graph.choices_of(graph.sent[-1])[0]))  # "I accept"
    await channel.join()
    return graph.sent[before:]


# -- the acceptance points ------------------------------------------------------------------------


async def test_a_signed_text_gets_200_and_the_reply_is_posted_to_the_graph_api(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    async with web_client(channel, engine, tmp_path) as client:
        response = await meta.post(client, meta.text("hola"))
        assert response.status_code == 200
        await channel.join()
    (reply,) = graph.sent
    assert reply["to"] == USER and reply["type"] == "interactive"
    assert "Elige tu idioma" in graph.text_of(reply)
    assert graph.choices_of(reply)[:3] == ["lang:es", "lang:en", "lang:ht"]


async def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_nothing_is_processed(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    handled: list[Inbound] = []

    async def handle(inbound: Inbound) -> list[Outbound]:
        handled.append(inbound)
        return await engine.handle(inbound)

    channel = whatsapp_channel(graph, engine, sessions, handle=handle)
    data = meta.text("hola")
    async with web_client(channel, engine, tmp_path) as client:
        assert (await meta.post(client, data, signature=None)).status_code == 401
        assert (await meta.post(client, data, signature="sha256=" + "0" * 64)).status_code == 403
        assert (await meta.post(client, data, signature="sha1=abc")).status_code == 403
        other_body = meta.signature(meta.body(meta.text("otro")))
        assert (await meta.post(client, data, signature=other_body)).status_code == 403
        forged = Meta(secret="not-our-app-secret")
        assert (await forged.post(client, data)).status_code == 403
        await channel.join()
        assert handled == [] and graph.attempts == 0 and sessions.rows == {}
        garbage = b"\xff not json"
        response = await client.post(
            "/whatsapp/webhook", content=garbage, headers={"X-Hub-Signature-256": meta.signature(garbage)}
        )
        assert response.status_code == 400  # signed, but not JSON
        huge = b"x" * (1024 * 1024 + 1)
        response = await client.post(
            "/whatsapp/webhook", content=huge, headers={"X-Hub-Signature-256": meta.signature(huge)}
        )
        assert response.status_code == 413


async def test_the_handshake_echoes_the_challenge_only_with_the_right_token(
    channel: WhatsAppChannel, engine: DialogueEngine, tmp_path: Path
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with web_client(channel, engine, tmp_path) as client:
        ok = await client.get("/whatsapp/webhook", params=params)
        assert ok.status_code == 200 and ok.text == "1158201444"
        assert ok.headers["content-type"].startswith("text/plain")
        wrong = await client.get("/whatsapp/webhook", params={**params, "hub.verify_token": "guess"})
        assert wrong.status_code == 403 and "1158201444" not in wrong.text
        assert (await client.get("/whatsapp/webhook")).status_code == 403


async def test_without_whatsapp_configured_the_routes_are_not_found(
    engine: DialogueEngine, tmp_path: Path
) -> None:
    from bot.composition import build_app
    from bot.settings import load_settings
    from bot.web.app import create_web_app

    app = build_app(load_settings(BRUJULA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    web = create_web_app(app)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web), base_url="http://test"
        ) as client:
            assert (await client.get("/whatsapp/webhook")).status_code == 404
            assert (await client.post("/whatsapp/webhook", content=b"{}")).status_code == 404
    finally:
        await app.aclose()


async def test_the_same_message_delivered_three_times_is_answered_once(
    graph: FakeGraph,
    engine: DialogueEngine,
    sessions: MemorySessionStore,
    meta: Meta,
    tmp_path: Path,
    db_url: str,
) -> None:
    from bot.db import create_all, loop_engine, make_engine
    from bot.inbox import SqlInbox

    db = make_engine(db_url)
    create_all(db)
    inbox_db = loop_engine(db)  # as `brujula serve` makes it: on PostgreSQL, calls on the event loop
    channel = whatsapp_channel(graph, engine, sessions, inbox=SqlInbox(inbox_db))
    data = meta.text("hola")
    async with web_client(channel, engine, tmp_path) as client:
        for _ in range(3):
            assert (await meta.post(client, data)).status_code == 200
        await channel.join()
        assert len(graph.sent) == 1
        # Again later, after the first one was answered: still once.
        assert (await meta.post(client, data)).status_code == 200
        await channel.join()
        assert len(graph.sent) == 1
        # A batch that repeats a message inside itself.
        assert (await meta.post(client, Meta.fixture("duplicate"))).status_code == 200
        await channel.join()
    assert len(graph.sent) == 2
    inbox_db.dispose()
    db.dispose()


async def test_a_429_with_retry_after_is_retried_and_the_reply_delivered_once(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    sleep = RecordedSleep()
    channel = whatsapp_channel(graph, engine, sessions, sleep=sleep)
    graph.fail_next(error(429, 130429, retry_after="3"))
    async with web_client(channel, engine, tmp_path) as client:
        assert (await meta.post(client, meta.text("hola"))).status_code == 200
        await channel.join()
    assert graph.attempts == 2
    assert len(graph.sent) == 1 and "Elige tu idioma" in graph.text_of(graph.sent[0])
    assert sleep.waits and sleep.waits[0] >= 3.0


async def test_the_webhook_is_acknowledged_before_the_message_is_handled(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    release = asyncio.Event()

    async def slow(inbound: Inbound) -> list[Outbound]:
        await release.wait()  # e.g. a slow NLU
        return await engine.handle(inbound)

    channel = whatsapp_channel(graph, engine, sessions, handle=slow)
    async with web_client(channel, engine, tmp_path) as client:
        response = await meta.post(client, meta.text("hola"))
        assert response.status_code == 200 and graph.sent == []  # answered while still thinking
        release.set()
        await channel.join()
    assert len(graph.sent) == 1


async def test_one_persons_messages_are_handled_in_order_and_others_are_not_held_up(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    release_first = asyncio.Event()
    other_done = asyncio.Event()
    events: list[str] = []

    async def handle(inbound: Inbound) -> list[Outbound]:
        events.append(f"start {inbound.user_id} {inbound.text}")
        if inbound.text == "uno":
            await release_first.wait()
        events.append(f"end {inbound.user_id} {inbound.text}")
        if inbound.user_id == OTHER:
            other_done.set()
        return [Outbound(inbound.text)]

    channel = whatsapp_channel(graph, engine, sessions, handle=handle)
    async with web_client(channel, engine, tmp_path) as client:
        await meta.post(client, meta.text("uno"))
        await meta.post(client, meta.text("dos"))
        await meta.post(client, meta.text("hola", user=OTHER))
        async with asyncio.timeout(30):  # a guard against a hang, not a measurement
            await other_done.wait()  # the other person was answered while "uno" is still in progress
        assert f"start {USER} dos" not in events
        release_first.set()
        await channel.join()
    assert events.index(f"end {USER} uno") < events.index(f"start {USER} dos")
    assert graph.texts(USER) == ["uno", "dos"]
    assert graph.texts(OTHER) == ["hola"]


async def test_when_overloaded_the_webhook_gets_503_so_meta_delivers_it_again(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    release = asyncio.Event()

    async def slow(inbound: Inbound) -> list[Outbound]:
        await release.wait()
        return [Outbound("ok")]

    channel = whatsapp_channel(graph, engine, sessions, handle=slow, max_pending=1)
    async with web_client(channel, engine, tmp_path) as client:
        assert (await meta.post(client, meta.text("uno"))).status_code == 200
        again = meta.text("dos")
        assert (await meta.post(client, again)).status_code == 503
        release.set()
        await channel.join()
        assert (await meta.post(client, again)).status_code == 200  # Meta's retry
        await channel.join()
    assert graph.texts() == ["ok", "ok"]


async def test_statuses_are_acknowledged_and_not_answered(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    async with web_client(channel, engine, tmp_path) as client:
        assert (await meta.post(client, Meta.fixture("status"))).status_code == 200
        await channel.join()
    assert graph.attempts == 0


@pytest.mark.parametrize("kind", ["audio", "image", "sticker", "document", "contacts", "reaction"])
async def test_what_cannot_be_read_gets_a_kind_answer_and_the_menu(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path, kind: str
) -> None:
    async with web_client(channel, engine, tmp_path) as client:
        await start(client, channel, graph, meta, "hola", "es")
        before = len(graph.sent)
        assert (await meta.post(client, meta.message(kind))).status_code == 200
        await channel.join()
    answer = graph.sent[before:]
    assert "Solo puedo leer texto y ubicaciones" in graph.text_of(answer[0])
    assert "topic:asylum" in [c for p in answer for c in graph.choices_of(p)]


# -- the 24-hour window ---------------------------------------------------------------------------


async def test_a_message_older_than_24_hours_is_not_answered(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    channel = whatsapp_channel(graph, engine, sessions, clock=lambda: NOW + timedelta(days=2))
    async with web_client(channel, engine, tmp_path) as client:
        assert (await meta.post(client, meta.text("hola"))).status_code == 200  # Meta stops retrying
        await channel.join()
    assert graph.attempts == 0


async def test_staff_replies_are_sent_only_inside_the_window(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    now = [NOW]
    channel = whatsapp_channel(graph, engine, sessions, clock=lambda: now[0])
    with pytest.raises(ServiceWindowClosed):  # never wrote: no window at all
        await channel.deliver(USER, "Hola, soy Ana del equipo.")
    async with web_client(channel, engine, tmp_path) as client:
        await meta.post(client, meta.text("hola"))
        await channel.join()
        await channel.deliver(USER, "Hola, soy Ana del equipo.")
        assert graph.texts()[-1] == "Hola, soy Ana del equipo."
        now[0] = NOW + timedelta(hours=23, minutes=55)  # within the margin of the 24 hours: not risked
        with pytest.raises(ServiceWindowClosed):
            await channel.deliver(USER, "¿Sigues ahí?")
    assert graph.texts()[-1] == "Hola, soy Ana del equipo."


# -- errors stay at the boundary -------------------------------------------------------------------


async def test_a_refused_interactive_message_still_reaches_the_person_as_text(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    channel = whatsapp_channel(graph, engine, sessions)
    graph.fail_next(error(400, 131009))
    async with web_client(channel, engine, tmp_path) as client:
        await meta.post(client, meta.text("hola"))
        await channel.join()
    (fallback,) = graph.sent
    assert fallback["type"] == "text"
    assert "Elige tu idioma" in fallback["text"]["body"] and "• Español" in fallback["text"]["body"]


async def test_graph_failures_are_logged_without_number_or_text_and_the_next_message_is_answered(
    graph: FakeGraph,
    engine: DialogueEngine,
    sessions: MemorySessionStore,
    meta: Meta,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = whatsapp_channel(graph, engine, sessions)
    graph.fail_next(*(error(503, 2) for _ in range(4)))
    with caplog.at_level(logging.DEBUG):
        async with web_client(channel, engine, tmp_path) as client:
            await meta.post(client, meta.text("necesito un doctor en Querétaro"))
            await channel.join()
            assert graph.sent == []
            await meta.post(client, meta.text("hola"))
            await channel.join()
    assert len(graph.sent) == 1
    assert "whatsapp send failed" in caplog.text and "reply not delivered" in caplog.text
    for secret in (USER, "doctor", "Querétaro", "test-access-token", "test-app-secret"):
        assert secret not in caplog.text


# -- a whole conversation -----------------------------------------------------------------------------


async def test_a_whole_conversation_on_whatsapp(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    async with web_client(channel, engine, tmp_path) as client:

        async def say(data: dict[str, object]) -> list[dict[str, object]]:
            before = len(graph.sent)
            assert (await meta.post(client, data)).status_code == 200
            await channel.join()
            return graph.sent[before:]

        # Language menu: one list with every language, each named in itself.
        (languages,) = await say(meta.text("hola"))
        assert languages["interactive"]["type"] == "list"  # type: ignore[index]
        assert graph.choices_of(languages)[:3] == ["lang:es", "lang:en", "lang:ht"]
        # Spanish (a list row); then the privacy notice asks for consent with two reply buttons.
        (notice,) = await say(meta.tap(graph, "lang:es"))
        assert notice["interactive"]["type"] == "button"  # type: ignore[index]
        accept = graph.choices_of(notice)[0]
        menu = await say(meta.tap(graph, accept))
        offered = [c for p in menu for c in graph.choices_of(p)]
        assert "topic:shelter" in offered and "topic:emergency" in offered  # the whole menu, in pages
        assert all(p["interactive"]["type"] == "list" for p in menu)  # type: ignore[index]
        # A question: the answer, its detail sections as a list, then where are you.
        answer = await say(meta.text("donde puedo dormir"))
        texts = [graph.text_of(p) for p in answer]
        assert any("albergue" in t.lower() for t in texts)
        assert "sec:shelter:steps" in [c for p in answer for c in graph.choices_of(p)]
        assert answer[-1]["interactive"] == {  # WhatsApp's own "send location" button
            "type": "location_request_message",
            "body": {"text": "Compartir mi ubicación"},
            "action": {"name": "send_location"},
        }
        # A detail section, tapped in the list.
        (section,) = await say(meta.tap(graph, "sec:shelter:steps"))
        assert graph.choices_of(section)
        # The place, shared as a location: the referral message.
        referral = await say(meta.location(20.5888, -100.3899))
        assert "place:change" in [c for p in referral for c in graph.choices_of(p)]
        assert referral[-1]["to"] == USER
    assert all(p["to"] == USER for p in graph.sent)


async def test_the_list_button_is_in_the_persons_language(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    # The adapter's own words (not the engine's) come from the person's session, read for them.
    async with web_client(channel, engine, tmp_path) as client:
        menu = await start(client, channel, graph, meta, "hello", "ht")
    assert menu and {p["interactive"]["action"]["button"] for p in menu} == {
        translations("ht").gettext("See options")
    }


async def test_services_with_coordinates_are_sent_as_map_pins(
    channel: WhatsAppChannel, engine: DialogueEngine, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    result = ReferralResult(
        (
            Referral("s1", "Albergue de prueba", "Organización de prueba", latitude=20.59, longitude=-100.39),
            Referral("s2", "Refugio confidencial", "Org", latitude=20.6, longitude=-100.4, confidential=True),
        ),
        scope="local",
    )
    replies = referral_messages(translations("es"), result, default_gazetteer().by_name("Querétaro"))
    async with web_client(channel, engine, tmp_path) as client:
        await meta.post(client, meta.text("hola"))  # opens the 24-hour window
        await channel.join()
        await channel.send(USER, replies)
    pins = [p for p in graph.sent if p["type"] == "location"]
    assert pins == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": USER,
            "type": "location",
            "location": {"latitude": 20.59, "longitude": -100.39, "name": "Albergue de prueba"},
        }
    ]  # the confidential shelter has no pin


async def test_serve_builds_the_channel_from_the_settings(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from bot.commands.serve import build_whatsapp
    from bot.composition import build_app
    from bot.settings import load_settings
    from tests.fake_graph import APP_SECRET, PHONE_NUMBER_ID

    settings = load_settings(
        BRUJULA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        WHATSAPP_ACCESS_TOKEN="token",
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
    )
    assert settings.whatsapp_enabled
    app = build_app(settings)
    try:
        channel = build_whatsapp(settings, app)
        assert {"inbox_message", "inbox_lease"} <= set(inspect(app.db).get_table_names())
        assert channel.api.messages_url == f"{settings.whatsapp_api_base_url}/{PHONE_NUMBER_ID}/messages"
        assert channel.api.messages_url.startswith("https://graph.facebook.com/v")
        body = b'{"object": "whatsapp_business_account"}'
        assert channel.check_signature(body, Meta().signature(body)).value == "ok"
        assert channel.handshake(
            {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "7"}
        )
        await channel.api.aclose()
    finally:
        await app.aclose()


async def test_a_webhook_the_inbox_cannot_store_gets_503_so_meta_delivers_it_again(
    graph: FakeGraph, engine: DialogueEngine, sessions: MemorySessionStore, meta: Meta, tmp_path: Path
) -> None:
    from bot.inbox import MemoryInbox

    class Down(MemoryInbox):
        async def receive(self, messages: object) -> list[bool]:
            raise ConnectionError("database unavailable")

    down = whatsapp_channel(graph, engine, sessions, inbox=Down())
    data = meta.text("hola")
    async with web_client(down, engine, tmp_path) as client:
        assert (await meta.post(client, data)).status_code == 503
        await down.join()
    assert graph.sent == []
    # The same message, once the database is back, is stored and answered.
    up = whatsapp_channel(graph, engine, sessions)
    async with web_client(up, engine, tmp_path) as client:
        assert (await meta.post(client, data)).status_code == 200
        await up.join()
    assert len(graph.sent) == 1


async def test_a_conversation_reaches_the_referral_list_from_the_registry(
    classifier: FakeClassifier, sessions: MemorySessionStore, graph: FakeGraph, meta: Meta, tmp_path: Path
) -> None:
    """The conversation above with the real referral finder over the seed registry (instead of the
    placeholder): the location shared on WhatsApp ends in services near it, each with its reasons
    and source. (Pins for services with coordinates: the test above.)"""
    from bot.db import create_all, make_engine
    from referrals import SqlReferralFinder
    from referrals.transfer import seed

    db = make_engine(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    create_all(db)
    assert seed(db).applied
    engine = DialogueEngine(
        sessions=sessions,
        classifier=classifier,
        answers=AnswerBook(),
        referrals=SqlReferralFinder(db),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("test-secret"),
        eraser=sessions.delete,
        clock=lambda: NOW,
    )
    channel = whatsapp_channel(graph, engine, sessions)
    async with web_client(channel, engine, tmp_path) as client:

        async def say(data: dict[str, object]) -> list[dict[str, Any]]:
            before = len(graph.sent)
            assert (await meta.post(client, data)).status_code == 200
            await channel.join()
            return graph.sent[before:]

        await say(meta.text("hola"))
        await say(meta.tap(graph, "lang:es"))
        await say(meta.tap(graph, "consent:yes"))
        answer = await say(meta.text("donde puedo dormir"))
        assert answer[-1]["interactive"]["type"] == "location_request_message"
        referral = await say(meta.location(20.5888, -100.3899))  # Querétaro
    texts = "\n".join(graph.text_of(p) for p in referral)
    assert "Querétaro" in texts
    assert texts.count("• ") >= 2 and "Albergue" in texts, texts  # shelters from the registry
    assert "Por qué:" in texts  # each with its reasons
    assert "place:change" in [c for p in referral for c in graph.choices_of(p)]
    assert all(p["to"] == USER for p in referral)
    db.dispose()
