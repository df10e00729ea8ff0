"""Initial schema: accounts, checks, balances, alert_state, alerts_sent.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from topup.storage.types import ExactDecimal, UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _account_fk() -> sa.Column[int]:
    return sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(255), nullable=True),
        sa.Column("currency", sa.String(16), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("last_good_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("name", name="uq_accounts_name"),
    )
    op.create_table(
        "checks",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        _account_fk(),
        sa.Column("checked_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_checks"),
    )
    op.create_index("ix_checks_account_time", "checks", ["account_id", "checked_at", "id"])
    op.create_table(
        "balances",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        _account_fk(),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("currency", sa.String(16), nullable=True),
        sa.Column("balance", ExactDecimal, nullable=True),
        sa.Column("granted", ExactDecimal, nullable=True),
        sa.Column("paid", ExactDecimal, nullable=True),
        sa.Column("used", ExactDecimal, nullable=True),
        sa.Column("unlimited", sa.Boolean, nullable=False),
        sa.Column("request_count", sa.BigInteger, nullable=True),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_balances"),
    )
    op.create_index("ix_balances_account_time", "balances", ["account_id", "at", "id"])
    op.create_table(
        "alert_state",
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "rule", name="pk_alert_state"),
    )
    op.create_table(
        "alerts_sent",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        _account_fk(),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts_sent"),
    )
    op.create_index("ix_alerts_sent_account_time", "alerts_sent", ["account_id", "at"])


def downgrade() -> None:
    op.drop_table("alerts_sent")
    op.drop_table("alert_state")
    op.drop_table("balances")
    op.drop_table("checks")
    op.drop_table("accounts")
