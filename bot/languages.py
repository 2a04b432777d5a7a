"""The languages the assistant speaks, each named in itself, with its fallback chain.

``released`` languages are complete and checked in CI: every interface string is translated and
every topic has an answer. The indigenous languages are drafts written without a community
reviewer yet; whatever they lack falls back to Spanish (``fallback="es"``) with a one-line note.

``cldr`` is the CLDR/Babel locale used for dates and numbers (see ``bot/localformat.py``); ``None``
when CLDR has no data for the language, so formatting follows the fallback chain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    endonym: str  # the language's own name, as shown in the menu
    fallback: str | None = "es"
    released: bool = False
    cldr: str | None = None
    variety: str = ""  # which variety the texts are written in, for translators and reviewers


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("es", "Español", None, released=True, cldr="es_MX", variety="Mexican Spanish"),
        Language("en", "English", None, released=True, cldr="en"),
        Language("ht", "Kreyòl ayisyen", "fr", released=True, cldr="ht"),
        # Guatemalan migrants. Standard orthography of the ALMG (Academia de Lenguas Mayas).
        Language("quc", "K'iche'", cldr="quc", variety="K'iche' (central), ALMG orthography"),
        # Guatemalan migrants and Chiapas. "Qyool" ("our word") is also used; "Mam" is understood
        # by all speakers.
        Language("mam", "Mam", variety="Mam, ALMG orthography"),
        # Chiapas highlands (Chamula, Zinacantán); "bats'i k'op" means "the true word".
        Language("tzo", "Bats'i k'op (Tsotsil)", variety="Tsotsil (Chamula/Zinacantán)"),
        # Central Nahuatl (Puebla–Tlaxcala highlands), as the drafts in locales/ and content/
        # are written; speakers call it "mexicano" as often as "náhuatl".
        Language(
            "nah",
            "Nahuatl / Mexicano",
            variety="Central Nahuatl (Puebla-Tlaxcala), classical-based spelling (c/qu/hu/tz)",
        ),
        # Otomí of Querétaro as spoken in Amealco (Santiago Mexquititlán): "hñäñho".
        Language("otq", "Hñäñho (Otomí)", variety="Hñäñho, Amealco (Santiago Mexquititlán)"),
    )
}

DEFAULT_LANGUAGE = "es"
RELEASED: tuple[str, ...] = tuple(code for code, lang in LANGUAGES.items() if lang.released)


def chain(code: str) -> list[str]:
    """``code`` followed by its fallbacks, always ending in the default language."""
    out: list[str] = []
    current: str | None = code
    while current and current not in out:
        out.append(current)
        lang = LANGUAGES.get(current)
        current = lang.fallback if lang else None
    if DEFAULT_LANGUAGE not in out:
        out.append(DEFAULT_LANGUAGE)
    return out
