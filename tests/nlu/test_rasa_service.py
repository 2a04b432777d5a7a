"""End to end through the real Rasa service with the trained model (started by the fixture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dialogue.engine import DialogueEngine
from bot.http_transport import AiohttpTransport
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
    client = RasaNluClient(rasa_url, http=AiohttpTransport(), timeout=30)
    try:
        parse = await client.parse("kote m ka dòmi aswè a nan tijuana")
        assert parse.intent == "shelter"
        assert parse.values("location") == ["Tijuana, Baja California"]
        parse = await client.parse("nesesito pedir asilo en la comar")
        assert parse.intent == "asylum" and parse.confidence > 0.5
    finally:
        await client.aclose()


async def test_conversation_reaches_an_nlu_driven_answer(rasa_url: str) -> None:
    client = RasaNluClient(rasa_url, http=AiohttpTransport(), timeout=30)
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
        await chat.begin("ht", "bonjou")
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


EDGE_TEXTS = ["", "😀🙏😀", "привет, мне нужна помощь", "مرحبا، أحتاج مساعدة", "1234 5678"]


async def test_edge_inputs_through_the_served_model(rasa_url: str) -> None:
    import httpx

    client = RasaNluClient(rasa_url, http=AiohttpTransport(), timeout=30)
    try:
        for text in EDGE_TEXTS:
            parse = await client.parse(text)
            assert parse.intent == "out_of_scope" and parse.confidence == 0.0, text
        long = await client.parse("necesito ayuda con mi curp temporal " * 150)  # about 5,000 characters
        assert long.intent == "curp"
    finally:
        await client.aclose()
    # The served model itself, without the client's guard: never an error.
    async with httpx.AsyncClient(base_url=rasa_url, timeout=60) as raw:
        for text in [*EDGE_TEXTS[1:], "x" * 5000, "ayuda " * 900]:
            response = await raw.post("/model/parse", json={"text": text})
            assert response.status_code == 200, text
            assert response.json()["intent"]["name"] is not None


def test_evaluate_meets_the_gates_on_the_served_model(rasa_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "BRUJULA_NLU_URL": rasa_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "nlu", "evaluate", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "nlu-evaluation.md").exists()
    assert (tmp_path / "nlu-confusion-all.svg").exists()


@pytest.fixture(scope="module")
def thin_url() -> Iterator[str]:
    """The thin server (nlu/server.py) on the same model, started once for this module."""
    from nlu.paths import RASA_BIN
    from nlu.service import RasaService
    from nlu.training import latest_model

    model = latest_model()
    if model is None or not RASA_BIN.exists():
        if os.environ.get("CI"):
            pytest.fail("no trained model / Rasa environment: `make setup` should have built them")
        pytest.skip("no trained model; run `make setup`")
    service = RasaService(model, server="thin")
    service.start()
    try:
        yield service.url
    finally:
        service.stop()


async def test_thin_server_answers_like_stock_rasa(rasa_url: str, thin_url: str) -> None:
    import asyncio

    import httpx

    texts = [
        "busco albergue en qro",
        "kote m ka dòmi aswè a nan tijuana",
        "nesesito pedir asilo en la comar",
        "my son needs a doctor in monterrey",
        "hola",
        "nos tienen secuestrados",
        "gracias, dios le bendiga",
    ]
    async with httpx.AsyncClient(timeout=60) as http:
        stock = [(await http.post(rasa_url + "/model/parse", json={"text": t})).json() for t in texts]
        # all at once: the thin server parses them as one batch
        thin = [
            r.json()
            for r in await asyncio.gather(
                *(http.post(thin_url + "/model/parse", json={"text": t}) for t in texts)
            )
        ]
        status = (await http.get(thin_url + "/status")).json()
    for a, b in zip(stock, thin, strict=True):
        assert b["text"] == a["text"]
        assert b["intent"]["name"] == a["intent"]["name"]
        assert b["intent"]["confidence"] == pytest.approx(a["intent"]["confidence"], abs=1e-4)
        assert [e["value"] for e in b["entities"]] == [e["value"] for e in a["entities"]]
        assert [r["name"] for r in b["intent_ranking"][:3]] == [r["name"] for r in a["intent_ranking"][:3]]
    assert status["model_file"] and status["server"] == "brujula-thin"


async def test_thin_server_edge_inputs_and_bad_requests(thin_url: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=thin_url, timeout=60) as http:
        for text in EDGE_TEXTS:
            body = (await http.post("/model/parse", json={"text": text})).json()
            assert body["intent"] == {"name": "out_of_scope", "confidence": 0.0}
            assert body["text"] == text
        long = await http.post("/model/parse", json={"text": "necesito ayuda con mi curp temporal " * 150})
        assert long.status_code == 200 and long.json()["intent"]["name"] == "curp"
        assert (await http.post("/model/parse", content=b"not json")).status_code == 400
        assert (await http.post("/model/parse", json={"txt": "hola"})).status_code == 400
