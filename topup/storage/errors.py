"""Errors of the history store."""

from __future__ import annotations

from topup.errors import TopupError


class StorageError(TopupError):
    """The history database refused an operation (a bug, a schema problem, bad input)."""


class StorageUnavailable(StorageError):
    """The history database cannot be reached right now (down, locked, connection lost).

    Raised instead of a partial write: the whole batch was rolled back and may be retried
    as it is (see :class:`topup.storage.PendingWrites`).
    """


class UnknownAccount(StorageError, LookupError):
    """An account name the store has never recorded a check for."""

    def __init__(self, account: str) -> None:
        self.account = account
        super().__init__(f"unknown account {account!r}: record a check for it first")
