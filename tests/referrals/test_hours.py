"""Opening hours from HSDS schedules: only what is stated, in the location's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from referrals.finder import OpeningHours
from referrals.hours import intervals, is_open, local_now, next_opening, opening_hours

MX = "America/Mexico_City"


def weekly(byday: str, opens: str, closes: str, **extra: object) -> dict[str, object]:
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, **extra}


def test_weekdays_nine_to_five() -> None:
    spans = intervals([weekly("MO,TU,WE,TH,FR", "09:00:00", "17:00:00")], MX)
    assert len(spans) == 5
    assert opening_hours(spans)[0] == OpeningHours(0, time(9), time(17))
    tuesday_10 = local_now(datetime(2026, 11, 24, 16, 0, tzinfo=UTC), MX)  # 10:00 local
    assert is_open(spans, tuesday_10)
    saturday = local_now(datetime(2026, 11, 28, 16, 0, tzinfo=UTC), MX)
    assert not is_open(spans, saturday)
    assert next_opening(spans, saturday) == datetime(2026, 11, 30, 9, 0, tzinfo=saturday.tzinfo)


def test_what_is_not_stated_is_unknown() -> None:
    assert intervals([{"description": "24 horas."}], MX) == []
    assert intervals([{"opens_at": "10:00:00", "closes_at": "15:00:00"}], MX) == []  # days not given
    assert intervals([weekly("1MO", "09:00", "10:00", freq="MONTHLY")], MX) == []
    assert intervals([weekly("MO", "09:00", "10:00", interval=2)], MX) == []
    assert intervals([weekly("XX", "09:00", "10:00")], MX) == []
    assert intervals([weekly("MO", "nine", "10:00")], MX) == []


def test_overnight_and_all_day() -> None:
    night = intervals([weekly("SU", "22:00", "06:00")], MX)
    assert [(s.start, s.end) for s in night] == [(6 * 1440 + 22 * 60, 7 * 1440), (0, 6 * 60)]
    monday_5 = local_now(datetime(2026, 11, 23, 11, 0, tzinfo=UTC), MX)
    assert is_open(night, monday_5)
    allday = intervals([weekly("MO,TU,WE,TH,FR,SA,SU", "00:00:00", "23:59:00")], MX)
    assert all(s.end - s.start == 1440 for s in allday)
    assert is_open(allday, local_now(datetime(2026, 11, 23, 5, 59, tzinfo=UTC), MX))


def test_validity_dates_are_respected() -> None:
    spans = intervals([weekly("MO,TU,WE,TH,FR", "09:00", "17:00", valid_to="2026-11-01")], MX)
    assert not is_open(spans, local_now(datetime(2026, 11, 24, 16, 0, tzinfo=UTC), MX))
    assert spans[0].valid_to == date(2026, 11, 1)


def test_the_same_instant_differs_by_time_zone() -> None:
    spans_tj = intervals([weekly("TU", "09:00", "17:00")], "America/Tijuana")
    spans_mx = intervals([weekly("TU", "09:00", "17:00")], MX)
    instant = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 10:30 CDMX, 08:30 Tijuana
    assert is_open(spans_mx, local_now(instant, MX))
    assert not is_open(spans_tj, local_now(instant, "America/Tijuana"))
