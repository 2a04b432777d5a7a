from __future__ import annotations

import pytest

from bot.language_id import detect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kijan pou m mande azil", "ht"),
        ("bonjou", "ht"),
        ("mwen bezwen ed", "ht"),
        ("necesito asilo", "es"),
        ("hola", "es"),
        ("nesesito ayuda pa mi hijo", "es"),
        ("i need help please", "en"),
        ("where i can find albergue", "en"),
        ("bonjour je cherche un avocat", "fr"),
        ("preciso de ajuda", "pt"),
    ],
)
def test_detects_short_messages(text: str, lang: str) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["", "😀🙏", "1234", "привет как дела", "مرحبا"])
def test_nothing_to_go_on(text: str) -> None:
    assert detect(text) is None
