"""Webhooks as Telegram and WhatsApp send them, for the load bench: fresh ids, the Telegram
secret header, WhatsApp's ``X-Hub-Signature-256`` (HMAC-SHA256 of the body with the app secret)."""

from __future__ import annotations

import itertools
import json
import random
import time
from typing import Any

from bot.channels.whatsapp_webhook import sign
from bot.loadbench.scripts import Step

TOKEN = "123456:BENCH-token"  # noqa: S105 - fake APIs on loopback
TG_SECRET = "bench-telegram-webhook-secret"  # noqa: S105
APP_SECRET = "bench-app-secret"  # noqa: S105
PHONE_ID = "106540352242922"


class Channels:
    """Builds Telegram updates and signed WhatsApp webhooks with fresh ids."""

    def __init__(self) -> None:
        self._update_id = itertools.count(random.randrange(10**6, 10**7))
        self._wamid = itertools.count(1)

    def telegram(self, chat_id: str, step: Step) -> tuple[str, bytes, dict[str, str]]:
        update_id = next(self._update_id)
        user = {"id": int(chat_id), "is_bot": False, "first_name": "P"}
        chat = {"id": int(chat_id), "type": "private", "first_name": "P"}
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if step.kind == "tap":
            body: dict[str, Any] = {
                "callback_query": {
                    "id": str(update_id),
                    "from": user,
                    "chat_instance": "ci",
                    "data": step.text,
                    "message": {**message, "text": "(buttons)"},
                }
            }
        elif step.kind == "location":
            body = {
                "message": {**message, "location": {"latitude": step.latitude, "longitude": step.longitude}}
            }
        else:
            body = {"message": {**message, "text": step.text}}
        data = json.dumps({"update_id": update_id, **body}, ensure_ascii=False).encode()
        headers = {"content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET}
        return "/telegram/webhook", data, headers

    def whatsapp(self, number: str, step: Step) -> tuple[str, bytes, dict[str, str]]:
        message: dict[str, Any] = {
            "from": number,
            "id": f"wamid.BENCH{next(self._wamid):012d}",
            "timestamp": str(int(time.time())),
        }
        if step.kind == "tap":
            message |= {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": step.text, "title": step.text[:20]},
                },
            }
        elif step.kind == "location":
            message |= {
                "type": "location",
                "location": {"latitude": step.latitude, "longitude": step.longitude},
            }
        else:
            message |= {"type": "text", "text": {"body": step.text}}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "P"}, "wa_id": number}],
            "messages": [message],
        }
        data = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
            },
            ensure_ascii=False,
        ).encode()
        return (
            "/whatsapp/webhook",
            data,
            {"content-type": "application/json", "x-hub-signature-256": sign(data, APP_SECRET.encode())},
        )
