"""The desk's interface language: the same gettext catalogs as the assistant (``locales/``).

The desk is offered in :data:`DESK_LANGUAGES`; its msgids are English, like the assistant's. A
msgid not (yet) in the catalogs is looked up in :mod:`desk.staged_messages` (translations waiting
to be merged into ``locales/``), then shown in English. Placeholders are named:
``t.gettext("Waiting {minutes} min", minutes=12)``.
"""

from __future__ import annotations

from functools import lru_cache
from gettext import NullTranslations

from bot.i18n import translations
from bot.languages import LANGUAGES, chain
from desk.staged_messages import MESSAGES

DESK_LANGUAGES: tuple[str, ...] = ("es", "en", "ht")
DEFAULT = "es"


class DeskText:
    def __init__(self, language: str) -> None:
        self.language = language if language in DESK_LANGUAGES else DEFAULT
        self._catalog = translations(self.language)
        self._staged = {msgid: texts.get(self.language, "") for msgid, texts in MESSAGES.items()}

    def gettext(self, msgid: str, /, **values: object) -> str:
        text = self._catalog.gettext(msgid)
        if text == msgid and self.language != "en":
            text = self._staged.get(msgid) or msgid
        return text.format(**values) if values else text

    @property
    def catalog(self) -> NullTranslations:
        """The gettext catalog (for code that takes a ``NullTranslations``, e.g. topic labels)."""
        return self._catalog


class SlipText:
    """Text for the person, in any language the assistant speaks (a referral slip): the catalogs
    along the language's fallback chain (``mam → es``), then staged translations along it."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT
        self._catalog = translations(self.language)
        self._chain = [code for code in chain(self.language) if code != "en"]

    def gettext(self, msgid: str, /, **values: object) -> str:
        text = self._catalog.gettext(msgid)
        if text == msgid and self.language != "en":
            staged = MESSAGES.get(msgid, {})
            text = next((staged[code] for code in self._chain if staged.get(code)), msgid)
        return text.format(**values) if values else text

    @property
    def catalog(self) -> NullTranslations:
        return self._catalog


@lru_cache(maxsize=8)
def desk_text(language: str) -> DeskText:
    return DeskText(language)


def language_name(code: str) -> str:
    """A language named in itself ("Kreyòl ayisyen"), or the code."""
    lang = LANGUAGES.get(code)
    return lang.endonym if lang else code


def negotiate(accept_language: str) -> str:
    """The first desk language in an ``Accept-Language`` header, else Spanish."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in DESK_LANGUAGES:
            return code
    return DEFAULT
