"""What the model can be asked about: text with at least one Latin letter, of bounded length.

Empty messages, emoji-only messages, digits and punctuation, and scripts the model was never
trained on (Cyrillic, Arabic, CJK…) get a defined answer — ``out_of_scope`` with confidence 0 —
without a round trip to the model; very long messages are cut to the first ``MAX_TEXT``
characters, which carry the meaning. Pure Python: the Rasa-side server uses it too.
"""

from __future__ import annotations

import unicodedata

MAX_TEXT = 1000  # characters sent to the model; the rest adds noise, not meaning
UNREADABLE_INTENT = "out_of_scope"


def readable(text: str) -> bool:
    """Whether the text contains a letter of the Latin script (the only one the model knows)."""
    return any(ch.isalpha() and "LATIN" in unicodedata.name(ch, "") for ch in text[: MAX_TEXT * 4])


def clip(text: str) -> str:
    """Whitespace collapsed and cut to ``MAX_TEXT`` characters, at a word boundary when possible."""
    flat = " ".join(text[: MAX_TEXT * 4].split())
    if len(flat) <= MAX_TEXT:
        return flat
    cut = flat[:MAX_TEXT]
    space = cut.rfind(" ")
    return cut[:space] if space > MAX_TEXT // 2 else cut
