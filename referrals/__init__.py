"""The service registry (Open Referral HSDS 3.0) and referral engine. A leaf: never imports bot.

Public API:

- ``ReferralFinder`` (protocol), ``Referral``, ``Reason``, ``OpeningHours``, ``ReferralResult``
  — what the dialogue uses (``referrals.finder``);
- ``SqlReferralFinder(engine)`` — the engine over the SQL registry (``referrals.sql_finder``);
- ``PlaceholderReferrals`` — says plainly that no registry is connected;
- ``Gazetteer``, ``Place`` — places and time zones (``referrals.places``);
- ``referrals.transfer`` — import / validate / export (HSDS JSON and CSV) and the seed.
"""

from referrals.finder import (
    OpeningHours,
    PlaceholderReferrals,
    Reason,
    Referral,
    ReferralFinder,
    ReferralResult,
)
from referrals.places import Gazetteer, Place
from referrals.sql_finder import SqlReferralFinder

__all__ = [
    "Gazetteer",
    "OpeningHours",
    "Place",
    "PlaceholderReferrals",
    "Reason",
    "Referral",
    "ReferralFinder",
    "ReferralResult",
    "SqlReferralFinder",
]
