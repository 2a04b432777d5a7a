"""The referral interface the dialogue uses. The registry issue fills in the real engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from referrals.places import Place


@dataclass(frozen=True, slots=True)
class Referral:
    name: str
    organization: str
    why: tuple[str, ...] = field(default_factory=tuple)  # reasons, as codes with values
    address: str | None = None
    phone: str | None = None
    hours: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    distance_km: float | None = None
    source: str = ""
    verified_on: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralResult:
    referrals: tuple[Referral, ...]
    scope: str  # "local" | "state" | "national" | "none" | "placeholder"


class ReferralFinder(Protocol):
    async def find(
        self, *, intent: str, place: Place | None, language: str, now: datetime
    ) -> ReferralResult: ...


class PlaceholderReferrals:
    """Says plainly that the service directory is not connected yet. Invents nothing."""

    async def find(self, *, intent: str, place: Place | None, language: str, now: datetime) -> ReferralResult:
        return ReferralResult(referrals=(), scope="placeholder")
