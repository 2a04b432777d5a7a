"""The web server: health check and the web chat API (ASGI, no network)."""

from __future__ import annotations

import httpx

from bot.composition import build_app
from bot.dialogue.engine import DialogueEngine
from bot.settings import load_settings
from bot.web.app import create_web_app


async def test_healthz_and_web_chat(tmp_path, engine: DialogueEngine) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(
        BRUJULA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        BRUJULA_NLU_URL="http://127.0.0.1:9",
    )
    app = build_app(settings)
    app.engine = engine
    web = create_web_app(app)
    transport = httpx.ASGITransport(app=web)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.json() == {"status": "ok", "database": True, "nlu": False}

            page = await client.get("/chat")
            assert page.status_code == 200 and "Brújula" in page.text

            first = await client.post("/chat/api", json={"text": "hola"})
            assert first.status_code == 200
            cookie = first.cookies.get("brujula_web")
            assert cookie and len(cookie) == 32
            assert "httponly" in first.headers["set-cookie"].lower()
            choices = [c["id"] for r in first.json()["replies"] for c in r["choices"]]
            assert choices[:3] == ["lang:es", "lang:en", "lang:ht"]

            second = await client.post("/chat/api", json={"choice": "lang:es"})
            texts = " ".join(r["text"] for r in second.json()["replies"])
            assert "no del gobierno" in texts  # same conversation: the cookie carried the user

            bad = await client.post("/chat/api", content=b"[1, 2")
            assert bad.status_code == 400
            huge = await client.post("/chat/api", content=b"x" * 70_000)
            assert huge.status_code == 413
    finally:
        await app.aclose()
