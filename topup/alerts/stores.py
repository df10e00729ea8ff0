"""What the alert manager needs of the store: its alert state and history, and (several
workers on one database) one account's alert transaction; a rule's state as stored."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from topup.alerts.engine import RuleState


class AlertStore(Protocol):
    """What the manager needs of :class:`topup.storage.Store`."""

    def get_alert_state(self, account: str, rule: str) -> str | None: ...

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None: ...

    def record_alert(
        self,
        account: str,
        rule: str,
        kind: Literal["fired", "recovered"],
        message: str | None = None,
        *,
        at: datetime | None = None,
    ) -> None: ...


class AlertTransaction(Protocol):
    """One account's alert state inside :meth:`SharedAlertStore.alert_transaction`."""

    def get_alert_state(self, account: str, rule: str) -> str | None: ...

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None: ...

    def record_alert(
        self,
        account: str,
        rule: str,
        kind: Literal["fired", "recovered"],
        message: str | None = None,
        *,
        at: datetime | None = None,
    ) -> int: ...

    def withdraw_alert(self, alert_id: int) -> None: ...


@runtime_checkable
class SharedAlertStore(AlertStore, Protocol):
    """A store whose alert state workers share (:meth:`topup.storage.Store.alert_transaction`)."""

    def alert_transaction(self, account: str) -> AbstractContextManager[AlertTransaction]: ...


def stored(state: RuleState) -> str | None:
    """A rule's state as stored: ``None`` (no row) for the initial state."""
    return None if state == RuleState() else state.to_json()


__all__ = ["AlertStore", "AlertTransaction", "SharedAlertStore", "stored"]
