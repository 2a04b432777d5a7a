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
    ``closed``; ``schedule_unknown``; ``temporarily_closed``; ``verified`` {date}; ``unverified``.

    ``distance`` is given only for a location with known coordinates that is not confidential
    and a person who shared a location or named a city (``km`` has one decimal). ``in_city``
    {place} names the municipality; ``in_state`` {place} the state; ``national`` marks a
    country-wide service (phone/online, or its nearest office). ``serves`` repeats each of the
    person's ``populations`` the service says it serves (``women``, ``children_families``,
    ``unaccompanied_minors``, ``lgbtq``, ``older_people``, ``disability``, ``indigenous``).
    ``temporarily_closed``: the registry says the service is paused (never shown as open).
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
    location: str | None = None  # the office's name ("COMAR – Tapachula"); None when confidential
    alert: str | None = None  # HSDS ``alert``: a caveat to show with the referral, as the registry says it
    scope: str | None = None  # how far the search had to widen for it: "local" | "state" | "national"


@dataclass(frozen=True, slots=True)
class ReferralResult:
    """``scope`` is how far the search had to widen for the first (best) referral: ``local``
    (near the person's city or shared location), ``state`` (nothing local: the person's state, or
    the person only named a state), ``national`` (nothing in the state: country-wide services),
    ``none`` (nothing matched), ``placeholder`` (no registry connected). Later referrals may come
    from a wider scope (each says so in its own ``scope`` and reasons)."""

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
