"""What every desk page needs, built once by :func:`desk.app.create_desk_app`: the stores, the
content, the templates, the clock, and rendering in the visitor's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.handoff import HandoffDesk
from content.answers import AnswerBook
from desk.assistant_links import AssistantLink
from desk.content_review import ContentPlace
from desk.guard import CSRF_FIELD, Visitor, href
from desk.passwords import Passwords
from desk.policy import DeskPolicy
from desk.roles import Role
from desk.sessions import SessionStore
from desk.text import DESK_LANGUAGES, language_name
from desk.throttle import Throttle
from referrals.finder import ReferralFinder
from referrals.places import Gazetteer

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str
    role: Role


@dataclass
class Desk:
    db: Engine
    handoff: HandoffDesk
    book: AnswerBook
    content: ContentPlace
    gazetteer: Gazetteer
    referrals: ReferralFinder
    sessions: SessionStore
    throttle: Throttle
    passwords: Passwords
    policy: DeskPolicy
    secret: bytes
    timezone: ZoneInfo
    templates: Jinja2Templates
    clock: Callable[[], datetime]
    assistant_links: tuple[AssistantLink, ...] = ()

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today where the office is (the date written as ``last_reviewed``)."""
        return self.clock().astimezone(self.timezone).date()

    def local(self, when: datetime | None) -> str:
        if when is None:
            return ""
        return when.astimezone(self.timezone).strftime("%Y-%m-%d %H:%M")

    def nav(self, visitor: Visitor) -> list[NavItem]:
        t = visitor.text
        items = [
            NavItem("/inbox", t.gettext("Inbox"), Role.STAFF),
            NavItem("/answers", t.gettext("Answers"), Role.STAFF),
            NavItem("/registry", t.gettext("Find a service"), Role.STAFF),
            NavItem("/registry/records", t.gettext("Registry records"), Role.STAFF),
            NavItem("/content", t.gettext("Content review"), Role.COORDINATOR),
            NavItem("/dashboard", t.gettext("Dashboard"), Role.COORDINATOR),
            NavItem("/audit", t.gettext("Audit log"), Role.COORDINATOR),
            NavItem("/accounts", t.gettext("Accounts"), Role.ADMIN),
        ]
        return [item for item in items if visitor.may(item.role)]

    def render(
        self,
        request: Request,
        visitor: Visitor,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status: int = 200,
        title: str = "",
    ) -> Response:
        current = request.url.path.removeprefix(href(request, ""))
        nav = self.nav(visitor)
        section = (
            "/registry/records"
            if current.startswith("/registry/") and current != "/registry/slip"
            else current
        )
        here_nav = max((item.path for item in nav if section.startswith(item.path)), key=len, default="")
        page = {
            "visitor": visitor,
            "_": visitor.text.gettext,
            "lang": visitor.language,
            "csrf_field": CSRF_FIELD,
            "csrf": visitor.csrf,
            "url": lambda path: href(request, path),
            "nav": nav,
            "here_nav": here_nav,
            "current": current,
            "here": request.url.path + (("?" + request.url.query) if request.url.query else ""),
            "languages": [(code, language_name(code)) for code in DESK_LANGUAGES],
            "local": self.local,
            "title": title,
            **(context or {}),
        }
        return self.templates.TemplateResponse(request, template, page, status_code=status)

    def error(self, request: Request, visitor: Visitor, status: int, reason: str) -> Response:
        t = visitor.text
        messages = {
            "csrf": t.gettext(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again."
            ),
            "role": t.gettext("Your account cannot open this page. Ask a coordinator if you need it."),
            "missing": t.gettext("This page does not exist (or no longer exists)."),
        }
        return self.render(
            request,
            visitor,
            "error.html",
            {"message": messages.get(reason, messages["missing"]), "status": status},
            status=status,
            title=t.gettext("Not allowed") if status == 403 else t.gettext("Not found"),
        )


def templates() -> Jinja2Templates:
    engine = Jinja2Templates(directory=str(TEMPLATES))
    engine.env.autoescape = True
    engine.env.trim_blocks = True
    engine.env.lstrip_blocks = True
    return engine
