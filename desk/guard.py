"""Who is asking, in which language, and whether they may: the checks every desk page goes through.

Every route is built with :func:`guarded`, which

1. reads the session cookie (server-side session, :mod:`desk.sessions`) and the language cookie;
2. on ``POST``, refuses with 403 a form without the right CSRF token — the session's token when
   signed in, otherwise a keyed hash of a random pre-session cookie (the login form);
3. sends an anonymous visitor to the login page, and answers 403 to an account whose role is
   below the page's;
4. sets the cookies: HttpOnly, SameSite=Lax, ``Secure`` when the request came over HTTPS, on
   the desk's path only.

There is no way to build a route without these checks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from desk.roles import Role
from desk.sessions import Signed
from desk.text import DESK_LANGUAGES, DeskText, desk_text, negotiate

if TYPE_CHECKING:
    from desk.context import Desk

SESSION_COOKIE = "brujula_desk"
PRE_COOKIE = "brujula_desk_pre"
LANGUAGE_COOKIE = "brujula_desk_lang"
CSRF_FIELD = "csrf"
#: bytes: the largest form (an answer with all its sections is about 10 KB)
MAX_FORM = 256 * 1024
#: bytes: the largest file upload (an HSDS registry export of a whole state is a few MB)
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass(slots=True)
class Visitor:
    signed: Signed | None
    language: str
    text: DeskText
    csrf: str
    pre_token: str | None = None  # a new pre-session cookie to set
    form: FormData | None = None

    @property
    def role(self) -> Role | None:
        return Role(self.signed.user.role) if self.signed else None

    def may(self, role: Role) -> bool:
        return self.signed is not None and Role(self.signed.user.role).allows(role)

    @property
    def name(self) -> str:
        return self.signed.user.display_name if self.signed else ""

    @property
    def username(self) -> str:
        return self.signed.user.username if self.signed else ""


Handler = Callable[[Request, Visitor], Awaitable[Response]]


def prefix(request: Request) -> str:
    """Where the desk is mounted (``/desk``), from the ASGI root path."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def href(request: Request, path: str) -> str:
    return prefix(request) + path


def safe_next(request: Request, value: str | None) -> str:
    """A redirect target inside the desk, or the desk's home: never another site."""
    home = href(request, "/")
    if not value:
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value or value.startswith("//"):
        return home
    root = prefix(request) + "/"
    if not value.startswith(root):
        return home
    return value


def _pre_csrf(secret: bytes, pre: str) -> str:
    return hmac.new(secret, f"desk-csrf:{pre}".encode(), hashlib.sha256).hexdigest()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=prefix(request) or "/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path=prefix(request) or "/", httponly=True, samesite="lax", secure=_secure(request)
    )


async def visitor_for(request: Request, desk: Desk) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE, "")
    signed = await asyncio.to_thread(desk.sessions.lookup, token) if token else None
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    language = chosen if chosen in DESK_LANGUAGES else negotiate(request.headers.get("accept-language", ""))
    text = desk_text(language)
    if signed is not None:
        return Visitor(signed, language, text, signed.csrf_token)
    pre = request.cookies.get(PRE_COOKIE, "")
    fresh = None
    if not (20 <= len(pre) <= 64 and pre.replace("-", "").replace("_", "").isalnum()):
        pre = fresh = secrets.token_urlsafe(24)
    return Visitor(None, language, text, _pre_csrf(desk.secret, pre), pre_token=fresh)


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        target = href(request, "/")
    return RedirectResponse(href(request, "/login") + "?next=" + quote(target, safe="/"), status_code=303)


def guarded(
    desk: Desk, handler: Handler, *, role: Role | None, upload: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for ``handler``: session, CSRF on POST, role; ``role=None`` for public pages.
    ``upload``: the form may carry one file, up to :data:`MAX_UPLOAD` bytes (else :data:`MAX_FORM`)."""
    limit = MAX_UPLOAD if upload else MAX_FORM

    def refused(request: Request, visitor: Visitor) -> Response | None:
        if role is None:
            return None
        if visitor.signed is None:
            return login_redirect(request)
        if not visitor.may(role):
            return desk.error(request, visitor, 403, "role")
        return None

    async def endpoint(request: Request) -> Response:
        visitor = await visitor_for(request, desk)
        if upload and (denied := refused(request, visitor)) is not None:  # never read a file for nobody
            return finish(request, visitor, denied)
        if request.method == "POST":
            declared = request.headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > limit:
                return Response(status_code=413 if declared.isdigit() else 411)
            visitor.form = await request.form(max_files=1 if upload else 0, max_fields=200)
            given = visitor.form.get(CSRF_FIELD)
            if (
                not isinstance(given, str)
                or visitor.pre_token is not None  # no pre-session cookie came with the form
                or not hmac.compare_digest(given.encode(), visitor.csrf.encode())
            ):
                response = desk.error(request, visitor, 403, "csrf")
                return finish(request, visitor, response)
        if (denied := refused(request, visitor)) is not None:
            return finish(request, visitor, denied)
        return finish(request, visitor, await handler(request, visitor))

    return endpoint


def finish(request: Request, visitor: Visitor, response: Response) -> Response:
    if visitor.pre_token is not None and visitor.signed is None:
        set_cookie(request, response, PRE_COOKIE, visitor.pre_token, max_age=None)
    return response
