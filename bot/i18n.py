"""Interface strings through gettext, one catalog per language under ``locales/``.

Catalogs are compiled by ``make setup`` (``pybabel compile``); if a compiled catalog is missing or
older than its ``.po`` file, the ``.po`` is read directly so a fresh edit shows up at once.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.languages import DEFAULT_LANGUAGE, chain

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def _load_one(code: str, locales: Path) -> gettext.GNUTranslations | None:
    po = locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.exists():
        return None
    import io

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=None)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


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
