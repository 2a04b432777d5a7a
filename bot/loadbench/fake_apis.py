"""The Telegram Bot API and the WhatsApp Graph API, faked on loopback, recording every reply.

A bare ASGI app (no framework: the load generator shares its process and its two cores with
everything else) that answers what ``brujula serve`` calls: Telegram ``getMe``, ``setWebhook``,
``deleteWebhook``, ``answerCallbackQuery``, ``sendMessage``, ``sendLocation``; Graph
``POST /{version}/{phone number id}/messages``. Each reply is reported to ``on_reply`` with the
channel, the address it went to and a key that identifies its content.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
OnReply = Callable[[str, str, str], None]  # (channel, address, content key)

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Brujula", "username": "brujula_bench_bot"}


class ReplyRecorder:
    def __init__(self, *, telegram_token: str, phone_number_id: str, on_reply: OnReply) -> None:
        self._telegram = f"/bot{telegram_token}/"
        self._graph = f"/{phone_number_id}/messages"
        self._on_reply = on_reply
        self._next_id = 1000
        self.calls: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope.get("headers") or [])
        status, result = self._answer(scope["path"], headers.get(b"content-type", b"").decode(), bytes(body))
        payload = json.dumps(result).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, Any]:
        if path.startswith(self._telegram):
            method = path[len(self._telegram) :]
            self.calls[method] = self.calls.get(method, 0) + 1
            return 200, {"ok": True, "result": self._telegram_result(method, _params(content_type, body))}
        if path.endswith(self._graph):
            self.calls["messages"] = self.calls.get("messages", 0) + 1
            data = json.loads(body)
            to = str(data.pop("to", ""))
            self._on_reply("whatsapp", to, json.dumps(data, sort_keys=True, ensure_ascii=False))
            self._next_id += 1
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.bench{self._next_id}"}],
            }
        return 404, {"error": {"message": "unknown path", "code": 100}}

    def _telegram_result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method not in ("sendMessage", "sendLocation"):
            return True  # setWebhook, deleteWebhook, answerCallbackQuery, …
        chat_id = str(params.get("chat_id", ""))
        key = json.dumps(
            [method, params.get("text"), params.get("reply_markup"), params.get("latitude")],
            ensure_ascii=False,
        )
        self._on_reply("telegram", chat_id, key)
        self._next_id += 1
        result: dict[str, Any] = {
            "message_id": self._next_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id or 0), "type": "private"},
            "from": BOT_USER,
        }
        if method == "sendMessage":
            result["text"] = params.get("text", "")
        else:
            result["location"] = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        return result


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(body.decode()))
