"""Dates, numbers and opening hours in the person's language, with CLDR data through Babel.

CLDR covers Spanish, English and French fully; it has number symbols but no calendar for Haitian
Creole, a K'iche' calendar only from CLDR 47 (Babel 2.17) on, and nothing for Mam, Tsotsil,
Nahuatl or Otomí. Each kind of data is taken from the first language along the person's chain
(``bot/languages.py``) whose own CLDR data has it: a K'iche' speaker gets K'iche' number symbols
and K'iche' month names (Spanish ones with an older Babel); a Haitian Creole speaker gets French
month names (``ht → fr``); Mam, Tsotsil, Nahuatl and Otomí get Mexican Spanish.

Opening hours are anything with ``weekday`` (0 = Monday), ``opens`` and ``closes`` (the registry's
``OpeningHours`` and the handoff's office ``Slot`` both qualify).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from functools import lru_cache
from typing import Protocol

from babel import Locale, UnknownLocaleError, localedata
from babel import dates as cldr_dates
from babel import lists as cldr_lists
from babel import numbers as cldr_numbers
from babel import units as cldr_units

from bot.languages import DEFAULT_LANGUAGE, LANGUAGES, chain

CALENDAR = ("months", "days", "date_formats", "time_formats")
NUMBERS = ("number_symbols", "decimal_formats")


# CLDR separates "9:00 a.m." and "12 345,5" with narrow and thin no-break spaces, which some
# older phones draw as boxes; the plain no-break space keeps the parts together everywhere.
_SPACES = str.maketrans({"\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0"})


def _plain(text: str) -> str:
    return text.translate(_SPACES)


class HoursSlot(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def opens(self) -> time: ...
    @property
    def closes(self) -> time: ...


def _cldr_id(code: str) -> str | None:
    lang = LANGUAGES.get(code)
    if lang is not None:
        return lang.cldr
    return code  # a language outside the registry (fr, pt): try CLDR by its code


@lru_cache(maxsize=64)
def _own_data(identifier: str) -> frozenset[str]:
    """The data keys CLDR holds for ``identifier`` and its regional parents of the same language
    (``es_MX`` → ``es``), without what would be inherited from another language or from root.

    Read from Babel's own data files: ``localedata.load(merge_inherited=False)`` would replace
    the merged data in Babel's cache."""
    parts = identifier.split("_")
    keys: set[str] = set()
    for n in range(len(parts), 0, -1):
        name = "_".join(parts[:n])
        if localedata.exists(name):
            with open(localedata.resolve_locale_filename(name), "rb") as fh:
                keys |= set(pickle.load(fh))  # noqa: S301 - Babel's packaged CLDR data
    return frozenset(keys)


@lru_cache(maxsize=128)
def locale_for(code: str, needs: tuple[str, ...] = CALENDAR) -> Locale:
    """The CLDR locale that formats ``needs`` for ``code``, following its fallback chain."""
    for lang in chain(code or DEFAULT_LANGUAGE):
        identifier = _cldr_id(lang)
        if not identifier:
            continue
        try:
            locale = Locale.parse(identifier)
        except (UnknownLocaleError, ValueError):
            continue
        if all(key in _own_data(identifier) for key in needs):
            return locale
    return Locale.parse(LANGUAGES[DEFAULT_LANGUAGE].cldr or DEFAULT_LANGUAGE)


def format_date(value: date, lang: str, style: str = "long") -> str:
    """``23 de noviembre de 2026`` / ``November 23, 2026`` / ``23 novembre 2026``."""
    return _plain(cldr_dates.format_date(value, style, locale=locale_for(lang)))


def format_time(value: time, lang: str) -> str:
    return _plain(cldr_dates.format_time(value, "short", locale=locale_for(lang)))


def format_weekday_time(value: datetime, lang: str) -> str:
    """``lunes 9:00 a.m.`` / ``Monday 9:00 AM``: when something opens next (local time)."""
    locale = locale_for(lang)
    day = cldr_dates.get_day_names("wide", locale=locale)[value.weekday()]
    return _plain(f"{day} {cldr_dates.format_time(value.timetz(), 'short', locale=locale)}")


def format_number(value: float | int, lang: str) -> str:
    return _plain(cldr_numbers.format_decimal(value, locale=locale_for(lang, NUMBERS)))


def format_km(value: float, lang: str) -> str:
    """A distance rounded for people: ``1,5 km`` (es), ``1.5 km`` (en), ``12 km``."""
    rounded = round(value, 1) if value < 10 else round(value)
    return _plain(
        cldr_units.format_unit(rounded, "length-kilometer", "short", locale=locale_for(lang, NUMBERS))
    )


def _time_skeleton(locale: Locale) -> str:
    pattern = locale.time_formats["short"].pattern
    return "hm" if "h" in pattern else "Hm"


def _span(opens: time, closes: time, locale: Locale) -> str:
    if closes > opens:
        return cldr_dates.format_interval(opens, closes, _time_skeleton(locale), locale=locale)
    # Overnight or unusual hours: the two times with the locale's own range pattern.
    pattern = locale.interval_formats.get(None, "{0} – {1}")
    first = cldr_dates.format_time(opens, "short", locale=locale)
    last = cldr_dates.format_time(closes, "short", locale=locale)
    return str(pattern).replace("{0}", first).replace("{1}", last)


def _day_groups(days: Sequence[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for day in sorted(set(days)):
        if groups and day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    return groups


def format_hours(slots: Iterable[HoursSlot], lang: str) -> str:
    """``lunes – viernes 9:00 a.m.–6:00 p.m. y sábado 10:00 a.m.–2:00 p.m.``.

    Consecutive days with the same hours are joined into a range (three days or more); the
    groups are joined with the locale's list pattern. Empty when there are no slots.
    """
    locale = locale_for(lang)
    names = cldr_dates.get_day_names("wide", locale=locale)
    by_hours: dict[tuple[time, time], list[int]] = {}
    for slot in slots:
        by_hours.setdefault((slot.opens, slot.closes), []).append(slot.weekday)
    parts: list[tuple[int, time, str]] = []
    range_pattern = str(locale.interval_formats.get(None, "{0} – {1}"))
    for (opens, closes), days in by_hours.items():
        labels = []
        for group in _day_groups(days):
            if len(group) >= 3:
                labels.append(range_pattern.replace("{0}", names[group[0]]).replace("{1}", names[group[-1]]))
            else:
                labels += [names[d] for d in group]
        day_text = cldr_lists.format_list(labels, locale=locale)
        parts.append((min(days), opens, f"{day_text} {_span(opens, closes, locale)}"))
    parts.sort()
    # Joined like the day names: one language within one line.
    return _plain(cldr_lists.format_list([text for _, _, text in parts], locale=locale))
