"""Dates, numbers and opening hours per locale, falling back along the language chain."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.localformat import _own_data as cldr_keys
from bot.localformat import (
    format_date,
    format_hours,
    format_km,
    format_number,
    format_weekday_time,
    locale_for,
)
from bot.office_hours import OfficeHours
from referrals.finder import OpeningHours


def spaced(text: str) -> str:
    """The text with its no-break spaces shown as spaces; narrow and thin ones must not remain."""
    assert "\u202f" not in text and "\u2009" not in text, repr(text)
    return text.replace("\u00a0", " ")


QUC_HAS_CALENDAR = {"months", "days", "date_formats", "time_formats"} <= cldr_keys("quc")
WEEKDAYS = [OpeningHours(day, time(9), time(18)) for day in range(5)]
SATURDAY = OpeningHours(5, time(10), time(14))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("es", "es_MX"),
        ("en", "en"),
        ("ht", "fr"),  # CLDR has Haitian Creole numbers but no calendar: ht → fr
        # K'iche' has its own calendar from CLDR 47 (Babel 2.17) on; Spanish before that
        ("quc", "quc" if QUC_HAS_CALENDAR else "es_MX"),
        ("mam", "es_MX"),
        ("tzo", "es_MX"),
        ("nah", "es_MX"),
        ("otq", "es_MX"),
    ],
)
def test_calendar_locale_follows_the_chain(lang: str, expected: str) -> None:
    assert str(locale_for(lang)) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("es", "23 de noviembre de 2026"),
        ("en", "November 23, 2026"),
        ("ht", "23 novembre 2026"),
        ("mam", "23 de noviembre de 2026"),
    ],
)
def test_dates(lang: str, expected: str) -> None:
    assert format_date(date(2026, 11, 23), lang) == expected


def test_numbers_use_the_languages_own_symbols_where_cldr_has_them() -> None:
    assert format_number(12345.5, "es") == "12,345.5"  # Mexico
    assert spaced(format_number(12345.5, "ht")) == "12 345,5"  # CLDR's Haitian Creole
    assert format_number(12345.5, "nah") == "12,345.5"
    assert spaced(format_km(1.54, "en")) == "1.5 km" and spaced(format_km(1.54, "ht")) == "1,5 km"
    assert spaced(format_km(12.4, "es")) == "12 km"


def test_opening_hours_join_consecutive_days_in_the_persons_language() -> None:
    hours = [*WEEKDAYS, SATURDAY]
    assert (
        spaced(format_hours(hours, "es"))
        == "lunes – viernes 9:00 a.m. – 6:00 p.m. y sábado 10:00 a.m. – 2:00 p.m."
    )
    assert (
        spaced(format_hours(hours, "en"))
        == "Monday – Friday 9:00 AM – 6:00 PM and Saturday 10:00 AM – 2:00 PM"
    )
    assert spaced(format_hours(hours, "ht")) == "lundi – vendredi 09:00 – 18:00 et samedi 10:00 – 14:00"
    assert format_hours(hours, "otq") == format_hours(hours, "es")


def test_two_days_are_listed_and_split_shifts_are_ordered() -> None:
    hours = [
        OpeningHours(2, time(9), time(13)),
        OpeningHours(0, time(15), time(18)),
        OpeningHours(0, time(9), time(13)),
    ]
    assert (
        spaced(format_hours(hours, "es")) == "lunes y miércoles 9:00 a.m. – 1:00 p.m. y lunes 3:00–6:00 p.m."
    )


def test_overnight_hours_and_no_hours() -> None:
    assert spaced(format_hours([OpeningHours(4, time(20), time(8))], "es")) == "viernes 8:00 p.m. – 8:00 a.m."
    assert format_hours([], "es") == ""


def test_office_hours_of_the_handoff_format_too() -> None:
    hours = OfficeHours.parse("Mon-Fri 09:00-18:00", "America/Mexico_City")
    assert spaced(format_hours(hours.slots, "en")) == "Monday – Friday 9:00 AM – 6:00 PM"


def test_when_something_opens_next() -> None:
    assert spaced(format_weekday_time(datetime(2026, 11, 23, 9, 0), "es")) == "lunes 9:00 a.m."
    assert spaced(format_weekday_time(datetime(2026, 11, 23, 9, 0), "nah")) == "lunes 9:00 a.m."
