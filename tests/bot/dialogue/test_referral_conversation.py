"""Referrals from the real seed registry, as a person sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db import create_all, make_engine
from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.sessions import MemorySessionStore
from content import AnswerBook
from referrals import SqlReferralFinder
from referrals.places import default_gazetteer
from referrals.transfer import seed
from tests.conftest import Chat
from tests.fake_graph import NOW
from tests.fakes import FakeClassifier

SEED = Path(__file__).resolve().parents[3] / "referrals" / "data" / "seed" / "registry.json"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    db = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('reg')) / 'seed.db'}")
    create_all(db)
    assert seed(db).applied
    return db


@pytest.fixture
def chat(registry: Engine) -> Chat:
    sessions = MemorySessionStore()
    engine = DialogueEngine(
        sessions=sessions,
        classifier=FakeClassifier(),
        answers=AnswerBook(),
        referrals=SqlReferralFinder(registry),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("t"),
        eraser=sessions.delete,
        clock=lambda: NOW,
    )
    return Chat(engine)


async def test_health_from_queretaro_lists_queretaro_services_first_with_reasons(chat: Chat) -> None:
    await chat.begin("es")
    await chat.send("estoy en qro y necesito un doctor")
    texts = [r.text for r in chat.last]
    header = next(i for i, text in enumerate(texts) if text.startswith("Servicios en Querétaro"))
    first = texts[header + 1]
    assert "Querétaro" in first
    assert "Por qué:" in first and "aún sin verificar" in first  # explained, and honest
    assert "Fuente:" in first


async def test_a_state_with_no_local_service_gets_national_options_and_says_so(chat: Chat) -> None:
    await chat.begin("es")
    await chat.send("estoy en zacatecas y necesito un doctor")
    assert "servicios nacionales" in chat.text
    assert "servicio nacional" in chat.text


async def test_nothing_is_invented_every_phone_comes_from_the_registry(chat: Chat, registry: Engine) -> None:
    import json
    import re

    raw = SEED.read_text(encoding="utf-8")
    seed_text = json.dumps(json.loads(raw), ensure_ascii=False)
    await chat.begin("en", "hello")
    await chat.send("i am in tapachula, i need a shelter")
    for phone in re.findall(r"Phone: ([^\n]+)", chat.text):
        assert phone.strip() in seed_text
