"""service.publication_status: drafts written at the desk are stored but never referred

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

A Mexico-profile extra of ``service`` (``referrals.profile.PUBLICATION_STATUSES``). Existing rows
keep no value, which means ``published``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("service", sa.Column("publication_status", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_column("publication_status")
