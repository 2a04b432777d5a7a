"""Login, logout, the language switch and changing one's own password."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from desk.accounts import AccountError, DeskUser, find_user, normalize_username, note_login, set_password
from desk.audit import Action
from desk.context import Desk
from desk.guard import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Visitor,
    clear_cookie,
    href,
    safe_next,
    set_cookie,
)
from desk.text import DESK_LANGUAGES

YEAR = 365 * 24 * 3600


def _field(visitor: Visitor, name: str, limit: int = 4096) -> str:
    value = visitor.form.get(name) if visitor.form is not None else None
    return value[:limit] if isinstance(value, str) else ""


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def home(request: Request) -> str:
    return href(request, "/inbox")


class AuthPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def index(self, request: Request, visitor: Visitor) -> Response:
        target = home(request) if visitor.signed else href(request, "/login")
        return RedirectResponse(target, status_code=303)

    async def login_form(self, request: Request, visitor: Visitor) -> Response:
        if visitor.signed is not None:
            return RedirectResponse(safe_next(request, request.query_params.get("next")), status_code=303)
        return self._login_page(request, visitor, next_=request.query_params.get("next", ""))

    def _login_page(
        self, request: Request, visitor: Visitor, *, next_: str, error: str = "", status: int = 200
    ) -> Response:
        return self.desk.render(
            request,
            visitor,
            "login.html",
            {"next": safe_next(request, next_) if next_ else "", "error": error},
            status=status,
            title=visitor.text.gettext("Sign in"),
        )

    async def login(self, request: Request, visitor: Visitor) -> Response:
        t = visitor.text
        username = _field(visitor, "username", 200)
        password = _field(visitor, "password", 1024)
        next_ = _field(visitor, "next", 2000)
        address = client_address(request)
        user = await asyncio.to_thread(self._authenticate, username, password, address)
        if user is None:
            locked = await asyncio.to_thread(self.desk.throttle.locked_until, username, address)
            if locked is not None:
                return self._login_page(
                    request,
                    visitor,
                    next_=next_,
                    error=t.gettext(
                        "Too many failed attempts. Wait {minutes} minutes and try again, or ask an "
                        "administrator.",
                        minutes=int(self.desk.policy.lock.total_seconds() // 60),
                    ),
                    status=429,
                )
            return self._login_page(
                request, visitor, next_=next_, error=t.gettext("Wrong username or password."), status=401
            )
        assert user.id is not None
        token, _ = await asyncio.to_thread(
            self.desk.sessions.create, user.id, replaces=visitor.signed.token_hash if visitor.signed else None
        )
        response = RedirectResponse(safe_next(request, next_) if next_ else home(request), status_code=303)
        set_cookie(
            request,
            response,
            SESSION_COOKIE,
            token,
            max_age=int(self.desk.policy.session_lifetime.total_seconds()),
        )
        return response

    def _authenticate(self, username: str, password: str, address: str) -> DeskUser | None:
        """The account, or ``None``; the same work whether or not the username exists."""
        desk = self.desk
        if desk.throttle.locked_until(username, address) is not None:
            return None
        try:
            name = normalize_username(username)
        except AccountError:
            name = ""
        user = find_user(desk.db, name) if name else None
        if user is None or not user.active or not password:
            desk.passwords.check_unknown(password)
            desk.throttle.failure(username, address)
            return None
        if not desk.passwords.verify(user.password_hash, password):
            desk.throttle.failure(username, address)
            return None
        desk.throttle.success(username)
        desk.throttle.purge()  # housekeeping at each sign-in: old counts and ended sessions
        desk.sessions.purge()
        assert user.id is not None
        rehash = desk.passwords.hash(password) if desk.passwords.needs_rehash(user.password_hash) else None
        note_login(desk.db, user.id, new_hash=rehash)
        return user

    async def logout(self, request: Request, visitor: Visitor) -> Response:
        if visitor.signed is not None:
            await asyncio.to_thread(self.desk.sessions.end, visitor.signed.token_hash)
        response = RedirectResponse(href(request, "/login"), status_code=303)
        clear_cookie(request, response, SESSION_COOKIE)
        return response

    async def language(self, request: Request, visitor: Visitor) -> Response:
        chosen = _field(visitor, "language", 8)
        response = RedirectResponse(safe_next(request, _field(visitor, "next", 2000)), status_code=303)
        if chosen in DESK_LANGUAGES:
            set_cookie(request, response, LANGUAGE_COOKIE, chosen, max_age=YEAR)
        return response

    async def password_form(self, request: Request, visitor: Visitor) -> Response:
        return self._password_page(request, visitor)

    def _password_page(
        self, request: Request, visitor: Visitor, *, error: str = "", done: bool = False, status: int = 200
    ) -> Response:
        return self.desk.render(
            request,
            visitor,
            "password.html",
            {"error": error, "done": done, "min_length": self.desk.policy.min_password_length},
            status=status,
            title=visitor.text.gettext("Change your password"),
        )

    async def change_password(self, request: Request, visitor: Visitor) -> Response:
        t = visitor.text
        assert visitor.signed is not None
        user = visitor.signed.user
        current = _field(visitor, "current", 1024)
        new = _field(visitor, "new", 2048)
        again = _field(visitor, "again", 2048)
        ok = await asyncio.to_thread(self.desk.passwords.verify, user.password_hash, current)
        if not ok:
            return self._password_page(
                request, visitor, error=t.gettext("Your current password is not right."), status=400
            )
        if new != again:
            return self._password_page(
                request, visitor, error=t.gettext("The two new passwords are not the same."), status=400
            )
        if len(new) < self.desk.policy.min_password_length or new.strip().lower() == user.username:
            return self._password_page(
                request,
                visitor,
                error=t.gettext(
                    "Choose a password of at least {count} characters that is not your username.",
                    count=self.desk.policy.min_password_length,
                ),
                status=400,
            )
        try:
            await asyncio.to_thread(
                set_password,
                self.desk.db,
                username=user.username,
                password=new,
                passwords=self.desk.passwords,
                actor=user.username,
                min_password_length=self.desk.policy.min_password_length,
                action=Action.PASSWORD_CHANGE,
                keep_session=visitor.signed.token_hash,
            )
        except AccountError:
            return self._password_page(
                request,
                visitor,
                error=t.gettext(
                    "Choose a password of at least {count} characters that is not your username.",
                    count=self.desk.policy.min_password_length,
                ),
                status=400,
            )
        return self._password_page(request, visitor, done=True)
