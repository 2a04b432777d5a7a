"""The service registry (Open Referral HSDS 3.0) and referral engine. A leaf: never imports bot."""

from referrals.finder import PlaceholderReferrals, Referral, ReferralFinder, ReferralResult
from referrals.places import Gazetteer, Place

__all__ = [
    "Gazetteer",
    "Place",
    "PlaceholderReferrals",
    "Referral",
    "ReferralFinder",
    "ReferralResult",
]
