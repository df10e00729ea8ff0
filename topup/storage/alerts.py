"""The alerting code's persisted state per (account, rule), and the alerts it sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from topup.storage.records import AlertKind, AlertRecord, AlertState
from topup.storage.rows import utc
from topup.storage.schema import accounts, alert_state, alerts_sent
from topup.storage.transactions import Transactions


class Alerts(Transactions):
    """The store's alert state and alert history."""

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None:
        """Persist the alerting code's state for ``(account, rule)``; ``None`` deletes it."""
        with self._write("set_alert_state") as conn:
            aid = self._account_id(conn, account)
            _set_state(conn, self._insert(alert_state), aid, rule, state)

    def record_alert(
        self,
        account: str,
        rule: str,
        kind: AlertKind,
        message: str | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        """Append one sent alert (``kind="fired"``) or recovery notice to the history."""
        _check_kind(kind)
        with self._write("record_alert") as conn:
            _record(conn, self._account_id(conn, account), rule, kind, message, at)

    def get_alert_state(self, account: str, rule: str) -> str | None:
        """The stored state of ``(account, rule)``, or ``None``."""
        q = (
            select(alert_state.c.state)
            .select_from(alert_state.join(accounts, accounts.c.id == alert_state.c.account_id))
            .where(accounts.c.name == account, alert_state.c.rule == rule)
        )
        with self._read("get_alert_state") as conn:
            value = conn.execute(q).scalar()
        return None if value is None else str(value)

    @contextmanager
    def alert_transaction(self, account: str) -> Iterator[AlertTransaction]:
        """One account's alert state, read and written in one transaction that holds the
        account's alert lock, so workers sharing the database decide each transition once:
        the second waits, then reads the state the first committed.

        On PostgreSQL the lock is a transaction-scoped advisory lock keyed on the account
        (``pg_advisory_xact_lock``), not a lock on its row: recording checks (which updates
        the ``accounts`` row) never waits for it. SQLite has one writer at a time. Keep the
        transaction short and free of network I/O: deliver after it committed. Raises
        :class:`~topup.storage.UnknownAccount` before the account's first stored check."""
        with self._write("alert_transaction") as conn:
            aid = self._account_id(conn, account)
            if self._backend == "postgresql":
                conn.execute(_ALERT_LOCK, {"aid": aid})
            yield AlertTransaction(conn, self._insert(alert_state), account, aid)

    def alert_states(self) -> list[AlertState]:
        """Every stored alert state (to restore the alerting code after a restart)."""
        q = (
            select(accounts.c.name, alert_state)
            .select_from(alert_state.join(accounts, accounts.c.id == alert_state.c.account_id))
            .order_by(accounts.c.name, alert_state.c.rule)
        )
        with self._read("alert_states") as conn:
            rows = conn.execute(q).all()
        return [AlertState(r.name, r.rule, r.state, r.updated_at) for r in rows]

    def alert_history(
        self, account: str | None = None, since: datetime | None = None
    ) -> list[AlertRecord]:
        """Sent alerts, oldest first, optionally of one account and from ``since`` on."""
        since = utc(since)
        q = select(accounts.c.name, alerts_sent).select_from(
            alerts_sent.join(accounts, accounts.c.id == alerts_sent.c.account_id)
        )
        if account is not None:
            q = q.where(accounts.c.name == account)
        if since is not None:
            q = q.where(alerts_sent.c.at >= since)
        q = q.order_by(alerts_sent.c.at, alerts_sent.c.id)
        with self._read("alert_history") as conn:
            rows = conn.execute(q).all()
        return [AlertRecord(r.name, r.rule, r.kind, r.at, r.message) for r in rows]


class AlertTransaction:
    """The alert state of one account inside :meth:`Alerts.alert_transaction` (the same
    methods as the store's, for that account only)."""

    def __init__(self, conn: Connection, upsert: Any, account: str, account_id: int) -> None:
        self._conn = conn
        self._upsert = upsert
        self.account = account
        self._id = account_id

    def _own(self, account: str) -> int:
        if account != self.account:
            raise ValueError(f"this transaction holds {self.account!r}, not {account!r}")
        return self._id

    def get_alert_state(self, account: str, rule: str) -> str | None:
        q = select(alert_state.c.state).where(
            alert_state.c.account_id == self._own(account), alert_state.c.rule == rule
        )
        value = self._conn.execute(q).scalar()
        return None if value is None else str(value)

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None:
        _set_state(self._conn, self._upsert, self._own(account), rule, state)

    def record_alert(
        self,
        account: str,
        rule: str,
        kind: AlertKind,
        message: str | None = None,
        *,
        at: datetime | None = None,
    ) -> int:
        """Append a sent alert (as :meth:`Alerts.record_alert`); its id."""
        _check_kind(kind)
        return _record(self._conn, self._own(account), rule, kind, message, at)

    def withdraw_alert(self, alert_id: int) -> None:
        """Remove an alert this account recorded as sent (its delivery failed after all)."""
        self._conn.execute(
            alerts_sent.delete().where(
                alerts_sent.c.id == alert_id, alerts_sent.c.account_id == self._id
            )
        )


def _set_state(conn: Connection, upsert: Any, aid: int, rule: str, state: str | None) -> None:
    if state is None:
        conn.execute(
            alert_state.delete().where(alert_state.c.account_id == aid, alert_state.c.rule == rule)
        )
        return
    now = datetime.now(UTC)
    stmt = upsert.values(account_id=aid, rule=rule, state=state, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "rule"], set_={"state": state, "updated_at": now}
    )
    conn.execute(stmt)


def _check_kind(kind: str) -> None:
    if kind not in ("fired", "recovered"):
        raise ValueError(f"alert kind must be 'fired' or 'recovered', not {kind!r}")


def _record(
    conn: Connection,
    aid: int,
    rule: str,
    kind: AlertKind,
    message: str | None,
    at: datetime | None,
) -> int:
    when = utc(at) or datetime.now(UTC)
    inserted = conn.execute(
        alerts_sent.insert().values(account_id=aid, rule=rule, kind=kind, at=when, message=message)
    )
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


#: The alert lock of one account (PostgreSQL): keyed on the schema, so that databases sharing a
#: server do not share locks, and on the account's id.
_ALERT_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtext('topup-alerts:' || current_schema()), :aid)"
)
