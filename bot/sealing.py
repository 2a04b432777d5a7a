"""Sealed channel addresses: the raw chat id / phone number a staff reply must reach.

Stored only while a handoff ticket needs it, encrypted (Fernet) with a key derived from
``BRUJULA_SECRET_KEY``; purged with the ticket.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class Sealer:
    def __init__(self, secret_key: str) -> None:
        derived = hmac.new(secret_key.encode(), b"brujula:address-sealing:v1", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
