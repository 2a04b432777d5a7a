"""sessions consent/handoff columns, inbound deliveries, handoff tickets and outbox, usage counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Generated from the models of the issues that landed beside the registry (sessions' consent and
handoff columns, bot.deliveries, bot.handoff, bot.analytics). ``high_risk`` gets a server
default so existing sessions can take the NOT NULL column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handoff_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("address_sealed", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("risk", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_person_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_staff_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_handoff_ticket_closed_at"), "handoff_ticket", ["closed_at"], unique=False)
    op.create_index(op.f("ix_handoff_ticket_session_id"), "handoff_ticket", ["session_id"], unique=False)
    op.create_index(op.f("ix_handoff_ticket_status"), "handoff_ticket", ["status"], unique=False)
    op.create_table(
        "inbound_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "message_id", name="uq_inbound_delivery_message"),
    )
    op.create_index(op.f("ix_inbound_delivery_created_at"), "inbound_delivery", ["created_at"], unique=False)
    op.create_index(op.f("ix_inbound_delivery_session_id"), "inbound_delivery", ["session_id"], unique=False)
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("address_sealed", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4096), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_message_sent_at"), "outbox_message", ["sent_at"], unique=False)
    op.create_index(op.f("ix_outbox_message_session_id"), "outbox_message", ["session_id"], unique=False)
    op.create_index(op.f("ix_outbox_message_ticket_id"), "outbox_message", ["ticket_id"], unique=False)
    op.create_table(
        "usage_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "topic", "language", "state", "week"),
    )
    op.create_index(op.f("ix_usage_count_week"), "usage_count", ["week"], unique=False)
    op.create_table(
        "ticket_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("staff_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4096), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["handoff_ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ticket_message_session_id"), "ticket_message", ["session_id"], unique=False)
    op.create_index(op.f("ix_ticket_message_ticket_id"), "ticket_message", ["ticket_id"], unique=False)
    with op.batch_alter_table("conversation_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("high_risk", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("conversation_session", schema=None) as batch_op:
        batch_op.drop_column("high_risk")
        batch_op.drop_column("ticket_id")
        batch_op.drop_column("consent_at")
    op.drop_index(op.f("ix_ticket_message_ticket_id"), table_name="ticket_message")
    op.drop_index(op.f("ix_ticket_message_session_id"), table_name="ticket_message")
    op.drop_table("ticket_message")
    op.drop_index(op.f("ix_usage_count_week"), table_name="usage_count")
    op.drop_table("usage_count")
    op.drop_index(op.f("ix_outbox_message_ticket_id"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_session_id"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_sent_at"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index(op.f("ix_inbound_delivery_session_id"), table_name="inbound_delivery")
    op.drop_index(op.f("ix_inbound_delivery_created_at"), table_name="inbound_delivery")
    op.drop_table("inbound_delivery")
    op.drop_index(op.f("ix_handoff_ticket_status"), table_name="handoff_ticket")
    op.drop_index(op.f("ix_handoff_ticket_session_id"), table_name="handoff_ticket")
    op.drop_index(op.f("ix_handoff_ticket_closed_at"), table_name="handoff_ticket")
    op.drop_table("handoff_ticket")
