"""Opening hours from HSDS schedules: weekly intervals, "open now" and "opens at".

Only what a schedule states exactly is used: ``freq: WEEKLY`` (interval 1) with ``byday`` and
``opens_at``/``closes_at``. Anything else (a free-text description, days not given, monthly
rules) leaves the hours unknown; nothing is guessed. Times are the location's wall-clock time
(Mexico's zones come from the gazetteer); a time with ``Z`` or an offset is converted.
``closes_at`` 23:59 means open until midnight; ``closes_at`` ≤ ``opens_at`` runs past midnight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from referrals.finder import OpeningHours
from referrals.tabular_schema import ValueProblem, parse_time

WEEK: Final = 7 * 24 * 60
DAYS: Final = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True, slots=True)
class Interval:
    """Open from ``start`` to ``end``, minutes from Monday 00:00 local time (end ≤ 10080)."""

    start: int
    end: int
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _minutes(value: str, zone: ZoneInfo) -> int | None:
    try:
        parsed = parse_time(value)
    except ValueProblem:
        return None
    text = value.strip()
    offset: timedelta | None = None
    if text.endswith("Z"):
        offset = timedelta(0)
    elif len(text) > 5 and text[-6] in "+-" and text[-3] == ":":
        sign = 1 if text[-6] == "+" else -1
        offset = sign * timedelta(hours=int(text[-5:-3]), minutes=int(text[-2:]))
    minutes = parsed.hour * 60 + parsed.minute
    if offset is not None:  # convert to the zone's current wall-clock offset
        local = zone.utcoffset(datetime.now(UTC).replace(tzinfo=None)) or timedelta(0)
        minutes = (minutes - int(offset.total_seconds() // 60) + int(local.total_seconds() // 60)) % (24 * 60)
    return minutes


def schedule_days(schedule: Mapping[str, Any]) -> list[int] | None:
    """The weekdays (0 = Monday) of a plain weekly schedule, or None if it is not one."""
    if (schedule.get("freq") or "").upper() != "WEEKLY":
        return None
    interval = schedule.get("interval")
    if interval not in (None, 1, 1.0):
        return None
    if schedule.get("byweekno") or schedule.get("bymonthday") or schedule.get("byyearday"):
        return None
    byday = schedule.get("byday") or ""
    days: list[int] = []
    for part in str(byday).upper().replace(" ", "").split(","):
        if part not in DAYS:
            return None
        days.append(DAYS[part])
    return sorted(set(days)) or None


def intervals(schedules: Iterable[Mapping[str, Any]], timezone: str) -> list[Interval]:
    zone = ZoneInfo(timezone)
    out: list[Interval] = []
    for schedule in schedules:
        days = schedule_days(schedule)
        opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
        if days is None or not opens or not closes:
            continue
        start, end = _minutes(str(opens), zone), _minutes(str(closes), zone)
        if start is None or end is None:
            continue
        if end == 23 * 60 + 59:
            end = 24 * 60
        if end <= start:
            end += 24 * 60  # past midnight
        valid_from, valid_to = _date(schedule.get("valid_from")), _date(schedule.get("valid_to"))
        for day in days:
            a, b = day * 24 * 60 + start, day * 24 * 60 + end
            if b <= WEEK:
                out.append(Interval(a, b, valid_from, valid_to))
            else:  # Sunday night into Monday morning
                out.append(Interval(a, WEEK, valid_from, valid_to))
                out.append(Interval(0, b - WEEK, valid_from, valid_to))
    return out


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def opening_hours(spans: Iterable[Interval]) -> tuple[OpeningHours, ...]:
    """The weekly hours as (weekday, opens, closes), one entry per day a schedule names."""
    out: list[OpeningHours] = []
    for interval in spans:
        day, start = divmod(interval.start, 24 * 60)
        length = interval.end - interval.start
        end_minute = (start + length) % (24 * 60)
        closes = (
            time(23, 59) if start + length >= 24 * 60 and end_minute == 0 else time(*divmod(end_minute, 60))
        )
        out.append(OpeningHours(weekday=day, opens=time(*divmod(start, 60)), closes=closes))
    return tuple(sorted(set(out), key=lambda h: (h.weekday, h.opens)))


def minute_of_week(moment: datetime) -> int:
    return moment.weekday() * 24 * 60 + moment.hour * 60 + moment.minute


def local_now(now: datetime, timezone: str) -> datetime:
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone))


def is_open(spans: Iterable[Interval], now_local: datetime) -> bool:
    minute = minute_of_week(now_local)
    today = now_local.date()
    return any(i.start <= minute < i.end and i.valid_on(today) for i in spans)


def next_opening(spans: list[Interval], now_local: datetime) -> datetime | None:
    """When it next opens (local time), within the coming week; None if never."""
    if not spans:
        return None
    minute = minute_of_week(now_local)
    base = now_local.replace(second=0, microsecond=0) - timedelta(minutes=minute)  # Monday 00:00
    best: datetime | None = None
    for week in (0, 1):
        for interval in spans:
            at = base + timedelta(minutes=interval.start + week * WEEK)
            if at <= now_local or not interval.valid_on(at.date()):
                continue
            # wall-clock arithmetic: re-attach the zone so DST changes keep the local time
            at = at.replace(tzinfo=now_local.tzinfo)
            if best is None or at < best:
                best = at
        if best is not None:
            return best
    return best
