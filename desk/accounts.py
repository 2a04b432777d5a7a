"""Staff accounts: username, display name, role, argon2 password hash, active or disabled.

Keyword-only functions over an engine; each change is written to the audit log in the same
transaction. Disabling an account or resetting its password ends its open sessions.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Engine, delete
from sqlmodel import Field, Session, SQLModel, col, select

from bot.sessions import utcnow
from desk.audit import Action, record
from desk.passwords import Passwords, password_problem
from desk.roles import Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(ValueError):
    """A change to an account that cannot be made; the message is one line for a person."""


class DeskUser(SQLModel, table=True):
    __tablename__ = "desk_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


def normalize_username(name: str) -> str:
    """Lowercase, trimmed; :class:`AccountError` unless 2–64 of ``a-z 0-9 . _ -``."""
    cleaned = name.strip().lower()
    if not USERNAME.fullmatch(cleaned):
        raise AccountError("a username has 2–64 characters: lowercase letters, digits, '.', '_' or '-'")
    return cleaned


def _end_sessions(db: Session, user_id: int) -> None:
    from desk.sessions import StaffSession

    db.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))


def add_user(
    engine: Engine,
    *,
    username: str,
    role: Role,
    password: str,
    passwords: Passwords,
    display_name: str | None = None,
    actor: str,
    min_password_length: int = 12,
) -> DeskUser:
    name = normalize_username(username)
    problem = password_problem(password, username=name, min_length=min_password_length)
    if problem:
        raise AccountError(problem)
    with Session(engine, expire_on_commit=False) as db:
        if db.exec(select(DeskUser).where(DeskUser.username == name)).first() is not None:
            raise AccountError(f"the account {name!r} already exists")
        user = DeskUser(
            username=name,
            display_name=(display_name or name).strip()[:120] or name,
            role=role,
            password_hash=passwords.hash(password),
        )
        db.add(user)
        record(db, actor=actor, action=Action.ACCOUNT_ADD, target=f"user:{name}", after=f"role: {role}")
        db.commit()
        db.refresh(user)
        return user


def find_user(engine: Engine, username: str) -> DeskUser | None:
    with Session(engine, expire_on_commit=False) as db:
        return db.exec(select(DeskUser).where(DeskUser.username == username)).first()


def get_user(engine: Engine, user_id: int) -> DeskUser | None:
    with Session(engine, expire_on_commit=False) as db:
        return db.get(DeskUser, user_id)


def list_users(engine: Engine) -> list[DeskUser]:
    with Session(engine, expire_on_commit=False) as db:
        return list(db.exec(select(DeskUser).order_by(col(DeskUser.username))))


def set_active(engine: Engine, *, username: str, active: bool, actor: str) -> None:
    name = normalize_username(username)
    with Session(engine) as db:
        user = db.exec(select(DeskUser).where(DeskUser.username == name)).first()
        if user is None or user.id is None:
            raise AccountError(f"no account {name!r}")
        if user.active == active:
            return
        user.active = active
        db.add(user)
        if not active:
            _end_sessions(db, user.id)
        record(
            db,
            actor=actor,
            action=Action.ACCOUNT_ENABLE if active else Action.ACCOUNT_DISABLE,
            target=f"user:{name}",
            before="active" if not active else "disabled",
            after="active" if active else "disabled",
        )
        db.commit()


def set_password(
    engine: Engine,
    *,
    username: str,
    password: str,
    passwords: Passwords,
    actor: str,
    min_password_length: int = 12,
    action: Action = Action.ACCOUNT_RESET,
    keep_session: str | None = None,
) -> None:
    """A new password; every session of the account ends (but ``keep_session``, a token hash)."""
    from desk.sessions import StaffSession

    name = normalize_username(username)
    problem = password_problem(password, username=name, min_length=min_password_length)
    if problem:
        raise AccountError(problem)
    with Session(engine) as db:
        user = db.exec(select(DeskUser).where(DeskUser.username == name)).first()
        if user is None or user.id is None:
            raise AccountError(f"no account {name!r}")
        user.password_hash = passwords.hash(password)
        user.password_changed_at = utcnow()
        db.add(user)
        query = delete(StaffSession).where(col(StaffSession.user_id) == user.id)
        if keep_session is not None:
            query = query.where(col(StaffSession.token_hash) != keep_session)
        db.exec(query)
        record(db, actor=actor, action=action, target=f"user:{name}")
        db.commit()


def note_login(engine: Engine, user_id: int, *, new_hash: str | None) -> None:
    with Session(engine) as db:
        user = db.get(DeskUser, user_id)
        if user is None:
            return
        user.last_login_at = utcnow()
        if new_hash is not None:
            user.password_hash = new_hash
        db.add(user)
        db.commit()
