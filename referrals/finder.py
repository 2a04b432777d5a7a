"""The referral interface the dialogue uses, and the shapes it returns.

The finder is a leaf: it returns facts and reason *codes*; the bot renders them in the person's
language. It never invents a field: what the registry does not hold stays ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol

from referrals.places import Place


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a service was matched. ``code`` is one of:

    ``distance`` {km}; ``in_city`` / ``in_state`` {place}; ``national``; ``serves`` {population};
    ``speaks`` {language}; ``open_now``; ``opens_at`` {when: ISO datetime, local};
    ``closed``; ``schedule_unknown``; ``verified`` {date}; ``unverified``.
    """

    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    weekday: int  # 0 = Monday … 6 = Sunday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class Referral:
    service_id: str
    name: str
    organization: str
    description: str | None = None
    why: tuple[Reason, ...] = field(default_factory=tuple)
    address: str | None = None  # None when unknown or confidential (see ``confidential``)
    confidential: bool = False
    phones: tuple[str, ...] = field(default_factory=tuple)
    url: str | None = None
    email: str | None = None
    hours: tuple[OpeningHours, ...] = field(default_factory=tuple)
    timezone: str | None = None
    open_now: bool | None = None  # None: schedule unknown
    latitude: float | None = None  # None when unknown or confidential
    longitude: float | None = None
    distance_km: float | None = None
    source: str = ""
    verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class ReferralResult:
    referrals: tuple[Referral, ...]
    scope: str  # "local" | "state" | "national" | "none" | "placeholder"


class ReferralFinder(Protocol):
    async def find(
        self,
        *,
        intent: str,
        place: Place | None,
        language: str,
        now: datetime,
        latitude: float | None = None,
        longitude: float | None = None,
        populations: frozenset[str] = frozenset(),
        limit: int = 3,
    ) -> ReferralResult: ...


class PlaceholderReferrals:
    """Says plainly that the service directory is not connected. Invents nothing."""

    async def find(
        self,
        *,
        intent: str,
        place: Place | None,
        language: str,
        now: datetime,
        latitude: float | None = None,
        longitude: float | None = None,
        populations: frozenset[str] = frozenset(),
        limit: int = 3,
    ) -> ReferralResult:
        return ReferralResult(referrals=(), scope="placeholder")
