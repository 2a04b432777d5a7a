"""What the model is asked about: readable text of bounded length."""

from __future__ import annotations

import pytest

from nlu.textguard import MAX_TEXT, clip, readable


@pytest.mark.parametrize("text", ["hola", "kote m ka dòmi", "¿dónde?", "ok 👍", "привет hola", "CURP"])
def test_latin_letters_are_readable(text: str) -> None:
    assert readable(text)


@pytest.mark.parametrize(
    "text", ["", "   ", "😀😀🙏", "1234 5678", "?!...", "привет как дела", "مرحبا", "你好"]
)
def test_nothing_latin_is_unreadable(text: str) -> None:
    assert not readable(text)


def test_long_text_is_clipped_at_a_word_boundary() -> None:
    text = "necesito ayuda con mi curp " * 400
    clipped = clip(text)
    assert len(clipped) <= MAX_TEXT
    assert text.startswith(clipped)
    assert not clipped.endswith(" ")
    assert clipped.split()[-1] in {"necesito", "ayuda", "con", "mi", "curp"}


def test_whitespace_is_collapsed() -> None:
    assert clip("  busco \n\t albergue  ") == "busco albergue"


def test_one_endless_word_is_cut_anyway() -> None:
    assert len(clip("x" * 5000)) == MAX_TEXT
