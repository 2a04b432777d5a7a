"""Offline language identification for short messages (py3langid, restricted to what we expect).

It only *suggests*: the language menu is shown in the suggested language first, and the person's
explicit choice always wins.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

CANDIDATES = ("es", "en", "ht", "fr", "pt")

_HINTS: dict[str, frozenset[str]] = {
    # Very common short words that settle a 1–3 word message better than character statistics.
    "ht": frozenset(
        {
            "mwen",
            "bonjou",
            "bonswa",
            "mesi",
            "kijan",
            "nou",
            "yo",
            "pou",
            "bezwen",
            "ki",
            "kote",
            "ede",
            "sak",
            "pase",
            "wi",
            "non",
            "konn",
            "pale",
            "kreyol",
            "kreyòl",
            "ayisyen",
            "m",
            "pa",
            "ak",
            "yon",
            "tanpri",
            "sa",
        }
    ),
    "es": frozenset(
        {
            "hola",
            "buenas",
            "buenos",
            "necesito",
            "ayuda",
            "quiero",
            "donde",
            "dónde",
            "como",
            "cómo",
            "gracias",
            "tengo",
            "estoy",
            "para",
            "por",
            "que",
            "qué",
            "no",
            "si",
            "sí",
            "ke",
            "q",
            "xq",
            "porfa",
            "ayudenme",
            "nesesito",
        }
    ),
    "en": frozenset(
        {
            "hello",
            "hi",
            "help",
            "need",
            "where",
            "how",
            "thanks",
            "thank",
            "please",
            "the",
            "i",
            "my",
            "is",
            "you",
            "want",
            "can",
            "pls",
            "im",
        }
    ),
    "fr": frozenset(
        {
            "bonjour",
            "merci",
            "je",
            "suis",
            "besoin",
            "aide",
            "où",
            "comment",
            "vous",
            "parlez",
            "français",
            "francais",
        }
    ),
    "pt": frozenset(
        {
            "olá",
            "ola",
            "obrigado",
            "obrigada",
            "preciso",
            "ajuda",
            "onde",
            "você",
            "voce",
            "português",
            "portugues",
            "não",
            "nao",
            "estou",
        }
    ),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(CANDIDATES))
    return ident


def has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def detect(text: str) -> str | None:
    """The most likely of es/en/ht/fr/pt, or ``None`` when there is nothing to go on."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    # Non-Latin scripts (Arabic, Cyrillic, CJK…) are none of our candidates.
    if not any("LATIN" in unicodedata.name(ch, "") for w in words for ch in w):
        return None
    scores = {lang: sum(1 for w in words if w in hints) for lang, hints in _HINTS.items()}
    if len(words) <= 3:
        best = max(scores, key=lambda k: scores[k])
        if scores[best] > 0 and list(scores.values()).count(scores[best]) == 1:
            return best
    lang, prob = _identifier().classify(" ".join(words))
    if prob < 0.5 and max(scores.values()) > 0:
        return max(scores, key=lambda k: scores[k])
    return str(lang)
