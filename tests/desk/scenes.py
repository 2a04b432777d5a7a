"""A desk over a throwaway database, with accounts, open conversations and usage counts.

Shared by the page tests (ASGI, no network), the browser tests and the screenshot script, so the
screenshots show exactly what the tests exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.routing import Mount

from bot.analytics import Kind, UsageCount
from bot.composition import App, build_app
from bot.handoff import Risk
from bot.settings import load_settings
from content.answers import ANSWERS
from desk import create_desk_app
from desk.accounts import add_user
from desk.context import Desk
from desk.passwords import Argon2Passwords
from desk.policy import DeskPolicy
from desk.roles import Role

T = TypeVar("T")

PASSWORD = "una contraseña larga 2026"
ACCOUNTS: dict[str, tuple[Role, str]] = {
    "sam": (Role.STAFF, "Sam Pérez"),
    "cora": (Role.COORDINATOR, "Cora Méndez"),
    "ada": (Role.ADMIN, "Ada Núñez"),
}
#: Cheap argon2 parameters: the tests check behaviour, not the cost.
FAST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class RecordingDeliverer:
    """The person's channel: records what the outbox delivers (``bot.background.Deliverer``)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, address: str, text: str) -> None:
        self.sent.append((address, text))


@dataclass
class Scene:
    app: App
    web: Starlette
    desk: Desk
    content: Path
    tickets: dict[str, int] = field(default_factory=dict)

    async def aclose(self) -> None:
        await self.app.aclose()


def build_scene(
    tmp_path: Path, *, policy: DeskPolicy | None = None, clock: Callable[[], datetime] | None = None
) -> Scene:
    content = tmp_path / "content" / "answers"
    shutil.copytree(ANSWERS, content)
    settings = load_settings(
        BRUJULA_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.sqlite'}",
        BRUJULA_NLU_URL="http://127.0.0.1:9",
        BRUJULA_CONTENT_DIR=str(content),
    )
    app = build_app(settings)
    passwords = Argon2Passwords(**FAST)
    if clock is None:
        desk = create_desk_app(app, policy=policy, passwords=passwords)
    else:
        desk = create_desk_app(app, policy=policy, passwords=passwords, clock=clock)
    for username, (role, name) in ACCOUNTS.items():
        add_user(
            app.db,
            username=username,
            role=role,
            password=PASSWORD,
            passwords=passwords,
            display_name=name,
            actor="test setup",
        )
    web = Starlette(routes=[Mount("/desk", app=desk)])
    return Scene(app=app, web=web, desk=desk.state.desk, content=content)


async def seed_tickets(scene: Scene) -> dict[str, int]:
    """Two open conversations: a Haitian Creole one at high risk, a Spanish one."""
    desk = scene.app.handoff
    haitian = await desk.open(
        session_id="s-ht-1",
        channel="telegram",
        address="700100",
        language="ht",
        topic="asylum",
        risk=Risk.HIGH,
    )
    assert haitian.id is not None
    await desk.note_person(haitian.id, "s-ht-1", "Bonjou, mwen bezwen èd pou mande azil. Mwen pè.")
    await desk.note_person(haitian.id, "s-ht-1", "Èske gen yon moun ki pale kreyòl?")
    spanish = await desk.open(
        session_id="s-es-1",
        channel="whatsapp",
        address="5215500000000",
        language="es",
        topic="shelter",
        risk=Risk.NORMAL,
    )
    assert spanish.id is not None
    await desk.note_person(spanish.id, "s-es-1", "Hola, ¿dónde puedo dormir esta noche en Querétaro?")
    scene.tickets = {"ht": haitian.id, "es": spanish.id}
    return scene.tickets


def weeks_back(today: date, count: int) -> list[str]:
    out = []
    for back in range(count - 1, -1, -1):
        year, week, _ = (today - timedelta(weeks=back)).isocalendar()
        out.append(f"{year}-W{week:02d}")
    return out


#: (kind, topic, language, state, weeks ago, count). Counts under 5 must be suppressed.
USAGE: tuple[tuple[Kind, str, str, str, int, int], ...] = (
    (Kind.QUESTION, "asylum", "es", "MX-CHP", 0, 14),
    (Kind.QUESTION, "asylum", "ht", "MX-CHP", 0, 9),
    (Kind.QUESTION, "asylum", "es", "MX-CHP", 1, 11),
    (Kind.QUESTION, "asylum", "ht", "MX-CMX", 2, 7),
    (Kind.QUESTION, "asylum", "en", "MX-QUE", 3, 6),
    (Kind.QUESTION, "shelter", "es", "MX-QUE", 0, 8),
    (Kind.QUESTION, "shelter", "es", "MX-QUE", 1, 12),
    (Kind.QUESTION, "shelter", "ht", "MX-CHP", 2, 5),
    (Kind.QUESTION, "health", "es", "MX-QUE", 0, 6),
    (Kind.QUESTION, "health", "es", "MX-CMX", 1, 3),
    (Kind.QUESTION, "curp", "es", "MX-QUE", 1, 7),
    (Kind.QUESTION, "violence", "quc", "MX-CHP", 0, 2),
    (Kind.UNMET, "health", "es", "MX-QUE", 0, 7),
    (Kind.UNMET, "legal_aid", "es", "MX-QUE", 1, 3),
    (Kind.UNMET, "shelter", "ht", "MX-CHP", 0, 11),
    (Kind.REFERRAL, "asylum", "es", "MX-CHP", 0, 14),
    (Kind.REFERRAL, "shelter", "es", "MX-QUE", 1, 6),
    (Kind.REFERRAL, "education", "es", "MX-QUE", 0, 2),
)


def seed_usage(scene: Scene, today: date) -> None:
    weeks = weeks_back(today, 6)
    with Session(scene.app.db) as db:
        for kind, topic, language, state, ago, count in USAGE:
            db.add(
                UsageCount(
                    kind=kind,
                    topic=topic,
                    language=language,
                    state=state,
                    week=weeks[-1 - ago],
                    count=count,
                )
            )
        db.commit()


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end from synchronous code, even where an event loop is running
    (Playwright's sync API keeps one in the test's thread): in a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def seed_registry(scene: Scene) -> None:
    """The bundled seed registry (HSDS 3.0), as `brujula db seed` loads it."""
    from referrals.transfer import seed

    report = seed(scene.app.db)
    assert report.applied, report


def seed_all(scene: Scene) -> None:
    run_async(lambda: seed_tickets(scene))
    seed_usage(scene, scene.desk.today())


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def registry_scene(directory: Path, now: datetime) -> Scene:
    """A desk over its own copy of the bundled seed registry, its clock stopped at ``now``."""
    built = build_scene(directory, clock=lambda: now)
    seed_registry(built)
    return built


@contextlib.asynccontextmanager
async def signed_in(scene: Scene, username: str, language: str = "en") -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the desk (in process), signed in as ``username``."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=scene.web),
        base_url="http://desk.test",
        headers={"accept-language": language},
    ) as client:
        page = await client.get("/desk/login")
        found = CSRF.search(page.text)
        assert found
        await client.post(
            "/desk/login", data={"csrf": found.group(1), "username": username, "password": PASSWORD}
        )
        yield client
