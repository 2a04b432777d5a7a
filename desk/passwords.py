"""Password hashing (argon2id) and the rules a new password must meet.

:class:`Argon2Passwords` defaults to OWASP's recommended argon2id parameters (19 MiB, 2 passes,
1 lane: about 0.1 s per check on a 2-core server). :meth:`Argon2Passwords.check_unknown` spends
the same time on a made-up hash, so a login with an unknown username takes as long as one with a
wrong password.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool: ...

    def check_unknown(self, password: str) -> None: ...

    def needs_rehash(self, hashed: str) -> bool: ...


class Argon2Passwords:
    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19 * 1024, parallelism: int = 1) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        self._decoy = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def check_unknown(self, password: str) -> None:
        """The same work as :meth:`verify`, for a username that does not exist (or is disabled)."""
        self.verify(self._decoy, password)

    def needs_rehash(self, hashed: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True


def password_problem(password: str, *, username: str, min_length: int) -> str | None:
    """Why ``password`` cannot be used (one English line for the command line), or ``None``."""
    if len(password) < min_length:
        return f"the password needs at least {min_length} characters"
    if len(password) > 1024:
        return "the password is longer than 1024 characters"
    if password.strip().lower() == username.strip().lower():
        return "the password must not be the username"
    if len(set(password)) < 4:
        return "the password needs more different characters"
    return None
