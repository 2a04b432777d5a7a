"""End to end through the real Rasa service with the trained model (started by the fixture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.sessions import MemorySessionStore
from content import AnswerBook
from nlu.client import RasaNluClient
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer
from tests.conftest import Chat

pytestmark = pytest.mark.rasa
ROOT = Path(__file__).resolve().parents[2]


async def test_parse_through_the_served_model(rasa_url: str) -> None:
    client = RasaNluClient(rasa_url, timeout=30)
    try:
        parse = await client.parse("kote m ka dòmi aswè a nan tijuana")
        assert parse.intent == "shelter"
        assert parse.values("location") == ["Tijuana, Baja California"]
        parse = await client.parse("nesesito pedir asilo en la comar")
        assert parse.intent == "asylum" and parse.confidence > 0.5
    finally:
        await client.aclose()


async def test_conversation_reaches_an_nlu_driven_answer(rasa_url: str) -> None:
    client = RasaNluClient(rasa_url, timeout=30)
    sessions = MemorySessionStore()
    engine = DialogueEngine(
        sessions=sessions,
        eraser=sessions.delete,
        classifier=client,
        answers=AnswerBook(),
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("k"),
    )
    chat = Chat(engine)
    try:
        await chat.send("bonjou")
        await chat.tap("lang:ht")
        await chat.send("kijan pou m mande azil")
        assert "COMAR" in chat.text
        assert "sec:asylum:steps" in chat.buttons
        await chat.send("nos tienen secuestrados en una casa")
        assert "911" in chat.last[0].text
    finally:
        await client.aclose()


def test_predict_contract(rasa_url: str) -> None:
    env = {**os.environ, "BRUJULA_NLU_URL": rasa_url}
    lines = [
        '{"text": "busco albergue en qro"}',
        '{"text": ""}',
        '{"text": "😀😀"}',
        json.dumps({"text": "x" * 5000}),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "nlu", "predict"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outs) == 4
    first = outs[0]
    assert first["intent"] == "shelter" and first["language"] == "es"
    assert first["entities"] == [{"entity": "location", "value": "Querétaro"}]
    assert outs[1]["intent"] == "out_of_scope" and outs[1]["confidence"] == 0.0
    for out in outs:
        assert set(out) >= {"text", "intent", "confidence", "language", "entities"}
