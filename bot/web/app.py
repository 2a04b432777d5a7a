"""Starlette application. Webhooks verify their secret before anything else."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.channels.console import inbound_from_json
from bot.channels.telegram import TelegramChannel
from bot.composition import App

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
WEB_COOKIE = "brujula_web"
MAX_BODY = 64 * 1024


def create_web_app(app: App, telegram: TelegramChannel | None = None) -> Starlette:
    settings = app.settings

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if telegram is not None:
            secret = settings.telegram_webhook_secret
            await telegram.start(
                webhook_url=settings.telegram_webhook_url,
                secret=secret.get_secret_value() if secret else None,
            )
        try:
            yield
        finally:
            if telegram is not None:
                await telegram.stop()

    async def healthz(request: Request) -> Response:
        try:
            with app.db.connect() as conn:
                conn.execute(text("SELECT 1"))
            db_ok = True
        except Exception:  # reported, not raised: this is a health check
            db_ok = False
        nlu_ok = await app.nlu.ready()
        status = 200 if db_ok else 503
        return JSONResponse(
            {"status": "ok" if db_ok else "degraded", "database": db_ok, "nlu": nlu_ok},
            status_code=status,
        )

    async def telegram_webhook(request: Request) -> Response:
        expected = settings.telegram_webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if expected is None or not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
            return Response(status_code=403)
        if telegram is None:
            return Response(status_code=404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            data = json.loads(body)
        except ValueError:  # JSONDecodeError or UnicodeDecodeError
            return Response(status_code=400)
        if not isinstance(data, dict):
            return Response(status_code=400)
        await telegram.feed(data)
        return Response(status_code=200)

    async def chat_page(request: Request) -> Response:
        return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")

    async def chat_api(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "message too large"}, status_code=413)
        user = request.cookies.get(WEB_COOKIE) or ""
        fresh = not (len(user) == 32 and user.isalnum())
        if fresh:
            user = secrets.token_hex(16)
        try:
            data = json.loads(body or b"{}")
        except ValueError:  # JSONDecodeError or UnicodeDecodeError
            data = None
        if not isinstance(data, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        inbound = inbound_from_json({**data, "user": user})
        assert inbound is not None
        inbound = type(inbound)(
            "web", inbound.user_id, inbound.kind, inbound.text, inbound.choice, inbound.location
        )
        replies = await app.engine.handle(inbound)
        response = JSONResponse({"replies": [r.to_json() for r in replies]})
        if fresh:
            response.set_cookie(
                WEB_COOKIE,
                user,
                max_age=30 * 24 * 3600,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
        return response

    async def index(request: Request) -> Response:
        return RedirectResponse("/chat")

    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
        Route("/chat", chat_page),
        Route("/chat/api", chat_api, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
