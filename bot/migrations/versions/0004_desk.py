"""desk: staff accounts, sessions, login throttle, append-only audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The desk's tables (desk.accounts, desk.sessions, desk.throttle, desk.audit). A database where
``desk.schema.ensure_desk_tables`` already made them (before this migration existed) keeps them:
each table is created only when missing. ``desk_audit`` is append-only: triggers refuse UPDATE,
DELETE (and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS desk_audit_no_update BEFORE UPDATE ON desk_audit "
    "BEGIN SELECT RAISE(ABORT, 'desk_audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS desk_audit_no_delete BEFORE DELETE ON desk_audit "
    "BEGIN SELECT RAISE(ABORT, 'desk_audit is append-only'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION desk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'desk_audit is append-only'; END $$",
    "DROP TRIGGER IF EXISTS desk_audit_no_change ON desk_audit",
    "CREATE TRIGGER desk_audit_no_change BEFORE UPDATE OR DELETE ON desk_audit "
    "FOR EACH ROW EXECUTE FUNCTION desk_audit_append_only()",
    "DROP TRIGGER IF EXISTS desk_audit_no_truncate ON desk_audit",
    "CREATE TRIGGER desk_audit_no_truncate BEFORE TRUNCATE ON desk_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION desk_audit_append_only()",
)


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("desk_user"):
        op.create_table(
            "desk_user",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
            sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_desk_user_username"), "desk_user", ["username"], unique=True)
    if _missing("desk_session"):
        op.create_table(
            "desk_session",
            sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["desk_user.id"]),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        op.create_index(op.f("ix_desk_session_expires_at"), "desk_session", ["expires_at"], unique=False)
        op.create_index(op.f("ix_desk_session_user_id"), "desk_session", ["user_id"], unique=False)
    if _missing("desk_login_throttle"):
        op.create_table(
            "desk_login_throttle",
            sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("window_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.PrimaryKeyConstraint("key"),
        )
        op.create_index(
            op.f("ix_desk_login_throttle_locked_until"), "desk_login_throttle", ["locked_until"], unique=False
        )
    if _missing("desk_audit"):
        op.create_table(
            "desk_audit",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
            sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
            sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
            sa.Column("before", sa.Text(), nullable=True),
            sa.Column("after", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_desk_audit_action"), "desk_audit", ["action"], unique=False)
        op.create_index(op.f("ix_desk_audit_at"), "desk_audit", ["at"], unique=False)
    bind = op.get_bind()
    for statement in POSTGRES_TRIGGERS if bind.dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS desk_audit_no_truncate ON desk_audit")
        op.execute("DROP TRIGGER IF EXISTS desk_audit_no_change ON desk_audit")
        op.execute("DROP FUNCTION IF EXISTS desk_audit_append_only()")
    op.drop_index(op.f("ix_desk_audit_at"), table_name="desk_audit")
    op.drop_index(op.f("ix_desk_audit_action"), table_name="desk_audit")
    op.drop_table("desk_audit")
    op.drop_index(op.f("ix_desk_login_throttle_locked_until"), table_name="desk_login_throttle")
    op.drop_table("desk_login_throttle")
    op.drop_index(op.f("ix_desk_session_user_id"), table_name="desk_session")
    op.drop_index(op.f("ix_desk_session_expires_at"), table_name="desk_session")
    op.drop_table("desk_session")
    op.drop_index(op.f("ix_desk_user_username"), table_name="desk_user")
    op.drop_table("desk_user")
