"""The WhatsApp Cloud API client: ``POST …/{phone_number_id}/messages`` through one
:class:`~bot.http_transport.Exchange` (in production aiohttp's connections, without httpx's
request and response objects: ``bot/http_transport.py``).

Explicit timeouts. A 429 or 5xx answer, a throttling error code or a network error is retried with
capped exponential backoff and jitter; ``Retry-After`` is honoured (a wait longer than the policy
allows fails the send instead of holding the person's queue). Failures are logged as Graph's
numeric codes with our own description — never the recipient, the message text, the token, or
Graph's free-text error message (it can quote the recipient).

Exceptions::

    GraphError              a message was not accepted by the Cloud API
    ├── GraphRejected       refused (4xx other than throttling): sending it again would not help
    └── GraphUnavailable    throttled, 5xx or unreachable after every retry
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from bot.http_transport import Answer, Exchange

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Graph error codes that mean "later": unknown/temporary errors and the throughput limits.
RETRY_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})

# Our own words for Graph's codes: what an operator should know or do. Graph's own message is not
# logged because it can contain the recipient's number.
DESCRIPTIONS: dict[int, str] = {
    0: "authentication failed: check WHATSAPP_ACCESS_TOKEN",
    1: "unknown error at the Cloud API",
    2: "the Cloud API is temporarily unavailable",
    3: "the app lacks a permission for this call",
    4: "application rate limit reached",
    10: "permission denied: the token needs whatsapp_business_messaging",
    100: "invalid parameter in the request (a payload bug)",
    190: "access token invalid or expired: renew WHATSAPP_ACCESS_TOKEN",
    368: "the business number is temporarily blocked for policy violations",
    80007: "WhatsApp Business Account rate limit reached",
    130429: "message throughput limit reached",
    131000: "the Cloud API failed for an unknown reason",
    131005: "access denied: check the token's permissions",
    131008: "required parameter missing (a payload bug)",
    131009: "parameter value not valid (a payload bug)",
    131016: "the Cloud API service is temporarily unavailable",
    131021: "the recipient is the business number itself",
    131026: "message undeliverable (no WhatsApp, old app version, or terms not accepted)",
    131030: "recipient not in the test number's allowed list",
    131031: "the business account is locked",
    131042: "payment problem on the business account",
    131045: "the phone number is not registered (certificate)",
    131047: "outside the 24-hour customer service window: only a template may be sent",
    131048: "spam rate limit: too many of our messages were blocked or reported",
    131051: "unsupported message type",
    131056: "too many messages to the same person in a short time",
    133010: "the business phone number is not registered with the Cloud API",
}


def describe(code: int | None) -> str:
    if code is None:
        return "no error code in the answer"
    if 200 <= code <= 299:
        return "permission not granted to the app"
    return DESCRIPTIONS.get(code, "see Meta's error code reference")


class GraphError(Exception):
    """A message was not accepted. ``str(error)`` is safe to log: codes and our description only."""

    def __init__(self, description: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.code = code


class GraphRejected(GraphError):
    pass


class GraphUnavailable(GraphError):
    pass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the first retry, doubled for each further one
    max_delay: float = 8.0  # cap of one backoff wait
    max_retry_after: float = 60.0  # a longer Retry-After fails the send instead of waiting

    def backoff(self, retry: int, jitter: float) -> float:
        """The wait before retry number ``retry`` (1-based): capped, then "equal jitter"."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return ceiling / 2 + ceiling / 2 * jitter


@dataclass(frozen=True, slots=True)
class GraphFailure:
    """What a non-2xx answer said, in loggable parts."""

    status: int
    code: int | None
    subcode: int | None
    trace: str | None

    @classmethod
    def from_response(cls, response: Answer) -> GraphFailure:
        code = subcode = None
        trace = None
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if isinstance(error, dict):
            code = _int_or_none(error.get("code"))
            subcode = _int_or_none(error.get("error_subcode"))
            raw_trace = error.get("fbtrace_id")
            trace = raw_trace if isinstance(raw_trace, str) and raw_trace.isprintable() else None
        return cls(response.status, code, subcode, trace)

    @property
    def retryable(self) -> bool:
        return self.status in RETRY_STATUSES or self.code in RETRY_CODES

    def __str__(self) -> str:
        parts = [f"status={self.status}", f"code={self.code}"]
        if self.subcode is not None:
            parts.append(f"subcode={self.subcode}")
        if self.trace:
            parts.append(f"trace={self.trace[:40]}")
        return " ".join(parts) + f" ({describe(self.code)})"


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


Sleep = Callable[[float], Awaitable[Any]]


class GraphClient:
    """Sends message payloads for one business phone number. Close it with :meth:`aclose`."""

    def __init__(
        self,
        *,
        base_url: str,
        phone_number_id: str,
        access_token: str,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: Exchange,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.messages_url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.media_url = f"{base_url.rstrip('/')}/{phone_number_id}/media"
        self._media: dict[tuple[str, int], str] = {}
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self._timeout = timeout
        self._http = http  # ``bot.http_transport.AiohttpTransport`` in the app
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._json = {**self._auth, "Content-Type": "application/json"}

    async def send(self, payload: dict[str, Any], *, kind: str = "message") -> str:
        """POST one message; returns Graph's message id. ``kind`` names it in logs (never content)."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        response = await self._post(self.messages_url, kind, body.encode(), self._json)
        return _message_id(response)

    async def upload_audio(self, path: Path) -> str:
        """Upload a voice recording once per file version; returns Graph's media id."""
        key = (str(path), (await asyncio.to_thread(path.stat)).st_mtime_ns)
        cached = self._media.get(key)
        if cached:
            return cached
        mime = "audio/ogg" if path.suffix in (".ogg", ".opus") else "audio/mpeg"
        files = {"file": (path.name, await asyncio.to_thread(path.read_bytes), mime)}
        data = {"messaging_product": "whatsapp", "type": mime}
        form = httpx.Request("POST", self.media_url, files=files, data=data)  # multipart, encoded
        headers = {**self._auth, "Content-Type": form.headers["Content-Type"]}
        response = await self._post(self.media_url, "media", form.read(), headers)
        media_id = str(response.json().get("id") or "")
        if media_id:
            self._media[key] = media_id
        return media_id

    async def _post(self, url: str, kind: str, body: bytes, headers: dict[str, str]) -> Answer:
        policy = self._retry
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                response = await self._http.exchange(
                    "POST", url, content=body, headers=headers, timeouts=self._timeout
                )
            except httpx.TransportError as exc:
                if last:
                    log.error("whatsapp send failed kind=%s network=%s", kind, type(exc).__name__)
                    raise GraphUnavailable(f"network error {type(exc).__name__}") from None
                wait = policy.backoff(attempt, self._jitter())
                log.warning(
                    "whatsapp send retry kind=%s attempt=%d network=%s wait=%.1fs",
                    kind,
                    attempt,
                    type(exc).__name__,
                    wait,
                )
                await self._sleep(wait)
                continue
            if response.is_success:
                return response
            failure = GraphFailure.from_response(response)
            if not failure.retryable:
                log.error("whatsapp send rejected kind=%s %s", kind, failure)
                raise GraphRejected(str(failure), status=failure.status, code=failure.code)
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > policy.max_retry_after:
                log.error("whatsapp send failed kind=%s %s retry_after=%.0fs", kind, failure, retry_after)
                raise GraphUnavailable(str(failure), status=failure.status, code=failure.code)
            if last:
                log.error("whatsapp send failed kind=%s %s after %d attempts", kind, failure, attempt)
                raise GraphUnavailable(str(failure), status=failure.status, code=failure.code)
            wait = policy.backoff(attempt, self._jitter())
            if retry_after is not None:
                wait = max(wait, retry_after + policy.base_delay * self._jitter())
            log.warning("whatsapp send retry kind=%s attempt=%d %s wait=%.1fs", kind, attempt, failure, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def aclose(self) -> None:
        await self._http.aclose()


def _message_id(response: Answer) -> str:
    try:
        messages = response.json().get("messages")
        first = messages[0] if isinstance(messages, list) and messages else {}
        message_id = first.get("id") if isinstance(first, dict) else None
    except (ValueError, AttributeError):
        message_id = None
    return message_id if isinstance(message_id, str) else ""
