"""inbox: inbound messages stored before the webhook answers, per-person leases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

``inbox_message`` replaces ``inbound_delivery``: a message is stored (sealed) before the webhook
answers ``200`` and marked done after its replies went out, instead of its id being claimed before
it was handled (a worker dying after the claim lost the message: the channel's retry looked like a
duplicate). ``inbox_lease`` holds one row per person being handled, so that one worker at a time
handles a person's messages, in order (bot/inbox.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("replies", sa.Text(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "message_id", name="uq_inbox_message_channel_id"),
    )
    op.create_index("ix_inbox_message_session_state", "inbox_message", ["session_id", "state"], unique=False)
    op.create_index("ix_inbox_message_state_updated", "inbox_message", ["state", "updated_at"], unique=False)
    op.create_table(
        "inbox_lease",
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.drop_index(op.f("ix_inbound_delivery_session_id"), table_name="inbound_delivery")
    op.drop_index(op.f("ix_inbound_delivery_created_at"), table_name="inbound_delivery")
    op.drop_table("inbound_delivery")


def downgrade() -> None:
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
    op.drop_table("inbox_lease")
    op.drop_index("ix_inbox_message_state_updated", table_name="inbox_message")
    op.drop_index("ix_inbox_message_session_state", table_name="inbox_message")
    op.drop_table("inbox_message")
