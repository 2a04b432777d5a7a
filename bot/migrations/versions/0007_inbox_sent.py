"""inbox: how many of a message's channel sends went out

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

``inbox_message.sent`` counts the channel sends (Bot API / Graph API calls) of an answered
message that went out. A worker killed between two sends leaves the count behind; the worker
that takes the message over sends only the rest instead of all its replies again (the load
bench's kill -9 sent replies twice before).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_message") as batch:
        batch.add_column(sa.Column("sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("inbox_message") as batch:
        batch.drop_column("sent")
