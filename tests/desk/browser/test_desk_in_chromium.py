"""The desk in headless Chromium: what a staff member or a coordinator does, click by click."""

from __future__ import annotations

import csv
import io
import os
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

from bot.background import deliver_outbox_once
from bot.channels.telegram import TelegramChannel
from bot.dialogue.engine import DialogueEngine
from bot.identity import Pseudonymizer
from bot.messages import Inbound, Outbound
from bot.sessions import MemorySessionStore
from content import AnswerBook
from referrals import PlaceholderReferrals
from referrals.places import default_gazetteer
from tests.conftest import Chat
from tests.desk.browser.conftest import DeskServer, Person
from tests.desk.scenes import RecordingDeliverer, run_async
from tests.fake_telegram import FakeBotApi
from tests.fakes import FakeClassifier

NEW_SENTENCE = "Si w pa konn li, mande yon moun nan abri a li l pou ou."


def deliver(server: DeskServer, channel: RecordingDeliverer) -> int:
    """One round of the server's outbox dispatcher, with the person's channel faked."""
    return run_async(lambda: deliver_outbox_once(server.scene.app.handoff, {"telegram": channel}))


def deliver_through_telegram(server: DeskServer) -> tuple[int, list[dict[str, Any]]]:
    """One round of the outbox dispatcher through the real Telegram channel (python-telegram-bot)
    against a fake Bot API on 127.0.0.1: how many were delivered, and what the API received."""

    async def unused(inbound: Inbound) -> list[Outbound]:
        raise AssertionError("nothing is received here")

    async def dispatch() -> tuple[int, list[dict[str, Any]]]:
        api = FakeBotApi()
        await api.start()
        try:
            channel = TelegramChannel(token=api.token, base_url=api.base_url, handle=unused)
            await channel.application.initialize()
            try:
                count = await deliver_outbox_once(server.scene.app.handoff, {"telegram": channel})
            finally:
                await channel.application.shutdown()
            return count, [m for m in api.sent if m["method"] == "sendMessage"]
        finally:
            await api.stop()

    return run_async(dispatch)


def test_anonymous_visitors_go_to_login_and_staff_cannot_open_coordinator_pages(person: Person) -> None:
    page = person.page
    person.go("/dashboard")
    assert page.url.endswith("/desk/login?next=/desk/dashboard")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("una contraseña larga 2026")
    with page.expect_response(lambda r: r.url.endswith("/desk/dashboard")) as landed:
        page.get_by_role("button", name="Sign in").click()
    assert landed.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Your account cannot open this page")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)
    for path in ("/audit", "/content", "/content/asylum/ht", "/dashboard.csv", "/accounts"):
        assert person.go(path).status == 403, path


def test_a_reply_from_the_inbox_reaches_the_persons_channel_and_closing_says_goodbye(
    person: Person, desk_server: DeskServer
) -> None:
    page = person.page
    person.sign_in("sam")
    rows = page.locator("table.tickets tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("HIGH RISK")  # high risk first
    expect(rows.first).to_contain_text("Kreyòl ayisyen")
    rows.first.get_by_role("link").click()

    expect(page.get_by_role("heading", name="Conversation #1")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Mwen pè.")
    page.get_by_label("Your reply").fill("Bonjou, mwen se Sam. Kote ou ye kounye a?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Reply queued")

    count, sent = deliver_through_telegram(desk_server)  # the fake Bot API receives it
    assert count == 1
    assert [(int(m["chat_id"]), m["text"]) for m in sent] == [
        (700100, "Bonjou, mwen se Sam. Kote ou ye kounye a?")
    ]

    page.get_by_role("button", name="Close the conversation").click()
    expect(page.get_by_role("status")).to_contain_text("The conversation was closed")
    expect(page.locator("table.tickets tbody tr")).to_have_count(1)
    count, sent = deliver_through_telegram(desk_server)
    assert [(int(m["chat_id"]), m["text"]) for m in sent] == [
        (700100, "Ekip la fèmen konvèsasyon sa a. Ou tounen ak asistan an: ekri /menu.")
    ]


def test_an_edited_answer_shows_in_the_audit_log_and_in_the_bots_next_answer(
    person: Person, desk_server: DeskServer
) -> None:
    page = person.page
    person.sign_in("cora")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Content review").click()
    page.locator('a[href$="/content/asylum/ht"]').click()
    expect(page.get_by_role("heading", name="Edit: Asylum / refugee (Kreyòl ayisyen)")).to_be_visible()

    summary = page.get_by_label("Summary (at most 700 characters)")
    summary.fill(summary.input_value() + "\n" + NEW_SENTENCE)
    page.get_by_role("button", name="Save and mark reviewed").click()
    expect(page.get_by_role("status")).to_contain_text("Saved and marked reviewed")
    expect(page.locator("p.meta").first).to_contain_text("Cora Méndez")

    page.get_by_role("link", name="Audit log").click()
    entry = page.locator("ol.audit > li").first
    expect(entry).to_contain_text("cora")
    expect(entry).to_contain_text("edited and reviewed an answer")
    expect(entry).to_contain_text("content/answers/asylum/ht.yml")
    expect(entry.locator(".diff .remove").first).to_contain_text("status: draft")
    expect(entry.locator(".diff .add").filter(has_text=NEW_SENTENCE)).to_have_count(1)

    # The bot's next answer: a person asking about asylum in Creole gets the edited text.
    engine = DialogueEngine(
        sessions=MemorySessionStore(),
        classifier=FakeClassifier(),
        answers=AnswerBook(desk_server.scene.content, check_every=0.0),
        referrals=PlaceholderReferrals(),
        places=default_gazetteer(),
        pseudonymize=Pseudonymizer("test-secret"),
        eraser=MemorySessionStore().delete,
        clock=lambda: datetime(2026, 11, 23, 17, 0, tzinfo=UTC),
    )
    chat = Chat(engine)

    async def conversation() -> str:
        await chat.begin("ht", greeting="bonjou")
        await chat.send("mwen bezwen azil")
        return chat.text

    assert NEW_SENTENCE in run_async(conversation)


def test_the_dashboard_shows_topics_by_week_and_unmet_needs_and_hides_small_counts(
    person: Person, tmp_path: Path
) -> None:
    page = person.page
    person.sign_in("cora")
    page.get_by_role("link", name="Dashboard").click()
    topics = page.locator("section", has=page.get_by_role("heading", name="Questions by topic and week"))
    expect(topics.locator("table.sparks tbody tr").first).to_contain_text("Asylum / refugee")
    expect(topics.locator("table.sparks tbody tr").first).to_contain_text("47")
    expect(topics.locator("svg.spark").first).to_be_visible()

    unmet = page.locator("section", has=page.get_by_role("heading", name="Unmet needs by state and topic"))
    expect(unmet.locator("svg.chart")).to_contain_text("Querétaro — Legal help")
    unmet.get_by_text("The numbers").click()
    hidden = unmet.locator("tr", has_text="Legal help")
    expect(hidden).to_contain_text("<5")
    expect(hidden).not_to_contain_text("3")
    expect(unmet.locator("tr", has_text="Health")).to_contain_text("7")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "measurement.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert ["unmet_by_state_topic", "MX-QUE", "legal_aid", "<5"] in rows
    assert ["questions_by_language", "quc", "", "<5"] in rows
    totals = {r[3] for r in rows if r[0].startswith("questions_by_") and r[1].startswith("total")}
    assert totals == {"85"}  # 90 questions, 5 of them in weekly cells under 5: left out everywhere


def test_a_form_without_its_csrf_token_is_refused(person: Person, desk_server: DeskServer) -> None:
    page = person.page
    person.sign_in("sam")
    person.go("/tickets/2")
    page.locator("form.reply input[name=csrf]").evaluate("input => input.remove()")
    page.get_by_label("Your reply").fill("Hola, ¿sigues ahí?")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Send reply").click()
    assert posted.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("did not come from this site")
    assert deliver(desk_server, RecordingDeliverer()) == 0  # nothing was queued

    forged: Any = page.request.post(
        desk_server.url + "/tickets/2/reply", form={"csrf": "forged", "text": "Hola"}, max_redirects=0
    )
    assert forged.status == 403


def test_usable_on_a_phone_in_spanish_and_with_the_keyboard(browser: Any, desk_server: DeskServer) -> None:
    context = browser.new_context(locale="es-MX", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        phone = Person(page, desk_server.url)
        phone.go("/login")
        expect(page.get_by_label("Usuario")).to_be_focused()  # signing in by keyboard alone
        page.keyboard.type("sam")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Contraseña")).to_be_focused()
        page.keyboard.type("una contraseña larga 2026")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Conversaciones que esperan a una persona")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Ir al contenido")).to_be_focused()
        expect(page.locator("table.tickets tbody tr").first).to_contain_text("RIESGO ALTO")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Conversations waiting for a person")).to_be_visible()
    finally:
        context.close()
