"""Keeping the registry in headless Chromium: a coordinator changes a service's hours, the audit
log shows before → after, and the assistant's next referral follows the new hours (the chat says
"open now" or when it opens next); staff cannot edit; a form without its CSRF token is refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # without Playwright the module is skipped, or fails under CI
    if os.environ.get("CI"):
        raise
    pytest.skip("Playwright is not installed (pip install playwright)", allow_module_level=True)

from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.sessions import MemorySessionStore
from content import AnswerBook
from desk.registry_records import save
from referrals import SqlReferralFinder
from referrals.places import default_gazetteer
from tests.conftest import Chat
from tests.desk.browser.conftest import DeskServer, Person, _need_browser, serving
from tests.desk.scenes import build_scene, run_async, seed_registry
from tests.fakes import FakeClassifier

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Tapachula


@pytest.fixture
def editable_registry(tmp_path: Path) -> Iterator[DeskServer]:
    """A desk over its own copy of the seed registry (these tests change it)."""
    _need_browser()
    scene = build_scene(tmp_path)
    seed_registry(scene)
    with serving(scene) as server:
        yield server


def first_shelter(server: DeskServer) -> tuple[str, str]:
    """(id, name) of the first shelter the assistant offers in Tapachula, then given Saturday
    hours only (so on a Tuesday it is closed and ranks below the others)."""
    finder = SqlReferralFinder(server.scene.app.db)
    first = finder.find_now(
        intent="shelter", place=default_gazetteer().find_in_text("Tapachula"), language="es", now=NOW, limit=3
    ).referrals[0]
    save(
        server.scene.app.db,
        "schedule",
        None,
        {"byday": ["SA"], "opens_at": "08:30:00", "closes_at": "14:00:00"},
        actor="test setup",
        now=NOW,
        gazetteer=default_gazetteer(),
        parent=("service_id", first.service_id),
    )
    return first.service_id, first.name


def the_bots_referral(server: DeskServer, name: str) -> str | None:
    """What a person asking for a shelter in Tapachula is told about the service ``name``, from
    the same database (the chat says whether it is open now, or when it opens next)."""
    sessions = MemorySessionStore()
    engine = DialogueEngine(
        sessions=sessions,
        classifier=FakeClassifier(),
        answers=AnswerBook(server.scene.content, check_every=0.0),
        referrals=SqlReferralFinder(server.scene.app.db),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("test-secret"),
        eraser=sessions.delete,
        clock=lambda: NOW,
    )
    chat = Chat(engine)

    async def conversation() -> str:
        await chat.begin("es")
        await chat.send("estoy en tapachula y necesito un albergue")
        return chat.text

    told = run_async(conversation).split("\n---\n")
    return next((" ".join(card.split()) for card in told if card.startswith(f"• {name}\n")), None)


def test_a_coordinator_changes_a_services_hours_audited_and_the_bot_gives_the_new_hours(
    browser: Any, editable_registry: DeskServer
) -> None:
    service_id, name = first_shelter(editable_registry)
    assert the_bots_referral(editable_registry, name) is None  # closed on a Tuesday: not in the three

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        cora = Person(page, editable_registry.url)
        cora.sign_in("cora")
        page.get_by_role("link", name="Find a service").click()
        page.get_by_label("Topic").select_option("shelter")
        page.get_by_label("Place (city or state)").fill("Tapachula")
        page.get_by_role("button", name="Search").click()
        found = page.locator("li.service", has=page.get_by_role("heading", name=name, exact=True))
        found.get_by_role("link", name="Registry record", exact=True).click()
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        assert page.url.endswith(f"/registry/services/{service_id}")

        hours = page.locator("section", has=page.get_by_role("heading", name="Hours of the service"))
        hours.get_by_role("link", name="Edit hours").first.click()
        expect(page.get_by_role("heading", name="Edit: Hours")).to_be_visible()
        page.get_by_label("Saturday").uncheck()
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
            page.get_by_label(day).check()
        page.get_by_label("Opens at").fill("09:00")
        page.get_by_label("Closes at").fill("17:00")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved. The assistant uses it")
        expect(hours).to_contain_text("Monday, Tuesday, Wednesday, Thursday, Friday 09:00–17:00")

        page.get_by_role("link", name="Audit log").click()
        entry = page.locator("ol.audit > li").first
        expect(entry).to_contain_text("cora")
        expect(entry).to_contain_text("edited a registry record")
        expect(entry).to_contain_text(name)
        expect(entry.locator(".diff .remove").filter(has_text="byday: SA")).to_have_count(1)
        expect(entry.locator(".diff .add").filter(has_text="byday: MO, TU, WE, TH, FR")).to_have_count(1)
        expect(entry.locator(".diff .remove").filter(has_text="opens_at: 08:30")).to_have_count(1)
        expect(entry.locator(".diff .add").filter(has_text="opens_at: 09:00")).to_have_count(1)
    finally:
        context.close()
    assert problems == []

    told = the_bots_referral(editable_registry, name)  # the next referral, same database
    assert told is not None and "abierto ahora" in told  # open on Tuesdays at 11:00 now


def test_staff_see_the_record_but_cannot_edit_it(browser: Any, editable_registry: DeskServer) -> None:
    service_id, name = first_shelter(editable_registry)
    context = browser.new_context(locale="en-US")
    try:
        sam = Person(context.new_page(), editable_registry.url)
        page = sam.page
        sam.sign_in("sam")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Registry records").click()
        page.get_by_label("Name of the service or organization").fill(name)
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name=name, exact=True).first.click()
        expect(page.get_by_role("heading", name="Hours of the service")).to_be_visible()
        expect(page.get_by_role("link", name="Edit hours")).to_have_count(0)
        expect(page.get_by_role("button", name="Verified today")).to_have_count(0)
        assert sam.go(f"/registry/service/{service_id}/edit").status == 403
        expect(page.get_by_role("alert")).to_contain_text("Your account cannot open this page")
        assert sam.go("/registry/stale").status == 403
        token = page.locator("input[name=csrf]").first.get_attribute("value")
        refused = page.request.post(
            f"{editable_registry.url}/registry/services/{service_id}/verify", form={"csrf": str(token)}
        )
        assert refused.status == 403
    finally:
        context.close()


def test_a_registry_form_without_its_csrf_token_is_refused(
    browser: Any, editable_registry: DeskServer
) -> None:
    service_id, _name = first_shelter(editable_registry)
    context = browser.new_context(locale="en-US")
    try:
        cora = Person(context.new_page(), editable_registry.url)
        page = cora.page
        cora.sign_in("cora")
        cora.go(f"/registry/service/{service_id}/edit")
        page.locator("form.record-form input[name=csrf]").evaluate("input => input.remove()")
        page.locator("#f-name").fill("Cambiado sin token")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Save").click()
        assert posted.value.status == 403
        expect(page.get_by_role("alert")).to_contain_text("did not come from this site")
        cora.go(f"/registry/services/{service_id}")
        expect(page.get_by_role("heading", name="Cambiado sin token")).to_have_count(0)
    finally:
        context.close()


def test_the_edit_form_fits_a_phone_in_spanish(browser: Any, editable_registry: DeskServer) -> None:
    service_id, _name = first_shelter(editable_registry)
    context = browser.new_context(locale="es-MX", viewport={"width": 360, "height": 740})
    try:
        phone = Person(context.new_page(), editable_registry.url)
        page = phone.page
        phone.go("/login")
        page.get_by_label("Usuario").fill("cora")
        page.get_by_label("Contraseña").fill("una contraseña larga 2026")
        page.get_by_role("button", name="Entrar").click()
        for path in (
            f"/registry/services/{service_id}",
            f"/registry/service/{service_id}/edit",
            "/registry/stale",
        ):
            phone.go(path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        expect(page.get_by_role("heading", name="Servicios por verificar")).to_be_visible()
    finally:
        context.close()
