"""When staff answer: ``"Mon-Fri 09:00-18:00; Sat 10:00-14:00"`` in the office's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class Slot:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class OfficeHours:
    slots: tuple[Slot, ...]
    timezone: str

    @classmethod
    def parse(cls, text: str, timezone: str) -> OfficeHours:
        slots: list[Slot] = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            match = _PART.match(part)
            if not match:
                raise ValueError(f"office hours {part!r}: use e.g. 'Mon-Fri 09:00-18:00'")
            first, last, h1, m1, h2, m2 = match.groups()
            if first.lower() not in DAYS or (last and last.lower() not in DAYS):
                raise ValueError(f"office hours {part!r}: days are Mon, Tue, Wed, Thu, Fri, Sat, Sun")
            start = DAYS.index(first.lower())
            end = DAYS.index(last.lower()) if last else start
            opens, closes = time(int(h1), int(m1)), time(int(h2), int(m2))
            if closes <= opens:
                raise ValueError(f"office hours {part!r}: closing must be after opening")
            day = start
            while True:
                slots.append(Slot(day, opens, closes))
                if day == end:
                    break
                day = (day + 1) % 7
        return cls(tuple(slots), timezone)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.timezone))
        return any(s.weekday == local.weekday() and s.opens <= local.time() < s.closes for s in self.slots)

    def next_opening(self, now: datetime) -> datetime | None:
        """The next time the office opens (local), or ``None`` if there are no hours at all."""
        local = now.astimezone(ZoneInfo(self.timezone))
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for slot in sorted(self.slots, key=lambda s: s.opens):
                if slot.weekday != day.weekday():
                    continue
                start = datetime.combine(day, slot.opens, tzinfo=local.tzinfo)
                if start > local:
                    return start
        return None
