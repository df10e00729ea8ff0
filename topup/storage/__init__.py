"""History of checks and balances: :class:`Store` (SQLite or PostgreSQL, migrated on open).

See :mod:`topup.storage.store` for a usage example and :class:`PendingWrites` for riding out a
database outage without losing results.
"""

from topup.storage.buffer import DeferredStore, PendingWrites
from topup.storage.errors import StorageError, StorageUnavailable, UnknownAccount
from topup.storage.records import (
    AccountState,
    AlertKind,
    AlertRecord,
    AlertState,
    BalancePoint,
    CheckRecord,
    RecordSummary,
    StoredAccount,
)
from topup.storage.store import DEFAULT_HEARTBEAT, Store
from topup.storage.urls import default_path, default_url, sqlite_url

__all__ = [
    "DEFAULT_HEARTBEAT",
    "AccountState",
    "AlertKind",
    "AlertRecord",
    "AlertState",
    "BalancePoint",
    "CheckRecord",
    "DeferredStore",
    "PendingWrites",
    "RecordSummary",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "StoredAccount",
    "UnknownAccount",
    "default_path",
    "default_url",
    "sqlite_url",
]
