"""The tables (SQLAlchemy Core). Changes go through a new migration in ``migrations/versions``.

No table ever holds a secret: accounts carry a *fingerprint* of their credential, computed by
the caller, so a rotated key can be noticed without the key being stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, get_args, get_origin

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from topup.model import AMOUNT_TYPES, split_optional
from topup.storage.types import ExactDecimal, RecordList, UTCDateTime

#: The column type of each Python type an amount field may have. A field of another type
#: (a list, say) needs a decision here, and a migration, before it can be stored.
COLUMN_TYPES: dict[type, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    Decimal: ExactDecimal,
    bool: Boolean,
    int: BigInteger,
    datetime: UTCDateTime,
    str: String(16),  # short codes: the ISO 4217 currency
}


def amount_columns() -> list[Column[Any]]:
    """The ``balances`` columns of :data:`topup.model.AMOUNT_FIELDS`, derived from their types:
    ``X | None`` is a nullable column of ``X``'s type, a plain ``X`` a ``NOT NULL`` one."""
    columns: list[Column[Any]] = []
    for name, hint in AMOUNT_TYPES.items():
        python_type, nullable = split_optional(hint)
        if get_origin(python_type) is tuple:  # a list of records (balances, windows): JSON
            item = get_args(python_type)[0]
            columns.append(Column(name, RecordList(item), nullable=True))
            continue
        if python_type not in COLUMN_TYPES:
            raise TypeError(f"amount field {name!r} of type {hint}: no column type for it")
        columns.append(Column(name, COLUMN_TYPES[python_type], nullable=nullable))
    return columns


#: Alembic's bookkeeping table, named so it cannot clash with another tool's in a shared schema.
VERSION_TABLE = "topup_alembic_version"

#: A 64-bit key on PostgreSQL; SQLite only auto-increments an ``INTEGER PRIMARY KEY``.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("provider", String(100), nullable=False),
    #: A fingerprint of the credential (never the credential).
    Column("fingerprint", String(255), nullable=True),
    #: The currency of the account's last good check.
    Column("currency", String(16), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    #: The time of the last check that answered with the account's state (denormalised so
    #: the latest state of every account is an index lookup, not a scan of the checks).
    Column("last_good_at", UTCDateTime, nullable=True),
)

checks = Table(
    "checks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("status", String(32), nullable=False),
    Column("message", Text, nullable=True),
    Column("duration_ms", Integer, nullable=True),
)
Index("ix_checks_account_time", checks.c.account_id, checks.c.checked_at, checks.c.id)

balances = Table(
    "balances",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", UTCDateTime, nullable=False),
    #: One column per field of :class:`topup.model.Amounts`, named as the field.
    *amount_columns(),
)
Index("ix_balances_account_time", balances.c.account_id, balances.c.at, balances.c.id)

alert_state = Table(
    "alert_state",
    metadata,
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("rule", String(200), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

alerts_sent = Table(
    "alerts_sent",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("rule", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("message", Text, nullable=True),
)
Index("ix_alerts_sent_account_time", alerts_sent.c.account_id, alerts_sent.c.at)

#: The shared schedule of ``topup watch`` workers on one PostgreSQL (``[watch] lease``): one row
#: per account name, when it is next due, and which worker holds it until when. A worker claims
#: due rows with ``FOR UPDATE SKIP LOCKED`` (see :mod:`topup.storage.leases`). Keyed by name, not
#: by ``accounts.id``: an account is scheduled before its first check creates its row there.
account_leases = Table(
    "account_leases",
    metadata,
    Column("account", String(255), primary_key=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("holder", String(255), nullable=True),
    Column("leased_until", UTCDateTime, nullable=True),
)
Index("ix_account_leases_due_at", account_leases.c.due_at)
