"""Registry search at the desk gives what the assistant would refer, in the same order, with the
same reasons; the referral slip says it in the person's language and invents nothing."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from referrals import SqlReferralFinder
from referrals.places import default_gazetteer
from tests.desk.scenes import Scene, build_scene, registry_scene, seed_registry
from tests.desk.scenes import signed_in as desk_client

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Mexico City


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = registry_scene(tmp_path_factory.mktemp("registry"), NOW)
    yield built
    built.app.db.dispose()


def signed_in(
    scene: Scene, username: str = "sam"
) -> contextlib.AbstractAsyncContextManager[httpx.AsyncClient]:
    return desk_client(scene, username)


def bot_referrals(scene: Scene, topic: str, place: str, language: str) -> list[str]:
    """What the assistant's finder returns for the same question (its synchronous twin)."""
    result = SqlReferralFinder(scene.app.db).find_now(
        intent=topic, place=default_gazetteer().find_in_text(place), language=language, now=NOW, limit=10
    )
    return [r.name for r in result.referrals]


async def test_the_search_lists_what_the_assistant_would_refer_in_its_order(scene: Scene) -> None:
    async with signed_in(scene) as c:
        page = await c.get(
            "/desk/registry", params={"topic": "shelter", "place": "Tapachula", "language": "ht"}
        )
        assert page.status_code == 200
        names = [html.unescape(n.strip()) for n in re.findall(r"<h3>(.*?)</h3>", page.text)]
        assert names and names == bot_referrals(scene, "shelter", "Tapachula", "ht")
        assert "Why:" in page.text and "in Tapachula" in page.text  # the bot's reasons, in English
        assert "Referral slip in Kreyòl ayisyen" in page.text


async def test_an_unknown_place_says_so_and_searches_nationally(scene: Scene) -> None:
    async with signed_in(scene) as c:
        page = await c.get("/desk/registry", params={"topic": "legal_aid", "place": "Springfield"})
        assert "Place not recognised: Springfield" in page.text
        assert "national service (phone or online)" in page.text


async def test_the_slip_is_in_the_persons_language_with_the_registry_facts_only(scene: Scene) -> None:
    async with signed_in(scene) as c:
        search = await c.get(
            "/desk/registry", params={"topic": "shelter", "place": "Tapachula", "language": "ht"}
        )
        link = re.search(r'href="(/desk/registry/slip\?[^"]+)"', search.text)
        assert link
        slip = await c.get(link.group(1).replace("&amp;", "&"))
        assert slip.status_code == 200
        assert 'lang="ht"' in slip.text and "Abri ak manje" in slip.text  # the topic in Creole
        assert "Poukisa:" in slip.text or "Sous:" in slip.text
        assert "Enprime jou" in slip.text
        text = re.sub(r"<[^>]+>", " ", slip.text)
        finder = SqlReferralFinder(scene.app.db)
        first = finder.find_now(
            intent="shelter",
            place=default_gazetteer().find_in_text("Tapachula"),
            language="ht",
            now=NOW,
            limit=10,
        ).referrals[0]
        for phone in first.phones:
            assert phone in text
        if first.confidential:
            assert first.address is None or first.address not in text


async def test_a_slip_for_a_service_the_search_does_not_return_is_404(scene: Scene) -> None:
    async with signed_in(scene) as c:
        response = await c.get(
            "/desk/registry/slip",
            params={"topic": "shelter", "place": "Tapachula", "language": "ht", "service": "x"},
        )
        assert response.status_code == 404


def test_slip_texts_fall_back_along_the_persons_language_chain(tmp_path: Path) -> None:
    from desk.text import SlipText

    assert SlipText("mam").gettext("Printed on {date}", date="1") == "Impreso el 1"  # mam → es
    assert SlipText("ht").gettext("Printed on {date}", date="1") == "Enprime jou 1"
    assert SlipText("en").gettext("Printed on {date}", date="1") == "Printed on 1"


async def test_words_narrow_the_search_ignoring_accents_and_keep_the_assistants_order(scene: Scene) -> None:
    everything = bot_referrals(scene, "shelter", "Tapachula", "es")
    async with signed_in(scene) as c:
        page = await c.get(
            "/desk/registry",
            params={"topic": "shelter", "place": "Tapachula", "language": "es", "q": "JESUS  buen"},
        )
    names = [html.unescape(n.strip()) for n in re.findall(r"<h3>(.*?)</h3>", page.text)]
    assert names and len(names) < len(everything)
    assert "in Tapachula" in page.text  # the assistant's reasons stay
    async with signed_in(scene) as c:
        albergue = await c.get(
            "/desk/registry", params={"topic": "shelter", "place": "Tapachula", "q": "albergue"}
        )
    kept = [html.unescape(n.strip()) for n in re.findall(r"<h3>(.*?)</h3>", albergue.text)]
    assert len(kept) > 1
    order = iter(everything)
    assert all(name in order for name in kept)  # a subsequence of the assistant's order
    assert 'name="q" value="albergue"' in albergue.text


async def test_the_slip_links_to_the_assistant_with_a_qr_code_only_when_configured(tmp_path: Path) -> None:
    from bot.settings import load_settings
    from desk.assistant_links import assistant_links

    assert assistant_links(load_settings()) == ()
    configured = load_settings(
        BRUJULA_TELEGRAM_BOT_USERNAME="@brujula_test_bot", BRUJULA_WHATSAPP_PUBLIC_NUMBER="+52 (55) 0000-0000"
    )
    links = assistant_links(configured)
    assert [link.url for link in links] == ["https://t.me/brujula_test_bot", "https://wa.me/525500000000"]
    assert all(link.qr.startswith("data:image/svg+xml") for link in links)

    scene = build_scene(tmp_path, clock=lambda: NOW)
    seed_registry(scene)
    try:
        async with signed_in(scene) as c:
            params = {"topic": "shelter", "place": "Tapachula", "language": "ht"}
            search = await c.get("/desk/registry", params=params)
            link = re.search(r'href="(/desk/registry/slip\?[^"]+)"', search.text)
            assert link
            slip = link.group(1).replace("&amp;", "&")
            without = (await c.get(slip)).text
            scene.desk.assistant_links = links
            page = (await c.get(slip)).text
    finally:
        scene.app.db.dispose()
    assert "t.me" not in without and "data:image/svg+xml" not in without  # unset: no link at all
    assert "Ekri asistan an sou Telegram: https://t.me/brujula_test_bot" in page
    assert "Ekri asistan an sou WhatsApp: https://wa.me/525500000000" in page
    assert page.count('src="data:image/svg+xml') == 2
