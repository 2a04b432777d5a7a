from __future__ import annotations

import pytest

from bot import safety


@pytest.mark.parametrize(
    "text",
    [
        "nos tienen secuestrados",
        "AYUDA NOS VAN A MATAR",
        "mi hijo no respira",
        "me quiero morir",
        "ya no quiero vivir",
        "I want to die",
        "they kidnapped us",
        "my baby is not breathing",
        "mwen vle mouri",
        "yo pral touye nou",
        "pitit mwen pa respire",
        "nos estan disparando",
        "está sangrando mucho",
    ],
)
def test_danger_phrases_are_caught(text: str) -> None:
    assert safety.check(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "necesito asilo",
        "zamora michoacan",
        "hola buenos dias",
        "where is the shelter",
        "mwen bezwen yon doktè",
        "",
        "😀",
    ],
)
def test_ordinary_messages_are_not_emergencies(text: str) -> None:
    assert safety.check(text) is None
