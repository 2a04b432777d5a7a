"""Browser tests: Debian's headless Chromium driven by Playwright, against a real uvicorn server on
127.0.0.1 (a free port) with SQLite in tmp_path. Skipped when /usr/bin/chromium is missing, except
under CI (``CI`` set), where that is a failure: ``.ci/run`` installs the browser.

Playwright is used with the system browser only (``executable_path``); ``playwright install``
is never needed and never run.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.desk.scenes import PASSWORD, Scene, build_scene, seed_all

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need_browser() -> None:
    if CHROMIUM.exists():
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail("Playwright is not installed (pip install playwright)")
            pytest.skip("Playwright is not installed (pip install playwright)")
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed (.ci/run installs Debian's chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event loop
    running in this thread while it is open, which the async tests of other modules cannot share."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


class DeskServer:
    """uvicorn serving the scene's app in a thread, on a free loopback port."""

    def __init__(self, scene: Scene) -> None:
        from nlu.service import free_port

        self.scene = scene
        self.port = free_port()
        config = uvicorn.Config(
            scene.web, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="desk-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/desk"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 30  # start-up, not a measured assertion
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the desk server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


@contextlib.contextmanager
def serving(scene: Scene) -> Iterator[DeskServer]:
    """The desk over ``scene`` on a loopback port, stopped (and its database closed) after."""
    server = DeskServer(scene)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        scene.app.db.dispose()


@pytest.fixture
def desk_server(tmp_path: Path) -> Iterator[DeskServer]:
    _need_browser()
    scene = build_scene(tmp_path)
    seed_all(scene)
    with serving(scene) as server:
        yield server


@dataclass
class Person:
    """A browser tab signed in (or not) to the desk."""

    page: Any
    base: str

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()


@pytest.fixture
def person(browser: Any, desk_server: DeskServer) -> Iterator[Person]:
    """An English-speaking browser tab. Any script error or Content-Security-Policy violation on
    any page fails the test."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    try:
        yield Person(page, desk_server.url)
    finally:
        context.close()
    assert problems == []


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskServer]:
    """A desk over the bundled seed registry (read-only tests share it), with the assistant's
    public Telegram and WhatsApp links configured (slips print both QR codes)."""
    _need_browser()
    from bot.settings import load_settings
    from desk.assistant_links import assistant_links
    from tests.desk.scenes import seed_registry

    scene = build_scene(tmp_path_factory.mktemp("registry-server"))
    seed_registry(scene)
    scene.desk.assistant_links = assistant_links(
        load_settings(
            BRUJULA_TELEGRAM_BOT_USERNAME="brujula_test_bot", BRUJULA_WHATSAPP_PUBLIC_NUMBER="525500000000"
        )
    )
    with serving(scene) as server:
        yield server
