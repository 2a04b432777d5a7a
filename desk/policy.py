"""The desk's security and privacy knobs in one typed, immutable object (defaults are the policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class DeskPolicy:
    #: A session ends this long after login, however active.
    session_lifetime: timedelta = timedelta(hours=12)
    #: …or after this long without a request (a shared desk PC left open).
    session_idle: timedelta = timedelta(hours=2)
    #: Failed logins per username before it is locked (whatever the address).
    user_failures: int = 5
    #: Failed logins per client address before it is locked (whatever the username). Higher than the
    #: per-user limit because a shelter's staff share one address behind the office router.
    address_failures: int = 10
    #: Failures are counted within this window…
    failure_window: timedelta = timedelta(minutes=15)
    #: …and a lock lasts this long.
    lock: timedelta = timedelta(minutes=15)
    min_password_length: int = 12
    #: Dashboard counts below this are shown as "<N" and left out of totals and downloads.
    suppress_below: int = 5
    #: Rows per page of the audit log.
    audit_page: int = 50
