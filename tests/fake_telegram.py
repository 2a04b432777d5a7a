"""A fake Telegram Bot API server on 127.0.0.1: serves getUpdates, records sendMessage & co."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nlu.service import free_port

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Brujula",
    "username": "brujula_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class FakeBotApi:
    token: str = "123456:TEST-token"
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _next_update: int = 1
    _next_message: int = 100
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None
    _new: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- building updates as Telegram would send them ------------------------------------------

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "es"}

    def _message(self, user_id: int, **extra: Any) -> dict[str, Any]:
        self._next_message += 1
        return {
            "message_id": self._next_message,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": self._user(user_id),
            **extra,
        }

    def update_text(self, user_id: int, text: str) -> dict[str, Any]:
        return self._update({"message": self._message(user_id, text=text)})

    def update_sticker(self, user_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self._update({"message": self._message(user_id, sticker=sticker)})

    def update_location(self, user_id: int, lat: float, lon: float) -> dict[str, Any]:
        return self._update({"message": self._message(user_id, location={"latitude": lat, "longitude": lon})})

    def update_choice(self, user_id: int, data: str) -> dict[str, Any]:
        return self._update(
            {
                "callback_query": {
                    "id": str(self._next_update),
                    "from": self._user(user_id),
                    "chat_instance": "ci",
                    "data": data,
                    "message": self._message(user_id, text="(buttons)"),
                }
            }
        )

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update, **body}
        self._next_update += 1
        return update

    def push(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new.set()

    # -- the API ---------------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            return dict(await request.json())
        form = await request.form()
        out: dict[str, Any] = {}
        for key, value in form.items():
            try:
                out[key] = json.loads(str(value))
            except json.JSONDecodeError:
                out[key] = str(value)
        return out

    async def _endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        if token != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        params = await self._params(request)
        self.calls.append(method)
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            offset = int(params.get("offset") or 0)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                self._new.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._new.wait(), timeout=min(float(params.get("timeout") or 0), 1.0)
                    )
                pending = [u for u in self.updates if u["update_id"] >= offset]
            result = pending
        elif method == "sendVoice":
            self.sent.append({"method": method, "chat_id": params.get("chat_id")})
            self._next_message += 1
            result = {
                "message_id": self._next_message,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "voice": {"file_id": "v", "file_unique_id": "v", "duration": 1},
            }
        elif method in ("sendMessage", "sendLocation"):
            self.sent.append({"method": method, **params})
            self._next_message += 1
            chat_id = int(params["chat_id"])
            result = {
                "message_id": self._next_message,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
            }
            if method == "sendMessage":
                result["text"] = params.get("text", "")
            else:
                result["location"] = {
                    "latitude": params["latitude"],
                    "longitude": params["longitude"],
                }
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return JSONResponse({"ok": True, "result": result})

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn exposes only a flag
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task

    async def wait_sent(self, count: int, within: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} sent messages, got {len(self.sent)}: {self.sent}")
            await asyncio.sleep(0.02)
        return self.sent
