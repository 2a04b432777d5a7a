"""WhatsApp webhooks: the signature check, the verification handshake, and webhook JSON → Inbound.

Meta signs every webhook ``POST`` with ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of
the raw body keyed with the app secret. The route checks it before the body is parsed.

One webhook can carry several messages, status notifications (sent/delivered/read/failed) and
errors. Messages become :class:`Incoming` items; statuses are not answered (failures are logged
by code); anything malformed is skipped, never raised. Nothing here logs a phone number or text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeGuard

from bot.messages import Inbound, Location

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_CHOICE_ID = 256
MAX_CHALLENGE = 256

# The sender: a phone number (``from``, digits) or, for people who hide their number behind a
# username, the business-scoped user id (``from_user_id``, e.g. ``MX.1234567890``).
PHONE = re.compile(r"\d{5,20}")
BSUID = re.compile(r"[A-Z]{2}\.[A-Za-z0-9.]{1,160}")

# Notifications about the account or the person, not messages to answer.
IGNORED_TYPES = frozenset({"system", "request_welcome", "ephemeral", "revoked"})


class Signature(StrEnum):
    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


def check_signature(body: bytes, header: str | None, app_secret: bytes) -> Signature:
    """Compare ``X-Hub-Signature-256`` with the HMAC-SHA256 of the raw body, in constant time."""
    if not header or not header.strip():
        return Signature.MISSING
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        return Signature.INVALID
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    if hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        return Signature.OK
    return Signature.INVALID


def sign(body: bytes, app_secret: bytes) -> str:
    """The header value Meta would send for ``body`` (for tests and local tools)."""
    return "sha256=" + hmac.new(app_secret, body, hashlib.sha256).hexdigest()


def handshake(params: Mapping[str, str], verify_token: str | None) -> str | None:
    """The challenge to echo when Meta verifies the webhook with our token, else ``None``."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge", "")
    if (
        not challenge
        or len(challenge) > MAX_CHALLENGE
        or not (challenge.isascii() and challenge.isprintable())
    ):
        return None
    if any(ch.isspace() for ch in challenge):
        return None
    return challenge


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a webhook. ``inbound.user_id`` is also the address to reply to."""

    inbound: Inbound
    sent_at: datetime | None  # the message's own time: WhatsApp's 24-hour window starts here


def parse_webhook(data: object, phone_number_id: str) -> list[Incoming]:
    """The messages in a webhook for our phone number, in the order they came."""
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        return []
    out: list[Incoming] = []
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            target = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if str(target) != phone_number_id:
                log.warning("whatsapp webhook for another phone number id ignored")
                continue
            _log_statuses(value)
            for message in _dicts(value.get("messages")):
                incoming = _incoming(message)
                if incoming is not None:
                    out.append(incoming)
    return out


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _log_statuses(value: dict[str, Any]) -> None:
    for status in _dicts(value.get("statuses")):
        if status.get("status") == "failed":
            codes = [e.get("code") for e in _dicts(status.get("errors"))]
            log.warning("whatsapp delivery failed codes=%s", ",".join(str(c) for c in codes) or "none")
    for error in _dicts(value.get("errors")):
        log.warning("whatsapp webhook error code=%s", error.get("code"))


def _sender(message: dict[str, Any]) -> str | None:
    phone = message.get("from")
    if isinstance(phone, str) and PHONE.fullmatch(phone):
        return phone
    user_id = message.get("from_user_id")
    if isinstance(user_id, str) and BSUID.fullmatch(user_id):
        return user_id
    return None


def _timestamp(value: object) -> datetime | None:
    try:
        seconds = int(str(value))
    except ValueError:
        return None
    if not 0 < seconds < 10**11:
        return None
    return datetime.fromtimestamp(seconds, UTC)


def _incoming(message: dict[str, Any]) -> Incoming | None:
    if "group_id" in message:  # group chats are not served, as on Telegram
        return None
    kind = message.get("type")
    if not isinstance(kind, str):
        kind = ""
    if kind in IGNORED_TYPES:
        return None
    message_id = message.get("id")
    user = _sender(message)
    if not isinstance(message_id, str) or not message_id or len(message_id) > 256 or user is None:
        log.warning("whatsapp message without a usable id or sender ignored type=%s", _safe_kind(kind))
        return None
    inbound = _inbound(kind, message, user, message_id)
    if inbound is None:
        return None
    return Incoming(inbound, _timestamp(message.get("timestamp")))


def _inbound(kind: str, message: dict[str, Any], user: str, message_id: str) -> Inbound | None:
    unsupported = Inbound.unsupported(CHANNEL, user, message_id)
    body = message.get(kind) if kind else None
    if kind == "text":
        text = body.get("body") if isinstance(body, dict) else None
        return Inbound.from_text(CHANNEL, user, text, message_id) if isinstance(text, str) else unsupported
    if kind == "interactive" and isinstance(body, dict):
        reply = body.get(str(body.get("type")))
        if body.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
            choice = reply.get("id")
            if isinstance(choice, str) and 0 < len(choice) <= MAX_CHOICE_ID:
                return Inbound.from_choice(CHANNEL, user, choice, message_id)
        return unsupported  # a Flow answer (nfm_reply) or something new
    if kind == "button" and isinstance(body, dict):  # a quick-reply button of a template
        payload = body.get("payload")
        if isinstance(payload, str) and 0 < len(payload) <= MAX_CHOICE_ID:
            return Inbound.from_choice(CHANNEL, user, payload, message_id)
        return unsupported
    if kind == "location" and isinstance(body, dict):
        lat, lon = body.get("latitude"), body.get("longitude")
        if _number(lat) and _number(lon):
            return Inbound.from_location(CHANNEL, user, Location(float(lat), float(lon)), message_id)
        return unsupported
    if kind == "reaction":
        # Taking a reaction back (no emoji) is not a message to answer.
        emoji = body.get("emoji") if isinstance(body, dict) else None
        return unsupported if emoji else None
    return unsupported  # audio, image, sticker, document, contacts and whatever comes next


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _safe_kind(kind: str) -> str:
    return kind if kind.isidentifier() and len(kind) <= 32 else "?"
