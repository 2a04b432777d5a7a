"""The audit log: who changed what, when, before → after. Append-only.

The app has no way to change or delete an entry, and the database refuses it too: triggers
(:func:`install_append_only`) abort any ``UPDATE``, ``DELETE`` or ``TRUNCATE`` of ``desk_audit``.

Entries never hold what a person wrote to the assistant: a staff reply is logged as "replied to
ticket #12", not with its text. Content edits keep the whole answer file before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, Text, func, text
from sqlmodel import Field, Session, SQLModel, col, select

from bot.sessions import utcnow


class Action(StrEnum):
    CONTENT_EDIT = "content.edit"
    CONTENT_REVIEW = "content.review"
    HANDOFF_REPLY = "handoff.reply"
    HANDOFF_CLOSE = "handoff.close"
    ACCOUNT_ADD = "account.add"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_RESET = "account.reset"
    REGISTRY_CREATE = "registry.create"
    REGISTRY_EDIT = "registry.edit"
    REGISTRY_VERIFY = "registry.verify"
    REGISTRY_PUBLISH = "registry.publish"
    REGISTRY_IMPORT = "registry.import"
    PASSWORD_CHANGE = "account.password"  # noqa: S105 - an action name, not a password


class AuditEntry(SQLModel, table=True):
    __tablename__ = "desk_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=32, index=True)
    target: str = Field(max_length=255)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)


def record(
    db: Session,
    *,
    actor: str,
    action: Action,
    target: str,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Add an entry to ``db``'s transaction: it is committed with the change it describes."""
    db.add(AuditEntry(actor=actor[:120], action=action, target=target[:255], before=before, after=after))


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def read_page(engine: Engine, *, page: int, per_page: int) -> AuditPage:
    """Newest first."""
    page = max(1, page)
    with Session(engine, expire_on_commit=False) as db:
        total = db.exec(select(func.count()).select_from(AuditEntry)).one()
        entries = list(
            db.exec(
                select(AuditEntry)
                .order_by(col(AuditEntry.id).desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
    return AuditPage(entries=entries, total=int(total), page=page, per_page=per_page)


_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS desk_audit_no_update BEFORE UPDATE ON desk_audit "
    "BEGIN SELECT RAISE(ABORT, 'desk_audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS desk_audit_no_delete BEFORE DELETE ON desk_audit "
    "BEGIN SELECT RAISE(ABORT, 'desk_audit is append-only'); END",
)
_POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION desk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'desk_audit is append-only'; END $$",
    "DROP TRIGGER IF EXISTS desk_audit_no_change ON desk_audit",
    "CREATE TRIGGER desk_audit_no_change BEFORE UPDATE OR DELETE ON desk_audit "
    "FOR EACH ROW EXECUTE FUNCTION desk_audit_append_only()",
    "DROP TRIGGER IF EXISTS desk_audit_no_truncate ON desk_audit",
    "CREATE TRIGGER desk_audit_no_truncate BEFORE TRUNCATE ON desk_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION desk_audit_append_only()",
)


def append_only_statements(dialect: str) -> tuple[str, ...]:
    """The SQL that makes ``desk_audit`` append-only on this database (also used by the migration)."""
    return _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS


def install_append_only(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_trigger "
                "WHERE tgname IN ('desk_audit_no_change', 'desk_audit_no_truncate')"
            )
        ).scalar_one()
        if found == 2:
            return
    for statement in append_only_statements(conn.dialect.name):
        conn.execute(text(statement))
