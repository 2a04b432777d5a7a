"""Where a person can reach the assistant, printed on the referral slip as a link and a QR code.

From the settings ``BRUJULA_TELEGRAM_BOT_USERNAME`` (``https://t.me/<username>``) and
``BRUJULA_WHATSAPP_PUBLIC_NUMBER`` (``https://wa.me/<digits>``); nothing when they are unset.
The QR code is an SVG drawn on the server (segno) and sent as a ``data:`` image, which the
desk's Content-Security-Policy allows — no script, nothing fetched from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class AssistantLink:
    channel: str  # "telegram" | "whatsapp"
    url: str
    qr: str  # data:image/svg+xml,… of the URL's QR code


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=3, border=2))


def assistant_links(settings: Settings) -> tuple[AssistantLink, ...]:
    links = []
    if settings.telegram_bot_username:
        links.append(("telegram", f"https://t.me/{settings.telegram_bot_username}"))
    if settings.whatsapp_public_number:
        links.append(("whatsapp", f"https://wa.me/{settings.whatsapp_public_number}"))
    return tuple(AssistantLink(channel, url, qr_data_uri(url)) for channel, url in links)
