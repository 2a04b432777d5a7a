"""Shared fixtures: a conversation helper over the real engine with fakes at the edges,
a throwaway PostgreSQL server, and the real Rasa service with the trained model."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.messages import Inbound, Location, Outbound
from bot.sessions import MemorySessionStore
from content import AnswerBook
from nlu.client import Classifier
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer
from tests.fakes import FakeClassifier


class Chat:
    """A person talking to the engine: ``await chat.send("hola")`` returns the replies."""

    def __init__(self, engine: DialogueEngine, user: str = "u1", channel: str = "test") -> None:
        self.engine = engine
        self.user = user
        self.channel = channel
        self.last: list[Outbound] = []

    async def begin(self, language: str = "es", greeting: str = "hola") -> list[Outbound]:
        """First contact: greet, choose the language, accept the privacy notice."""
        await self.send(greeting)
        await self.tap(f"lang:{language}")
        return await self.tap("consent:yes")

    async def send(self, text: str) -> list[Outbound]:
        self.last = await self.engine.handle(Inbound.from_text(self.channel, self.user, text))
        return self.last

    async def tap(self, choice: str) -> list[Outbound]:
        ids = [c.id for r in self.last for c in r.choices]
        assert choice in ids, f"no button {choice!r} in {ids}"
        self.last = await self.engine.handle(Inbound.from_choice(self.channel, self.user, choice))
        return self.last

    async def share_location(self, lat: float, lon: float) -> list[Outbound]:
        self.last = await self.engine.handle(
            Inbound.from_location(self.channel, self.user, Location(lat, lon))
        )
        return self.last

    async def send_sticker(self) -> list[Outbound]:
        self.last = await self.engine.handle(Inbound.unsupported(self.channel, self.user))
        return self.last

    @property
    def text(self) -> str:
        return "\n---\n".join(r.text for r in self.last)

    @property
    def buttons(self) -> list[str]:
        return [c.id for r in self.last for c in r.choices]


@pytest.fixture
def classifier() -> FakeClassifier:
    return FakeClassifier()


@pytest.fixture
def sessions() -> MemorySessionStore:
    return MemorySessionStore()


def make_engine(classifier: Classifier, sessions: MemorySessionStore, **options: Any) -> DialogueEngine:
    """The real engine with the real content, in memory; ``options`` as ``DialogueEngine`` takes them."""
    return DialogueEngine(
        sessions=sessions,
        classifier=classifier,
        answers=AnswerBook(),
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("test-secret"),
        eraser=sessions.delete,
        **{"clock": lambda: datetime(2026, 11, 23, 17, 0, tzinfo=UTC), **options},
    )


@pytest.fixture
def engine(classifier: FakeClassifier, sessions: MemorySessionStore) -> DialogueEngine:
    return make_engine(classifier, sessions)


@pytest.fixture
def chat(engine: DialogueEngine) -> Chat:
    return Chat(engine)


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL: BRUJULA_TEST_POSTGRES_URL, or a throwaway server started here."""
    from bot.loadbench.postgres import ThrowawayPostgres, pg_bin

    given = os.environ.get("BRUJULA_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (the CI script installs Debian's postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with ThrowawayPostgres("brujula_test") as url:
        yield url


# -- Rasa --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rasa_url() -> Iterator[str]:
    """The real Rasa service with the trained model, started once for the session."""
    from nlu.paths import RASA_BIN
    from nlu.service import RasaService
    from nlu.training import latest_model

    model = latest_model()
    if model is None or not RASA_BIN.exists():
        if os.environ.get("CI"):
            pytest.fail("no trained model / Rasa environment: `make setup` should have built them")
        pytest.skip("no trained model; run `make setup`")
    service = RasaService(model)
    service.start()
    try:
        yield service.url
    finally:
        service.stop()


@pytest.fixture
async def telegram_api() -> AsyncIterator[object]:
    from tests.fake_telegram import FakeBotApi

    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
