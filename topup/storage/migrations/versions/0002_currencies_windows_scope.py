"""Several currencies, quota windows, key scope and limits on balance points.

Revision ID: 0002_currencies_windows_scope
Revises: 0001_initial
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from topup.storage.types import ExactDecimal

revision: str = "0002_currencies_windows_scope"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("balances") as batch:
        batch.add_column(sa.Column("balances", sa.Text, nullable=True))
        batch.add_column(sa.Column("windows", sa.Text, nullable=True))
        batch.add_column(sa.Column("scope", sa.String(16), nullable=True))
        batch.add_column(sa.Column("limit", ExactDecimal, nullable=True))
        batch.add_column(sa.Column("period", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("balances") as batch:
        for name in ("period", "limit", "scope", "windows", "balances"):
            batch.drop_column(name)
