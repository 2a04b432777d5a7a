"""Pseudonymous ids: a keyed hash of channel + user id. The raw id is never stored or logged."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    def __call__(self, channel: str, user_id: str) -> str:
        digest = hmac.new(self._key, f"{channel}:{user_id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]
