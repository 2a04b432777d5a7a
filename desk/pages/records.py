"""Read-only pages: the audit log (coordinators) and the list of accounts (admins)."""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from desk.accounts import list_users
from desk.audit import AuditEntry, read_page
from desk.context import Desk
from desk.guard import Visitor

DIFF_CONTEXT = 1  # unchanged lines shown around each change


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "add" | "remove" | "same" | "gap"
    text: str


@dataclass(frozen=True, slots=True)
class EntryView:
    entry: AuditEntry
    when: str
    diff: tuple[DiffLine, ...]


def diff_lines(before: str | None, after: str | None) -> tuple[DiffLine, ...]:
    """Before → after as a short line diff (changed lines with one line of context)."""
    if before is None and after is None:
        return ()
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    out: list[DiffLine] = []
    for line in difflib.unified_diff(old, new, lineterm="", n=DIFF_CONTEXT):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("gap", "…"))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("remove", line[1:]))
        else:
            out.append(DiffLine("same", line[1:]))
    return tuple(out)


class RecordPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def audit(self, request: Request, visitor: Visitor) -> Response:
        raw = request.query_params.get("page", "1")
        page = int(raw) if raw.isdigit() and len(raw) < 7 else 1
        found = await asyncio.to_thread(
            read_page, self.desk.db, page=page, per_page=self.desk.policy.audit_page
        )
        views = [EntryView(e, self.desk.local(e.at), diff_lines(e.before, e.after)) for e in found.entries]
        return self.desk.render(
            request,
            visitor,
            "audit.html",
            {"views": views, "page": found},
            title=visitor.text.gettext("Audit log"),
        )

    async def accounts(self, request: Request, visitor: Visitor) -> Response:
        users = await asyncio.to_thread(list_users, self.desk.db)
        return self.desk.render(
            request, visitor, "accounts.html", {"users": users}, title=visitor.text.gettext("Accounts")
        )
