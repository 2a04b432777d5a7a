"""Interface strings through gettext, one catalog per language under ``locales/``.

Catalogs are compiled by ``make setup`` (``python -m content.catalogs``, which also handles the
languages CLDR does not know); if a compiled catalog is missing or older than its ``.po`` file, the
``.po`` is compiled in memory so a fresh edit shows up at the next start. Untranslated and fuzzy
entries fall back along the language chain (``mam → es``; ``ht → fr → es``); the chain stops at
English because the msgids are English. A catalog that cannot be compiled is skipped (and logged),
never allowed to break the conversation.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import lru_cache
from pathlib import Path

from bot.languages import DEFAULT_LANGUAGE, chain
from content.catalogs import LOCALES, CatalogError, compile_to_bytes, po_path

log = logging.getLogger(__name__)

__all__ = ["LOCALES", "is_translated", "reset", "translations"]


def _load_one(code: str, locales: Path) -> gettext.GNUTranslations | None:
    po = po_path(code, locales)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.exists():
        return None
    try:
        data = compile_to_bytes(po)
    except CatalogError as exc:
        log.error("catalog skipped, its strings fall back along the chain: %s", exc)
        return None
    return gettext.GNUTranslations(io.BytesIO(data))


@lru_cache(maxsize=64)
def _catalog(code: str, locales: Path) -> gettext.GNUTranslations | None:
    return _load_one(code, locales)


@lru_cache(maxsize=64)
def translations(code: str, locales: Path = LOCALES) -> gettext.NullTranslations:
    """The catalog for ``code`` with its fallback chain attached (e.g. ``ht → fr → es``)."""
    first: gettext.NullTranslations | None = None
    last: gettext.NullTranslations | None = None
    for lang in chain(code or DEFAULT_LANGUAGE):
        if lang == "en":
            # msgids are English: the English catalog is the end of any chain that reaches it.
            break
        loaded = _load_one(lang, locales)
        if loaded is None:
            continue
        if last is None:
            first = loaded
        else:
            last.add_fallback(loaded)
        last = loaded
    return first or gettext.NullTranslations()


def is_translated(code: str, msgid: str, locales: Path = LOCALES) -> bool:
    """Whether ``code``'s own catalog translates ``msgid`` (not a fallback language's).

    English is always "translated": the msgids are English.
    """
    if code == "en":
        return True
    catalog = _catalog(code, locales)
    if catalog is None:
        return False
    messages: dict[object, str] = getattr(catalog, "_catalog", {})  # the parsed .mo, msgid → msgstr
    return bool(messages.get(msgid))


def reset() -> None:
    """Forget the loaded catalogs (after an edit of a ``.po`` file, or in tests)."""
    translations.cache_clear()
    _catalog.cache_clear()
