"""Language suggestion on short messages: es/en/ht, French and Portuguese recognised for the menu."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.language_id import detect, scores
from nlu.examples import read_training
from nlu.paths import DATA


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kijan pou m mande azil", "ht"),
        ("bonjou", "ht"),
        ("mwen bezwen ed", "ht"),
        ("mesi anpil", "ht"),
        ("m pa gen papye, eske m ka travay", "ht"),
        ("necesito asilo", "es"),
        ("hola", "es"),
        ("nesesito ayuda pa mi hijo", "es"),
        ("q onda, ocupo chamba", "es"),
        ("documentos", "es"),  # Spanish first when the characters could be Portuguese
        ("i need help please", "en"),
        ("where i can find albergue", "en"),
        ("good morning", "en"),
        ("bonjour je cherche un avocat", "fr"),
        ("merci", "fr"),
        ("je suis haïtien et je cherche du travail", "fr"),
        ("preciso de ajuda", "pt"),
        ("obrigado", "pt"),
        ("eu preciso de um advogado", "pt"),
    ],
)
def test_detects_short_messages(text: str, lang: str) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["", "😀🙏", "1234", "привет как дела", "مرحبا", "你好"])
def test_nothing_to_go_on(text: str) -> None:
    assert detect(text) is None
    assert scores(text) is None


def test_words_everyone_borrows_do_not_vote() -> None:
    only_borrowed = scores("curp comar")
    assert only_borrowed is not None
    assert max(only_borrowed, key=lambda k: only_borrowed[k]) == "es"  # the prior alone
    assert detect("curp pou pitit mwen") == "ht"
    assert detect("curp for my son") == "en"


def test_accuracy_on_the_training_messages() -> None:
    # Messages are filed under the language of the person writing; some are code-switched
    # (Spanish words in a Creole message), so the figures cannot reach 1.0.
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for ex in read_training(DATA):
        total[ex.language] += 1
        right[ex.language] += detect(ex.text) == ex.language
    assert right["es"] / total["es"] >= 0.97
    assert right["en"] / total["en"] >= 0.90
    assert right["ht"] / total["ht"] >= 0.85
