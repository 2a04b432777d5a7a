"""The referral slip, found through the registry search, prints on one A4 and one Letter page in
Haitian Creole — every slip of a search, not just the shortest."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # without Playwright the module is skipped, or fails under CI
    if os.environ.get("CI"):
        raise
    pytest.skip("Playwright is not installed (pip install playwright)", allow_module_level=True)

from tests.desk.browser.conftest import DeskServer, Person

PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.mark.parametrize(("topic", "place"), [("shelter", "Tapachula"), ("asylum", "Ciudad de México")])
def test_every_slip_prints_on_one_page_in_haitian_creole(
    browser: Any, registry_server: DeskServer, topic: str, place: str
) -> None:
    context = browser.new_context(locale="en-US")
    try:
        who = Person(context.new_page(), registry_server.url)
        page = who.page
        who.sign_in("sam")
        page.get_by_role("link", name="Find a service").click()
        page.get_by_label("Topic").select_option(topic)
        page.get_by_label("Place (city or state)").fill(place)
        page.get_by_label("The person's language").select_option("ht")
        page.get_by_role("button", name="Search").click()
        links = page.get_by_role("link", name="Referral slip in Kreyòl ayisyen")
        expect(links.first).to_be_visible()
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs
        for href in hrefs:
            who.page.goto(registry_server.url.removesuffix("/desk") + str(href))
            slip = page.locator("article.slip")
            expect(slip).to_have_attribute("lang", "ht")
            expect(slip).to_contain_text("Enprime jou")
            expect(slip.locator(".slip-links img")).to_have_count(2)  # Telegram and WhatsApp QR codes
            expect(slip).to_contain_text("Ekri asistan an sou Telegram: https://t.me/brujula_test_bot")
            for paper in ("A4", "Letter"):
                pdf = page.pdf(format=paper, print_background=True)
                assert len(PAGE.findall(pdf)) == 1, (href, paper)
    finally:
        context.close()
