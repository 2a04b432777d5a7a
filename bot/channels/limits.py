"""Channel limits as data, and splitting long texts cleanly (never mid-word)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    text: int
    callback_bytes: int | None = None
    buttons: int | None = None
    button_title: int | None = None
    list_rows: int | None = None
    row_title: int | None = None


TELEGRAM = ChannelLimits(text=4096, callback_bytes=64)
WHATSAPP = ChannelLimits(text=4096, buttons=3, button_title=20, list_rows=10, row_title=24)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraph, line or word boundaries."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        for boundary in ("\n\n", "\n", " "):  # the widest boundary in the second half of the window
            cut = window.rfind(boundary)
            if cut >= limit // 2:
                break
        else:  # none there: the last boundary of any kind, however early
            cut = max(window.rfind("\n"), window.rfind(" "))
        if cut <= 0:
            cut = limit  # one unbroken word longer than the limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
