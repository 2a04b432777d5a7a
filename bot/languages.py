"""The languages the assistant speaks, each named in itself, with its fallback chain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    endonym: str  # the language's own name, as shown in the menu
    fallback: str | None = "es"


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("es", "Español", None),
        Language("en", "English", None),
        Language("ht", "Kreyòl ayisyen", "fr"),
    )
}

DEFAULT_LANGUAGE = "es"


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
