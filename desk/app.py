"""The desk web app: one Starlette app, mounted by the server at ``/desk``.

Pages and the role each needs (every route is built by :func:`desk.guard.guarded`):

=====================================  ===========  ===========================================
path                                   role         what
=====================================  ===========  ===========================================
``/login`` (GET, POST), ``/language``  anyone       sign in; interface language
``/logout``, ``/password``             staff        sign out; change one's own password
``/inbox``, ``/tickets/{id}``          staff        handoff inbox; read, reply, close
``/answers``                           staff        a topic's answer in two languages
``/registry``, ``/registry/slip``      staff        find a service (as the bot ranks); slip
``/registry/records``, ``…/services/{id}``,
``…/organizations/{id}``               staff        registry records, read-only
``/registry/{kind}/{id}/edit``,
``/registry/new/{kind}``               coordinator  edit or add a record (audited)
``…/services/{id}/verify|publication`` coordinator  "verified today"; draft ↔ published
``/registry/stale``                    coordinator  published services not verified in 180 days
``/registry/transfer``,
``/registry/export.json|zip``          coordinator  HSDS import (check, then import) and export
``/content``, ``/content/{t}/{lang}``  coordinator  content review: edit, mark reviewed
``/dashboard``, ``/dashboard.csv``     coordinator  shared measurement
``/audit``                             coordinator  the audit log (read-only)
``/accounts``                          admin        the accounts (read-only)
=====================================  ===========  ===========================================
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.composition import App
from bot.dialogue.menus import MENU_TOPICS
from bot.languages import LANGUAGES
from bot.sessions import utcnow
from content.answers import AnswerBook
from desk.assistant_links import assistant_links
from desk.content_review import ContentPlace
from desk.context import STATIC, Desk, templates
from desk.guard import Handler, guarded, visitor_for
from desk.pages.answers import AnswerPages
from desk.pages.auth import AuthPages
from desk.pages.dashboard import DashboardPages
from desk.pages.handoff import HandoffPages
from desk.pages.records import RecordPages
from desk.pages.registry import RegistryPages
from desk.pages.registry_edit import RegistryEditPages
from desk.pages.registry_transfer import TransferPages
from desk.passwords import Argon2Passwords, Passwords
from desk.policy import DeskPolicy
from desk.roles import Role
from desk.schema import ensure_desk_tables
from desk.sessions import SessionStore
from desk.throttle import Throttle
from referrals import SqlReferralFinder
from referrals.finder import ReferralFinder
from referrals.places import default_gazetteer

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    """Headers on every desk response; pages (not static files) are never cached — the desk runs
    on shared computers, and the back button after logout must not show a conversation."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += list(SECURITY_HEADERS)
                headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def build_desk(
    app: App,
    *,
    policy: DeskPolicy | None = None,
    passwords: Passwords | None = None,
    clock: Callable[[], datetime] = utcnow,
    referrals: ReferralFinder | None = None,
) -> Desk:
    settings = app.settings
    policy = policy or DeskPolicy()
    secret = settings.secret_key.get_secret_value()
    ensure_desk_tables(app.db)
    gazetteer = default_gazetteer()
    return Desk(
        db=app.db,
        handoff=app.handoff,
        book=AnswerBook(settings.content_dir, check_every=1.0),
        content=ContentPlace(root=settings.content_dir, intents=MENU_TOPICS, languages=tuple(LANGUAGES)),
        gazetteer=gazetteer,
        referrals=referrals or SqlReferralFinder(app.db, gazetteer=gazetteer),
        sessions=SessionStore(app.db, policy, clock),
        throttle=Throttle(app.db, secret, policy, clock),
        passwords=passwords or Argon2Passwords(),
        policy=policy,
        secret=secret.encode(),
        timezone=ZoneInfo(settings.office_timezone),
        templates=templates(),
        clock=clock,
        assistant_links=assistant_links(settings),
    )


def routes(desk: Desk) -> list[Route | Mount]:
    auth = AuthPages(desk)
    handoff = HandoffPages(desk)
    answers = AnswerPages(desk)
    records = RecordPages(desk)
    dashboard = DashboardPages(desk)
    registry = RegistryPages(desk, desk.referrals)
    records_pages = RegistryEditPages(desk)
    transfer = TransferPages(desk)

    def page(
        path: str,
        handler: Handler,
        role: Role | None,
        methods: tuple[str, ...] = ("GET",),
        *,
        upload: bool = False,
    ) -> Route:
        return Route(path, guarded(desk, handler, role=role, upload=upload), methods=list(methods))

    return [
        page("/", auth.index, None),
        page("/login", auth.login_form, None),
        page("/login", auth.login, None, ("POST",)),
        page("/language", auth.language, None, ("POST",)),
        page("/logout", auth.logout, Role.STAFF, ("POST",)),
        page("/password", auth.password_form, Role.STAFF),
        page("/password", auth.change_password, Role.STAFF, ("POST",)),
        page("/inbox", handoff.inbox, Role.STAFF),
        page("/tickets/{ticket_id}", handoff.ticket, Role.STAFF),
        page("/tickets/{ticket_id}/reply", handoff.reply, Role.STAFF, ("POST",)),
        page("/tickets/{ticket_id}/close", handoff.close, Role.STAFF, ("POST",)),
        page("/answers", answers.side_by_side, Role.STAFF),
        page("/registry", registry.search, Role.STAFF),
        page("/registry/slip", registry.slip, Role.STAFF),
        page("/registry/records", records_pages.records, Role.STAFF),
        page("/registry/services/{service_id}", records_pages.service, Role.STAFF),
        page("/registry/organizations/{organization_id}", records_pages.organization, Role.STAFF),
        page("/registry/stale", records_pages.stale, Role.COORDINATOR),
        page("/registry/transfer", transfer.page, Role.COORDINATOR),
        page("/registry/transfer", transfer.upload, Role.COORDINATOR, ("POST",), upload=True),
        page("/registry/export.json", transfer.export_json, Role.COORDINATOR),
        page("/registry/export.zip", transfer.export_zip, Role.COORDINATOR),
        page("/registry/new/{kind}", records_pages.new_form, Role.COORDINATOR),
        page("/registry/new/{kind}", records_pages.new_save, Role.COORDINATOR, ("POST",)),
        page("/registry/{kind}/{record_id}/edit", records_pages.edit_form, Role.COORDINATOR),
        page("/registry/{kind}/{record_id}/edit", records_pages.edit_save, Role.COORDINATOR, ("POST",)),
        page("/registry/services/{service_id}/verify", records_pages.verify, Role.COORDINATOR, ("POST",)),
        page(
            "/registry/services/{service_id}/publication",
            records_pages.publication,
            Role.COORDINATOR,
            ("POST",),
        ),
        page("/content", answers.overview, Role.COORDINATOR),
        page("/content/{intent}/{language}", answers.edit_form, Role.COORDINATOR),
        page("/content/{intent}/{language}", answers.save, Role.COORDINATOR, ("POST",)),
        page("/dashboard", dashboard.page, Role.COORDINATOR),
        page("/dashboard.csv", dashboard.csv, Role.COORDINATOR),
        page("/audit", records.audit, Role.COORDINATOR),
        page("/accounts", records.accounts, Role.ADMIN),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_desk_app(
    app: App,
    *,
    policy: DeskPolicy | None = None,
    passwords: Passwords | None = None,
    clock: Callable[[], datetime] = utcnow,
    referrals: ReferralFinder | None = None,
) -> Starlette:
    """The desk, to mount at ``/desk``: ``Mount("/desk", app=create_desk_app(app))``."""
    desk = build_desk(app, policy=policy, passwords=passwords, clock=clock, referrals=referrals)

    async def not_found(request: Request, exc: Exception) -> Response:
        visitor = await visitor_for(request, desk)
        return desk.error(request, visitor, 404, "missing")

    web = Starlette(routes=routes(desk), exception_handlers={404: not_found})
    web.add_middleware(SecurityHeaders)
    web.state.desk = desk
    return web
