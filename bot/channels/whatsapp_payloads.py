"""Outbound → WhatsApp Cloud API message payloads, within WhatsApp's limits.

One :class:`~bot.messages.Outbound` becomes, in this order:

- its text, cut at paragraph, line or word boundaries into messages of at most 4096 characters;
- with 1–3 choices, reply buttons (titles of at most 20 characters, shortened at a word boundary);
  with 4–10, a list (row titles of at most 24, the full label as the row's description); with more,
  several lists of at most 10 rows in the original order — no choice is ever dropped silently.
  An interactive message's body holds at most 1024 characters, so the end of the text becomes the
  body and what comes before it is sent as plain text first;
- a map pin (``location``) when the reply carries one;
- WhatsApp's own location request (``location_request_message``) when the reply asks for one.

Payloads are returned without a recipient; :func:`addressed` adds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.channels.limits import WHATSAPP, split_text
from bot.messages import Choice, Outbound

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InteractiveLimits:
    """WhatsApp's limits for interactive messages (``limits.WHATSAPP`` holds the shared ones)."""

    body: int = 1024
    button_id: int = 256
    row_id: int = 200
    row_description: int = 72
    list_button: int = 20
    location_name: int = 1000


INTERACTIVE = InteractiveLimits()
BUTTONS = WHATSAPP.buttons or 3
BUTTON_TITLE = WHATSAPP.button_title or 20
LIST_ROWS = WHATSAPP.list_rows or 10
ROW_TITLE = WHATSAPP.row_title or 24
# Graph refuses these codes for a malformed payload: an interactive message is then sent as text.
PAYLOAD_ERROR_CODES = frozenset({100, 131008, 131009, 131051})


@dataclass(frozen=True, slots=True)
class Labels:
    """Words the adapter adds to what the engine said, already in the person's language."""

    list_button: str  # the button that opens a list, e.g. "See options"
    more: str  # the body of a second, third… list; may use {page} and {pages}


@dataclass(frozen=True, slots=True)
class Message:
    kind: str  # "text" | "buttons" | "list" | "location" | "location_request" (for logs)
    payload: dict[str, Any]
    fallback: str | None = field(default=None)  # plain text if Graph refuses the interactive form


def addressed(message: Message, address: str) -> dict[str, Any]:
    """The full request body: a phone number goes in ``to``, a business-scoped user id in ``recipient``."""
    recipient = {"to": address} if address.isdigit() else {"recipient": address}
    return {"messaging_product": "whatsapp", "recipient_type": "individual", **recipient, **message.payload}


def text_message(text: str) -> Message:
    return Message("text", {"type": "text", "text": {"body": text, "preview_url": False}})


def needs_labels(reply: Outbound) -> bool:
    """Whether :func:`render` uses the :class:`Labels` for this reply (a list of choices, or
    choices without words of their own)."""
    choices = _usable(reply.choices)
    return bool(choices) and (len(choices) > BUTTONS or not reply.text.strip())


def render(reply: Outbound, labels: Labels) -> list[Message]:
    messages: list[Message] = []
    choices = _usable(reply.choices)
    text = reply.text.strip()
    if choices:
        head, body = split_for_body(text, INTERACTIVE.body)
        messages += [text_message(piece) for piece in split_text(head, WHATSAPP.text) if piece]
        messages += _interactive(body or labels.list_button, choices, labels)
    elif text:
        messages += [text_message(piece) for piece in split_text(text, WHATSAPP.text) if piece]
    if reply.location is not None:
        if reply.location.is_valid():
            pin: dict[str, Any] = {
                "latitude": reply.location.latitude,
                "longitude": reply.location.longitude,
            }
            if reply.location_title:
                pin["name"] = reply.location_title[: INTERACTIVE.location_name]
            messages.append(Message("location", {"type": "location", "location": pin}))
        else:
            log.warning("whatsapp map pin with invalid coordinates not sent")
    if reply.request_location:
        body = shorten(reply.request_location, INTERACTIVE.body)
        request = {
            "type": "location_request_message",
            "body": {"text": body},
            "action": {"name": "send_location"},
        }
        messages.append(Message("location_request", {"type": "interactive", "interactive": request}, body))
    return messages


def split_for_body(text: str, limit: int) -> tuple[str, str]:
    """``(head, body)``: ``body`` is the end of ``text`` that fits an interactive body."""
    if len(text) <= limit:
        return "", text
    start = len(text) - limit
    for separator in ("\n\n", "\n", " "):
        at = text.find(separator, start)
        if at != -1 and len(text) - at > limit // 4:
            return text[:at].rstrip(), text[at + len(separator) :].strip()
    return text[:start].rstrip(), text[start:].strip()


def shorten(label: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, ending in "…"."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-/(·") + "…"


def _unique(titles: list[str], limit: int) -> list[str]:
    """WhatsApp refuses two buttons with the same title: number the later ones."""
    seen: set[str] = set()
    out = []
    for title in titles:
        candidate, n = title, 2
        while candidate.casefold() in seen:
            suffix = f" {n}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            n += 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _usable(choices: tuple[Choice, ...]) -> list[Choice]:
    """Choices with a unique id that fits a list row (the tighter of the two id limits)."""
    out: list[Choice] = []
    ids: set[str] = set()
    for choice in choices:
        if not choice.id or len(choice.id) > INTERACTIVE.row_id:
            log.warning("whatsapp choice with an empty or overlong id not sent (length %d)", len(choice.id))
            continue
        if choice.id not in ids:
            ids.add(choice.id)
            out.append(choice)
    return out


def _more(template: str, page: int, pages: int) -> str:
    try:
        return template.format(page=page, pages=pages)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        return template


def _fallback(body: str, choices: list[Choice]) -> str:
    return "\n".join([body, "", *(f"• {' '.join(c.label.split())}" for c in choices)])


def _interactive(body: str, choices: list[Choice], labels: Labels) -> list[Message]:
    if len(choices) <= BUTTONS:
        titles = _unique([shorten(c.label, BUTTON_TITLE) or "…" for c in choices], BUTTON_TITLE)
        buttons = [
            {"type": "reply", "reply": {"id": c.id, "title": t}} for c, t in zip(choices, titles, strict=True)
        ]
        interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
        return [
            Message("buttons", {"type": "interactive", "interactive": interactive}, _fallback(body, choices))
        ]
    pages = -(-len(choices) // LIST_ROWS)
    # Balanced pages in the original order: 17 choices → 9 + 8, 25 → 9 + 8 + 8, never 10 + 1.
    size, extra = divmod(len(choices), pages)
    bounds = [page * size + min(page, extra) for page in range(pages + 1)]
    button = shorten(labels.list_button, INTERACTIVE.list_button) or "…"
    messages = []
    for page in range(pages):
        chunk = choices[bounds[page] : bounds[page + 1]]
        titles = _unique([shorten(c.label, ROW_TITLE) or "…" for c in chunk], ROW_TITLE)
        rows = []
        for choice, title in zip(chunk, titles, strict=True):
            row = {"id": choice.id, "title": title}
            full = " ".join(choice.label.split())
            if title != full:
                row["description"] = shorten(full, INTERACTIVE.row_description)
            rows.append(row)
        text = body if page == 0 else _more(labels.more, page + 1, pages)
        interactive = {
            "type": "list",
            "body": {"text": shorten(text, INTERACTIVE.body)},
            "action": {"button": button, "sections": [{"rows": rows}]},
        }
        messages.append(
            Message("list", {"type": "interactive", "interactive": interactive}, _fallback(text, chunk))
        )
    return messages
