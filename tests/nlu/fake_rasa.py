"""A fake Rasa NLU server on 127.0.0.1 (``GET /status``, ``POST /model/parse``) run in a thread, so
that synchronous commands (click's CliRunner) can talk to it. It answers from a function."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nlu.service import free_port

Answer = Callable[[str], tuple[str, float]]


def rasa_json(text: str, intent: str, confidence: float) -> dict[str, Any]:
    others = [name for name in ("health", "shelter", "work") if name != intent]
    rest = (1.0 - confidence) / len(others)
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}]
        + [{"name": n, "confidence": rest} for n in others],
        "entities": [],
    }


@contextmanager
def fake_rasa(answer: Answer) -> Iterator[str]:
    """``with fake_rasa(lambda text: ("greet", 0.9)) as url: ...``"""
    parsed: list[str] = []

    async def status(request: Request) -> JSONResponse:
        return JSONResponse({"model_file": "nlu-fake.tar.gz", "model_id": "fake"})

    async def parse(request: Request) -> JSONResponse:
        text = str((await request.json()).get("text"))
        parsed.append(text)
        intent, confidence = answer(text)
        return JSONResponse(rasa_json(text, intent, confidence))

    app = Starlette(routes=[Route("/status", status), Route("/model/parse", parse, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/status", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
