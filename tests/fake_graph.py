"""Meta's side of the wire, offline: a fake WhatsApp Cloud API and webhooks as Meta sends them.

:class:`FakeGraph` sits behind ``httpx.MockTransport``. It records every message POSTed to
``/{phone_number_id}/messages``, checks the bearer token, checks each payload against WhatsApp's
documented limits (answering ``400``/code ``131009`` like the real API when one is broken), and can
be told to fail the next requests (429 with ``Retry-After``, 5xx, Graph error codes).

:class:`Meta` builds webhooks from the recorded-format fixtures in ``tests/fixtures/whatsapp/``,
signs them with the app secret and posts them to the web app.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import GraphClient, RetryPolicy
from bot.channels.whatsapp_webhook import SIGNATURE_HEADER, sign
from bot.dialogue.engine import DialogueEngine
from bot.http_transport import HttpxExchange
from bot.identity import Pseudonymizer
from bot.inbox import Inbox, MemoryInbox
from bot.sealing import Sealer
from bot.sessions import MemorySessionStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "test-access-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
BASE_URL = "https://graph.test/v21.0"
USER = "16505550123"  # a fictional number (555-01xx)
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # the engine fixture's clock; fixtures are 5 min older


def problems(payload: dict[str, Any]) -> list[str]:
    """What WhatsApp would refuse in a message payload (the documented limits)."""
    out: list[str] = []
    if payload.get("messaging_product") != "whatsapp":
        out.append("messaging_product")
    if not (payload.get("to") or payload.get("recipient")):
        out.append("no recipient")
    kind = payload.get("type")
    if kind == "text":
        body = payload["text"]["body"]
        if not body or len(body) > 4096:
            out.append(f"text body of {len(body)} characters")
    elif kind == "location":
        loc = payload["location"]
        if not (-90 <= loc["latitude"] <= 90 and -180 <= loc["longitude"] <= 180):
            out.append("coordinates")
    elif kind == "interactive":
        out += _interactive_problems(payload["interactive"])
    elif kind == "audio":
        if not str(payload["audio"].get("id", "")).startswith("media-"):
            out.append("audio without an uploaded media id")
    else:
        out.append(f"type {kind!r}")
    return out


def _interactive_problems(interactive: dict[str, Any]) -> list[str]:
    out: list[str] = []
    body = interactive.get("body", {}).get("text", "")
    if not body or len(body) > 1024:
        out.append(f"interactive body of {len(body)} characters")
    action = interactive.get("action", {})
    kind = interactive.get("type")
    if kind == "button":
        buttons = action.get("buttons", [])
        titles = [b["reply"]["title"] for b in buttons]
        if not 1 <= len(buttons) <= 3:
            out.append(f"{len(buttons)} buttons")
        if len({t.casefold() for t in titles}) != len(titles):
            out.append("duplicate button titles")
        for b in buttons:
            if not 1 <= len(b["reply"]["title"]) <= 20:
                out.append(f"button title {b['reply']['title']!r}")
            if not 1 <= len(b["reply"]["id"]) <= 256:
                out.append("button id length")
    elif kind == "list":
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        if not 1 <= len(rows) <= 10:
            out.append(f"{len(rows)} rows")
        if not 1 <= len(action.get("button", "")) <= 20:
            out.append(f"list button {action.get('button')!r}")
        if len({r["id"] for r in rows}) != len(rows):
            out.append("duplicate row ids")
        for row in rows:
            if not 1 <= len(row["title"]) <= 24:
                out.append(f"row title {row['title']!r}")
            if len(row.get("description", "")) > 72:
                out.append(f"row description {row['description']!r}")
            if not 1 <= len(row["id"]) <= 200:
                out.append("row id length")
    elif kind == "location_request_message":
        if action != {"name": "send_location"}:
            out.append("location request action")
    else:
        out.append(f"interactive type {kind!r}")
    return out


def error(status: int, code: int, *, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {
        "error": {
            "message": f"(#{code}) something about +{USER}",  # Graph's text may quote the number
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": f"recipient {USER}"},
            "fbtrace_id": "AbCdEfGh123",
        }
    }
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class FakeGraph:
    sent: list[dict[str, Any]] = field(default_factory=list)  # accepted payloads, in order
    attempts: int = 0  # every POST, failed ones included
    failures: deque[httpx.Response] = field(default_factory=deque)  # answered before any success
    uploads: list[bytes] = field(default_factory=list)  # media uploads (multipart bodies)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def fail_next(self, *responses: httpx.Response) -> None:
        self.failures.extend(responses)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return error(401, 190)
        if request.method == "POST" and request.url.path == f"/v21.0/{PHONE_NUMBER_ID}/media":
            self.uploads.append(request.read())
            return httpx.Response(200, json={"id": f"media-{len(self.uploads)}"})
        if request.method != "POST" or request.url.path != f"/v21.0/{PHONE_NUMBER_ID}/messages":
            return error(400, 100)
        self.attempts += 1
        if self.failures:
            return self.failures.popleft()
        payload = json.loads(request.content)
        wrong = problems(payload)
        if wrong:
            return error(400, 131009)
        self.sent.append(payload)
        recipient = payload.get("to") or payload.get("recipient")
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": recipient}],
                "messages": [{"id": f"wamid.sent{len(self.sent)}"}],
            },
        )

    # -- what the person saw ---------------------------------------------------------------------

    def to(self, address: str) -> list[dict[str, Any]]:
        return [p for p in self.sent if address in (p.get("to"), p.get("recipient"))]

    @staticmethod
    def text_of(payload: dict[str, Any]) -> str:
        if payload["type"] == "text":
            return str(payload["text"]["body"])
        if payload["type"] == "interactive":
            return str(payload["interactive"]["body"]["text"])
        return ""

    @staticmethod
    def choices_of(payload: dict[str, Any]) -> list[str]:
        if payload["type"] != "interactive":
            return []
        action = payload["interactive"]["action"]
        if "buttons" in action:
            return [b["reply"]["id"] for b in action["buttons"]]
        return [row["id"] for s in action.get("sections", []) for row in s["rows"]]

    def texts(self, address: str = USER) -> list[str]:
        return [self.text_of(p) for p in self.to(address)]

    def choices(self, address: str = USER) -> list[str]:
        return [c for p in self.to(address) for c in self.choices_of(p)]


class Meta:
    """Builds webhooks from the recorded fixtures and posts them, signed, to the web app."""

    def __init__(self, secret: str = APP_SECRET) -> None:
        self.secret = secret.encode()
        self._next = 0

    @staticmethod
    def fixture(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        return data

    def message(
        self, name: str, *, user: str = USER, message_id: str | None = None, **changes: Any
    ) -> dict[str, Any]:
        """The fixture ``name`` from ``user`` with a fresh message id (unless one is given)."""
        data = copy.deepcopy(self.fixture(name))
        value = data["entry"][0]["changes"][0]["value"]
        message = value["messages"][0]
        self._next += 1
        message["id"] = message_id or f"{message['id'][:-4]}{self._next:04d}"
        message["from"] = user
        value["contacts"][0]["wa_id"] = user
        for key, new in changes.items():
            target = message
            *path, last = key.split("__")
            for part in path:
                target = target[part]
            target[last] = new
        return data

    def text(self, text: str, *, user: str = USER, message_id: str | None = None) -> dict[str, Any]:
        return self.message("text", user=user, message_id=message_id, text__body=text)

    def tap(self, graph: FakeGraph, choice: str, *, user: str = USER) -> dict[str, Any]:
        """A tap on a button or list row that ``graph`` recorded as offered to ``user`` last."""
        for payload in reversed(graph.to(user)):
            if choice not in graph.choices_of(payload):
                continue
            interactive = payload["interactive"]
            if interactive["type"] == "button":
                title = next(
                    b["reply"]["title"]
                    for b in interactive["action"]["buttons"]
                    if b["reply"]["id"] == choice
                )
                reply = {"type": "button_reply", "button_reply": {"id": choice, "title": title}}
                return self.message("button_reply", user=user, interactive=reply)
            rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
            row = next(r for r in rows if r["id"] == choice)
            reply = {
                "type": "list_reply",
                "list_reply": {"id": choice, "title": row["title"], "description": ""},
            }
            return self.message("list_reply", user=user, interactive=reply)
        raise AssertionError(f"no button or row {choice!r} was offered; offered: {graph.choices(user)}")

    def location(self, lat: float, lon: float, *, user: str = USER) -> dict[str, Any]:
        return self.message("location", user=user, location={"latitude": lat, "longitude": lon})

    def body(self, data: dict[str, Any]) -> bytes:
        return json.dumps(data, ensure_ascii=False).encode()

    def signature(self, body: bytes) -> str:
        return sign(body, self.secret)

    async def post(
        self, client: httpx.AsyncClient, data: dict[str, Any], *, signature: str | None = "valid"
    ) -> httpx.Response:
        body = self.body(data)
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers[SIGNATURE_HEADER] = self.signature(body)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        return await client.post("/whatsapp/webhook", content=body, headers=headers)


class RecordedSleep:
    """Stands in for ``asyncio.sleep`` in the Graph client: records the waits, waits for nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def whatsapp_channel(
    graph: FakeGraph,
    engine: DialogueEngine,
    sessions: MemorySessionStore,
    *,
    inbox: Inbox | None = None,
    sleep: RecordedSleep | None = None,
    handle: Callable[..., Any] | None = None,
    clock: Callable[[], datetime] = lambda: NOW,
    max_pending: int = 1000,
) -> WhatsAppChannel:
    """The production channel wired to the fake Graph API and the test engine."""
    return WhatsAppChannel(
        api=GraphClient(
            base_url=BASE_URL,
            phone_number_id=PHONE_NUMBER_ID,
            access_token=ACCESS_TOKEN,
            http=HttpxExchange(graph.transport()),
            retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0),
            sleep=sleep or RecordedSleep(),
            jitter=lambda: 0.5,
        ),
        handle=handle or engine.handle,
        pseudonymize=Pseudonymizer("test-secret"),  # as the engine fixture: the channel reads its sessions
        inbox=inbox if inbox is not None else MemoryInbox(),
        sealer=Sealer("test-secret"),
        sessions=sessions,
        app_secret=APP_SECRET,
        phone_number_id=PHONE_NUMBER_ID,
        verify_token=VERIFY_TOKEN,
        clock=clock,
        max_pending=max_pending,
    )


@contextlib.asynccontextmanager
async def web_client(
    channel: WhatsAppChannel, engine: DialogueEngine, tmp: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The real web app (ASGI, no network) with ``channel`` started, as ``brujula serve`` runs it."""
    from bot.composition import build_app
    from bot.settings import load_settings
    from bot.web.app import create_web_app

    settings = load_settings(
        BRUJULA_DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite'}",
        BRUJULA_NLU_URL="http://127.0.0.1:9",
    )
    app = build_app(settings)
    app.engine = engine
    web = create_web_app(app, None, channel)
    await channel.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web), base_url="http://test"
        ) as client:
            yield client
    finally:
        await channel.stop()
        await app.aclose()
