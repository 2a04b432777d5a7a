"""Starlette application. Webhooks verify their secret before anything else."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from bot.background import Deliverer, outbox_loop, purge_loop
from bot.channels.console import inbound_from_json
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_webhook import SIGNATURE_HEADER, Signature
from bot.composition import App
from bot.db import on_loop
from desk import create_desk_app

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
WEB_COOKIE = "brujula_web"
MAX_BODY = 64 * 1024
WHATSAPP_MAX_BODY = 1024 * 1024  # one webhook can batch many messages and statuses
DB_THREADS = 20  # PostgreSQL: bot.db.make_engine's pool_size + max_overflow


async def read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or ``None`` as soon as it is longer than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def create_web_app(
    app: App, telegram: TelegramChannel | None = None, whatsapp: WhatsAppChannel | None = None
) -> Starlette:
    settings = app.settings

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Database calls run in threads (asyncio.to_thread): as many threads as pooled
        # connections, not the default min(32, cores + 4) = 6 on two cores.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=DB_THREADS))
        if on_loop(app.loop_db):
            await app.loop_db.check()  # PostgreSQL through asyncpg: fails here, not on every message
        if telegram is not None:
            secret = settings.telegram_webhook_secret
            await telegram.start(
                webhook_url=settings.telegram_webhook_url,
                secret=secret.get_secret_value() if secret else None,
            )
        if whatsapp is not None:
            await whatsapp.start()
        deliverers: dict[str, Deliverer] = {}
        if telegram is not None:
            deliverers["telegram"] = telegram
        if whatsapp is not None:
            deliverers["whatsapp"] = whatsapp
        tasks = [
            asyncio.create_task(outbox_loop(app.handoff, deliverers)),
            asyncio.create_task(
                purge_loop(
                    app.db,
                    session_days=settings.session_retention_days,
                    ticket_days=settings.ticket_retention_days,
                )
            ),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if whatsapp is not None:
                await whatsapp.stop()
            if telegram is not None:
                await telegram.stop()
            try:
                await app.counter.flush()  # the last seconds of anonymous counts
            except Exception as exc:
                log.warning("counts not written at shutdown error=%s", type(exc).__name__)
            await app.http.aclose()  # opened again if the app is served again (tests)
            if on_loop(app.loop_db):  # PostgreSQL: its connections belong to this event loop
                app.loop_db.dispose()

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
        try:
            await telegram.feed(data)
        except Exception as exc:  # not stored: no 200, so Telegram delivers the update again
            log.error("telegram update not stored error=%s", type(exc).__name__)
            return Response(status_code=503)
        return Response(status_code=200)

    async def whatsapp_verify(request: Request) -> Response:
        """Meta's verification handshake: echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
        if whatsapp is None:
            return Response(status_code=404)
        challenge = whatsapp.handshake(request.query_params)
        if challenge is None:
            return Response(status_code=403)
        return PlainTextResponse(challenge)

    async def whatsapp_webhook(request: Request) -> Response:
        """Signature first (401 without, 403 wrong), then parse, queue and answer 200 at once."""
        if whatsapp is None:
            return Response(status_code=404)
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            return Response(status_code=401)
        body = await read_body(request, WHATSAPP_MAX_BODY)
        if body is None:
            return Response(status_code=413)
        verdict = whatsapp.check_signature(body, header)
        if verdict is not Signature.OK:
            log.warning("whatsapp webhook refused: signature %s", verdict)
            return Response(status_code=401 if verdict is Signature.MISSING else 403)
        try:
            data = json.loads(body)
        except ValueError:  # JSONDecodeError or UnicodeDecodeError
            return Response(status_code=400)
        if not isinstance(data, dict):
            return Response(status_code=400)
        try:
            accepted = await whatsapp.accept(data)
        except Exception as exc:  # not stored: no 200, so Meta delivers the webhook again
            log.error("whatsapp webhook not stored error=%s", type(exc).__name__)
            accepted = False
        if not accepted:
            return Response(status_code=503)  # Meta delivers it again later
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

    async def chat_updates(request: Request) -> Response:
        """Staff replies waiting for this web chat user (the page polls while a person helps)."""
        user = request.cookies.get(WEB_COOKIE) or ""
        if not (len(user) == 32 and user.isalnum()):
            return JSONResponse({"replies": []})
        session_id = app.pseudonymize("web", user)
        texts = await asyncio.to_thread(app.handoff.take_for_session, session_id, "web")
        return JSONResponse({"replies": [{"text": text, "choices": []} for text in texts]})

    async def index(request: Request) -> Response:
        return RedirectResponse("/chat")

    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
        Route("/whatsapp/webhook", whatsapp_verify, methods=["GET"]),
        Route("/whatsapp/webhook", whatsapp_webhook, methods=["POST"]),
        Route("/chat", chat_page),
        Route("/chat/api", chat_api, methods=["POST"]),
        Route("/chat/api/updates", chat_updates, methods=["GET"]),
        Mount("/desk", app=create_desk_app(app)),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
