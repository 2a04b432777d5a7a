"""Who may do what: staff < coordinator < admin. Each role can do everything the lower ones can."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    #: shelter or information-desk staff: handoff inbox, answers side by side
    STAFF = "staff"
    #: coordinators of a local network: also content review, audit log, measurement dashboard
    COORDINATOR = "coordinator"
    #: also the list of accounts
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.STAFF: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}
