"""Server-side staff sessions: a random token in the cookie, only its SHA-256 in the database.

A session carries its CSRF token and ends at ``expires_at`` (absolute) or after the idle time of
:class:`~desk.policy.DeskPolicy`. The account is read again on every request, so disabling it or
changing its role takes effect at the next click.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Field, Session, SQLModel, col

from bot.sessions import utcnow
from desk.accounts import DeskUser
from desk.policy import DeskPolicy

#: last_seen_at is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


class StaffSession(SQLModel, table=True):
    __tablename__ = "desk_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="desk_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session and its account."""

    token_hash: str
    csrf_token: str
    user: DeskUser


class SessionStore:
    def __init__(self, engine: Engine, policy: DeskPolicy, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._policy = policy
        self._clock = clock

    def create(self, user_id: int, *, replaces: str | None = None) -> tuple[str, Signed]:
        """A new session (a fresh token and CSRF token); ``replaces`` (a token hash) is ended."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        row = StaffSession(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self._policy.session_lifetime,
        )
        with Session(self._engine, expire_on_commit=False) as db:
            if replaces is not None:
                db.exec(delete(StaffSession).where(col(StaffSession.token_hash) == replaces))
            db.add(row)
            db.commit()
            user = db.get(DeskUser, user_id)
        assert user is not None
        return token, Signed(row.token_hash, row.csrf_token, user)

    def lookup(self, token: str) -> Signed | None:
        """The session for a cookie value, if it is live and its account active."""
        if not token or len(token) > 128:
            return None
        key = token_hash(token)
        now = self._clock()
        with Session(self._engine, expire_on_commit=False) as db:
            row = db.get(StaffSession, key)
            if row is None:
                return None
            if row.expires_at <= now or row.last_seen_at + self._policy.session_idle <= now:
                db.delete(row)
                db.commit()
                return None
            user = db.get(DeskUser, row.user_id)
            if user is None or not user.active:
                db.delete(row)
                db.commit()
                return None
            if now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
                db.add(row)
                db.commit()
            return Signed(row.token_hash, row.csrf_token, user)

    def end(self, key: str) -> None:
        """End the session with this token hash (logout)."""
        with Session(self._engine) as db:
            db.exec(delete(StaffSession).where(col(StaffSession.token_hash) == key))
            db.commit()

    def purge(self) -> int:
        """Remove sessions past their absolute or idle end. Returns how many."""
        now = self._clock()
        with Session(self._engine) as db:
            result = db.exec(
                delete(StaffSession).where(
                    (col(StaffSession.expires_at) <= now)
                    | (col(StaffSession.last_seen_at) <= now - self._policy.session_idle)
                )
            )
            db.commit()
            return int(result.rowcount or 0)
