"""The shared schedule of several watch workers: account_leases.

Revision ID: 0003_account_leases
Revises: 0002_currencies_windows_scope
Create Date: 2027-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from topup.storage.types import UTCDateTime

revision: str = "0003_account_leases"
down_revision: str | None = "0002_currencies_windows_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_leases",
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("holder", sa.String(255), nullable=True),
        sa.Column("leased_until", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("account", name="pk_account_leases"),
    )
    op.create_index("ix_account_leases_due_at", "account_leases", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_account_leases_due_at", table_name="account_leases")
    op.drop_table("account_leases")
