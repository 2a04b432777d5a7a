"""Login throttling, per username and per client address, kept in the database (any worker).

Each key (a keyed hash of ``user:<name>`` or ``addr:<address>``; neither is stored in clear)
counts failures within a window; at the limit it is locked for a while. An unknown username is
counted like a known one, so the answers do not tell which accounts exist. A successful login
clears the username's count but not the address's (a valid account must not reset the count of
someone trying other accounts from the same place).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from bot.sessions import utcnow
from desk.policy import DeskPolicy


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "desk_login_throttle"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = Field(default=None, index=True)


class Throttle:
    def __init__(
        self,
        engine: Engine,
        secret: str,
        policy: DeskPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._secret = secret.encode()
        self._policy = policy
        self._clock = clock

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"desk-throttle:{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (self._key("user", username.strip().lower()), self._policy.user_failures),
            (self._key("addr", address), self._policy.address_failures),
        ]

    def locked_until(self, username: str, address: str) -> datetime | None:
        """When the later of the two locks ends, or ``None`` if neither is locked now."""
        now = self._clock()
        until: datetime | None = None
        with Session(self._engine) as db:
            for key, _limit in self._keys(username, address):
                row = db.get(LoginThrottle, key)
                if row is not None and row.locked_until is not None and row.locked_until > now:
                    until = row.locked_until if until is None else max(until, row.locked_until)
        return until

    def failure(self, username: str, address: str) -> None:
        for key, limit in self._keys(username, address):
            for _ in range(3):
                try:
                    self._count(key, limit)
                    break
                except IntegrityError:
                    continue  # another worker created the row first: count again

    def _count(self, key: str, limit: int) -> None:
        now = self._clock()
        with Session(self._engine) as db:
            # FOR UPDATE: two workers counting the same key at once must not lose a failure.
            row = db.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).first()
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_started_at=now)
            if now - row.window_started_at > self._policy.failure_window:
                row.failures = 0
                row.window_started_at = now
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + self._policy.lock
                row.failures = 0
                row.window_started_at = now
            db.add(row)
            db.commit()

    def purge(self) -> int:
        """Forget keys whose window and lock are over. Returns how many."""
        now = self._clock()
        table = LoginThrottle.__table__  # type: ignore[attr-defined]
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(table).where(
                    table.c.window_started_at < now - self._policy.failure_window,
                    (table.c.locked_until.is_(None)) | (table.c.locked_until < now),
                )
            )
        return int(result.rowcount or 0)

    def success(self, username: str) -> None:
        with Session(self._engine) as db:
            row = db.get(LoginThrottle, self._key("user", username.strip().lower()))
            if row is not None:
                db.delete(row)
                db.commit()
