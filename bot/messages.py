"""The one canonical message shape that every channel converts to and from.

Adapters translate wire formats (a Telegram ``Update``, a WhatsApp webhook, a console line) into
an :class:`Inbound` and turn the :class:`Outbound` list that the dialogue engine returns into API
calls. The engine never sees a channel library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class InboundKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    LOCATION = "location"
    UNSUPPORTED = "unsupported"  # stickers, photos, audio, documents…


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float

    def is_valid(self) -> bool:
        return -90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message from a person, already stripped of its channel's wire format.

    ``user_id`` is the raw channel id; only the engine's pseudonymiser and the adapter that
    replies see it. It is never stored or logged.
    """

    channel: str
    user_id: str
    kind: InboundKind
    text: str = ""
    choice: str = ""
    location: Location | None = None
    message_id: str = ""

    @classmethod
    def from_text(cls, channel: str, user_id: str, text: str, message_id: str = "") -> Inbound:
        return cls(channel, user_id, InboundKind.TEXT, text=text, message_id=message_id)

    @classmethod
    def from_choice(cls, channel: str, user_id: str, choice: str, message_id: str = "") -> Inbound:
        return cls(channel, user_id, InboundKind.CHOICE, choice=choice, message_id=message_id)

    @classmethod
    def from_location(cls, channel: str, user_id: str, location: Location, message_id: str = "") -> Inbound:
        return cls(channel, user_id, InboundKind.LOCATION, location=location, message_id=message_id)

    @classmethod
    def unsupported(cls, channel: str, user_id: str, message_id: str = "") -> Inbound:
        return cls(channel, user_id, InboundKind.UNSUPPORTED, message_id=message_id)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. ``id`` travels back as :attr:`Inbound.choice` (≤ 64 bytes for Telegram)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """One reply bubble: text, optional buttons, an optional map pin, an optional location request."""

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    location: Location | None = None
    location_title: str = ""
    request_location: str = ""  # label of a "share my location" button; empty: no request
    audio: Path | None = None  # a voice recording of the text, sent before it where channels can

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "text": self.text,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
        }
        if self.location is not None:
            data["location"] = {
                "latitude": self.location.latitude,
                "longitude": self.location.longitude,
                "title": self.location_title,
            }
        if self.request_location:
            data["request_location"] = self.request_location
        if self.audio is not None:
            data["audio"] = self.audio.name
        return data
