"""Logging that never carries message text, phone numbers, tokens or raw ids.

Our own code logs pseudonymous ids only. Third-party loggers that print request URLs (httpx puts
the Telegram bot token in the URL path) are raised to WARNING, and so is Alembic, whose start-up
chatter (a dozen lines per schema check) would bury the banner.
"""

from __future__ import annotations

import logging

NOISY = ("httpx", "httpcore", "telegram", "telegram.ext", "apscheduler", "uvicorn.access", "alembic")


def configure(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
