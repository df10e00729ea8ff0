"""The history store: every check, balance change points, and alert state.

Usage::

    from topup.storage import Store

    store = Store.open()                      # ~/.local/share/topup/topup.db, migrated
    store.record([(result, fingerprint)])     # one transaction per batch
    for state in store.latest():
        print(state.account.name, state.last_good, state.last_good_at)
    store.close()

Any SQLAlchemy URL works: ``Store.open("postgresql+psycopg://user@host/db")``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, Row, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from topup.model import CheckResult, Status
from topup.storage import migrate
from topup.storage.engine import SQLITE_BEGIN, create, translate_errors
from topup.storage.errors import StorageError, UnknownAccount
from topup.storage.records import (
    Account,
    AccountState,
    AlertKind,
    AlertRecord,
    AlertState,
    BalancePoint,
    CheckRecord,
    RecordSummary,
)
from topup.storage.schema import accounts, alert_state, alerts_sent, balances, checks
from topup.storage.urls import default_url

log = logging.getLogger(__name__)

#: A balance point is written at least this often while values stay the same.
DEFAULT_HEARTBEAT = timedelta(hours=1)
#: Longer check messages are cut to this many characters.
MAX_MESSAGE = 2000

_GOOD = tuple(s.value for s in Status if s.checked)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class _Snap:
    """Comparable amounts of one point (``Decimal`` compares by value: 1.0 == 1.00)."""

    currency: str | None
    balance: Decimal | None
    granted: Decimal | None
    paid: Decimal | None
    used: Decimal | None
    unlimited: bool
    request_count: int | None
    expires_at: datetime | None

    @classmethod
    def of(cls, r: CheckResult) -> _Snap:
        return cls(
            r.currency,
            r.balance,
            r.granted,
            r.paid,
            r.used,
            r.unlimited,
            r.request_count,
            _utc(r.expires_at),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> _Snap:
        return cls(
            row.currency,
            row.balance,
            row.granted,
            row.paid,
            row.used,
            bool(row.unlimited),
            row.request_count,
            row.expires_at,
        )

    def values(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "balance": self.balance,
            "granted": self.granted,
            "paid": self.paid,
            "used": self.used,
            "unlimited": self.unlimited,
            "request_count": self.request_count,
            "expires_at": self.expires_at,
        }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: topup stores timezone-aware UTC only")
    return value.astimezone(UTC)


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Store:
    """The history store. Thread-safe for use from one process (it holds a connection pool).

    Every method raises :class:`~topup.storage.StorageUnavailable` when the database cannot be
    reached (nothing partial is written) and :class:`~topup.storage.StorageError` otherwise.
    """

    def __init__(self, engine: Engine, *, heartbeat: timedelta = DEFAULT_HEARTBEAT) -> None:
        """Wrap an engine whose database is already migrated; prefer :meth:`open`."""
        self.engine = engine
        self.heartbeat = heartbeat
        self._backend = engine.dialect.name

    # -- life cycle -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        heartbeat: timedelta = DEFAULT_HEARTBEAT,
        busy_timeout: float = 5.0,
        connect_timeout: float = 10.0,
        migrate_schema: bool = True,
    ) -> Store:
        """Open (and create or migrate) the history database at ``url``.

        ``url`` defaults to ``topup.db`` in the user data directory. ``heartbeat`` is the
        longest time between two stored balance points of an unchanged account.
        """
        engine = create(
            url or default_url(), busy_timeout=busy_timeout, connect_timeout=connect_timeout
        )
        try:
            if migrate_schema:
                with translate_errors(engine.dialect.name, "open"):
                    migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, heartbeat=heartbeat)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self, what: str, *, write: bool) -> Iterator[Connection]:
        with translate_errors(self._backend, what), self.engine.connect() as conn:
            if write:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def _write(self, what: str) -> AbstractContextManager[Connection]:
        return self._tx(what, write=True)

    def _read(self, what: str) -> AbstractContextManager[Connection]:
        return self._tx(what, write=False)

    # -- writing ----------------------------------------------------------------------------

    def record(self, results: Sequence[tuple[CheckResult, str | None]]) -> RecordSummary:
        """Store a batch of check results, each with its credential fingerprint (not the secret).

        One transaction: either the whole batch is stored or, on error, nothing. Every check
        is stored; a balance point only when a good check's values differ from the account's
        previous point, or that point is older than the heartbeat.
        """
        if not results:
            return RecordSummary(0, 0)
        for result, _ in results:
            _utc(result.checked_at)
            _utc(result.expires_at)
        ordered = sorted(results, key=lambda rf: (rf[0].account, rf[0].checked_at))
        with self._write("record") as conn:
            ids = self._ensure_accounts(conn, ordered)
            conn.execute(
                checks.insert(),
                [
                    {
                        "account_id": ids[r.account],
                        "checked_at": r.checked_at,
                        "status": r.status.value,
                        "message": None if r.message is None else r.message[:MAX_MESSAGE],
                        "duration_ms": None if r.duration is None else round(r.duration * 1000),
                    }
                    for r, _ in ordered
                ],
            )
            good = [r for r, _ in ordered if r.status.checked]
            points = self._write_points(conn, ids, good)
            last_good: dict[int, datetime] = {}
            for r in good:  # sorted: the last one is the newest
                if _has_amounts(r):  # an exhausted key with no amounts confirms no value
                    last_good[ids[r.account]] = r.checked_at
            if last_good:
                stmt = (
                    update(accounts)
                    .where(accounts.c.id == _bind("aid"))
                    .where(
                        or_(
                            accounts.c.last_good_at.is_(None),
                            accounts.c.last_good_at < _bind("t", accounts.c.last_good_at.type),
                        )
                    )
                    .values(last_good_at=_bind("t", accounts.c.last_good_at.type))
                )
                conn.execute(stmt, [{"aid": a, "t": t} for a, t in last_good.items()])
        return RecordSummary(len(ordered), points)

    def _ensure_accounts(
        self, conn: Connection, ordered: Sequence[tuple[CheckResult, str | None]]
    ) -> dict[str, int]:
        newest: dict[str, tuple[CheckResult, str | None]] = {}
        currency: dict[str, str] = {}
        for r, fp in sorted(ordered, key=lambda rf: rf[0].checked_at):
            newest[r.account] = (r, fp)
            if r.status.checked and r.currency is not None:
                currency[r.account] = r.currency
        names = list(newest)
        existing = self._account_rows(conn, names)
        now = datetime.now(UTC)
        missing = [n for n in names if n not in existing]
        if missing:
            rows = [
                {
                    "name": n,
                    "provider": newest[n][0].provider,
                    "fingerprint": newest[n][1],
                    "currency": currency.get(n),
                    "created_at": now,
                    "updated_at": now,
                }
                for n in missing
            ]
            insert = self._insert(accounts).on_conflict_do_nothing(index_elements=["name"])
            conn.execute(insert, rows)
            existing.update(self._account_rows(conn, missing))
        for name, row in existing.items():
            r, fp = newest[name]
            changes: dict[str, Any] = {}
            if row.provider != r.provider:
                changes["provider"] = r.provider
            if fp is not None and row.fingerprint != fp:
                changes["fingerprint"] = fp
            if name in currency and row.currency != currency[name]:
                changes["currency"] = currency[name]
            if changes:
                changes["updated_at"] = now
                conn.execute(update(accounts).where(accounts.c.id == row.id).values(**changes))
        return {name: row.id for name, row in existing.items()}

    def _account_rows(self, conn: Connection, names: Sequence[str]) -> dict[str, Row[Any]]:
        out: dict[str, Row[Any]] = {}
        for chunk in _chunks(names):
            q = select(accounts).where(accounts.c.name.in_(chunk))
            for row in conn.execute(q):
                out[row.name] = row
        return out

    def _insert(self, table: Any) -> Any:
        if self._backend == "postgresql":
            return postgresql.insert(table)
        if self._backend == "sqlite":
            return sqlite.insert(table)
        raise StorageError(f"unsupported database {self._backend!r}: use SQLite or PostgreSQL")

    def _write_points(self, conn: Connection, ids: dict[str, int], good: list[CheckResult]) -> int:
        if not good:
            return 0
        account_ids = sorted({ids[r.account] for r in good})
        latest: dict[int, tuple[datetime, _Snap]] = {}
        for chunk in _chunks(account_ids):
            for row in conn.execute(_latest_points_query(chunk)):
                latest[row.account_id] = (row.at, _Snap.from_row(row))
        new_rows: list[dict[str, Any]] = []
        for index, r in enumerate(good):  # sorted by account, then time
            aid = ids[r.account]
            snap = _Snap.of(r)
            prev = latest.get(aid)
            if prev is None or r.checked_at >= prev[0]:
                if prev is None or prev[1] != snap or r.checked_at - prev[0] >= self.heartbeat:
                    new_rows.append({"account_id": aid, "at": r.checked_at, **snap.values()})
                    latest[aid] = (r.checked_at, snap)
            else:
                # Older than the newest stored point: a late result. Rare; done one by one, in
                # the database, so the points stay exact for every good check around it.
                if new_rows:
                    conn.execute(balances.insert(), new_rows)
                    new_rows = []
                # The batch's own next result of this account bounds what this one restates.
                following = good[index + 1] if index + 1 < len(good) else None
                until = (
                    following.checked_at if following and following.account == r.account else None
                )
                self._insert_late_point(conn, aid, r.checked_at, snap, until)
        if new_rows:
            conn.execute(balances.insert(), new_rows)
        return len(new_rows)

    def _insert_late_point(
        self, conn: Connection, aid: int, at: datetime, snap: _Snap, until: datetime | None
    ) -> None:
        before = conn.execute(
            select(balances)
            .where(balances.c.account_id == aid, balances.c.at <= at)
            .order_by(balances.c.at.desc(), balances.c.id.desc())
            .limit(1)
        ).first()
        if before is not None and _Snap.from_row(before) == snap:
            return
        conn.execute(balances.insert().values(account_id=aid, at=at, **snap.values()))
        if before is None:
            return
        # Good checks after this late one, until the next point, saw the earlier values:
        # restate them at the first such check so the history stays exact.
        after = conn.execute(
            select(balances.c.at)
            .where(balances.c.account_id == aid, balances.c.at > at)
            .order_by(balances.c.at, balances.c.id)
            .limit(1)
        ).scalar()
        q = select(func.min(checks.c.checked_at)).where(
            checks.c.account_id == aid,
            checks.c.checked_at > at,
            checks.c.status.in_(_GOOD),
        )
        if after is not None:
            q = q.where(checks.c.checked_at < after)
        if until is not None:  # later results of the same batch get points of their own
            q = q.where(checks.c.checked_at < until)
        first_after = conn.execute(q).scalar()
        if first_after is not None:
            restated = _Snap.from_row(before).values()
            conn.execute(balances.insert().values(account_id=aid, at=first_after, **restated))

    def set_alert_state(self, account: str, rule: str, state: str | None) -> None:
        """Persist the alerting code's state for ``(account, rule)``; ``None`` deletes it."""
        with self._write("set_alert_state") as conn:
            aid = self._account_id(conn, account)
            if state is None:
                conn.execute(
                    alert_state.delete().where(
                        alert_state.c.account_id == aid, alert_state.c.rule == rule
                    )
                )
                return
            now = datetime.now(UTC)
            stmt = self._insert(alert_state).values(
                account_id=aid, rule=rule, state=state, updated_at=now
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["account_id", "rule"],
                set_={"state": state, "updated_at": now},
            )
            conn.execute(stmt)

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
        if kind not in ("fired", "recovered"):
            raise ValueError(f"alert kind must be 'fired' or 'recovered', not {kind!r}")
        when = _utc(at) or datetime.now(UTC)
        with self._write("record_alert") as conn:
            aid = self._account_id(conn, account)
            conn.execute(
                alerts_sent.insert().values(
                    account_id=aid, rule=rule, kind=kind, at=when, message=message
                )
            )

    def _account_id(self, conn: Connection, account: str) -> int:
        aid = conn.execute(select(accounts.c.id).where(accounts.c.name == account)).scalar()
        if aid is None:
            raise UnknownAccount(account)
        return int(aid)

    # -- reading ----------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        with self._read("accounts") as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
        return [_account(row) for row in rows]

    def latest(self) -> list[AccountState]:
        """Per account (by name): the last check and the last good balance point with its age.

        One indexed lookup per account, independent of how many checks are stored.
        """
        last_check = (
            select(checks.c.id)
            .where(checks.c.account_id == accounts.c.id)
            .order_by(checks.c.checked_at.desc(), checks.c.id.desc())
            .limit(1)
            .correlate(accounts)
            .scalar_subquery()
        )
        last_point = (  # the last *good value*: a point that carries amounts
            select(balances.c.id)
            .where(balances.c.account_id == accounts.c.id)
            .where(or_(balances.c.currency.is_not(None), balances.c.unlimited.is_(True)))
            .order_by(balances.c.at.desc(), balances.c.id.desc())
            .limit(1)
            .correlate(accounts)
            .scalar_subquery()
        )
        heads = select(
            accounts.c.id.label("aid"),
            last_check.label("check_id"),
            last_point.label("point_id"),
        ).subquery()
        c = checks.alias("c")
        b = balances.alias("b")
        q = (
            select(
                accounts,
                c.c.checked_at.label("c_checked_at"),
                c.c.status.label("c_status"),
                c.c.message.label("c_message"),
                c.c.duration_ms.label("c_duration_ms"),
                b.c.at.label("b_at"),
                b.c.currency.label("b_currency"),
                b.c.balance.label("b_balance"),
                b.c.granted.label("b_granted"),
                b.c.paid.label("b_paid"),
                b.c.used.label("b_used"),
                b.c.unlimited.label("b_unlimited"),
                b.c.request_count.label("b_request_count"),
                b.c.expires_at.label("b_expires_at"),
            )
            .select_from(
                accounts.join(heads, heads.c.aid == accounts.c.id)
                .outerjoin(c, c.c.id == heads.c.check_id)
                .outerjoin(b, b.c.id == heads.c.point_id)
            )
            .order_by(accounts.c.name)
        )
        with self._read("latest") as conn:
            rows = conn.execute(q).all()
        out: list[AccountState] = []
        for row in rows:
            check = None
            if row.c_checked_at is not None:
                check = CheckRecord(
                    account=row.name,
                    checked_at=row.c_checked_at,
                    status=Status(row.c_status),
                    message=row.c_message,
                    duration=_seconds(row.c_duration_ms),
                )
            point = _point(row.name, row, prefix="b_") if row.b_at is not None else None
            last_good_at = row.last_good_at
            if point is not None and (last_good_at is None or last_good_at < point.at):
                last_good_at = point.at
            out.append(AccountState(_account(row), check, point, last_good_at))
        return out

    def balance_history(
        self, account: str, since: datetime | None = None, *, include_prior: bool = True
    ) -> list[BalancePoint]:
        """The account's balance points, oldest first, from ``since`` (inclusive) on.

        With ``include_prior`` the point in effect at ``since`` (the last one before it) is
        included too, so the series describes the whole window. Unknown accounts give ``[]``.
        """
        since = _utc(since)
        with self._read("balance_history") as conn:
            aid = conn.execute(select(accounts.c.id).where(accounts.c.name == account)).scalar()
            if aid is None:
                return []
            return [_point(account, row) for row in self._points(conn, aid, since, include_prior)]

    def balance_histories(
        self, names: Sequence[str], since: datetime
    ) -> dict[str, list[BalancePoint]]:
        """:meth:`balance_history` of many accounts in a few queries (500 accounts each), with
        the point in effect at ``since`` included. Accounts without points are left out."""
        since_utc = _utc(since)
        a, b = accounts, balances
        out: dict[str, list[BalancePoint]] = {}
        for chunk in _chunks(list(names)):
            prior = (
                select(b.c.id)
                .where(b.c.account_id == a.c.id, b.c.at < since_utc)
                .order_by(b.c.at.desc(), b.c.id.desc())
                .limit(1)
                .correlate(a)
                .scalar_subquery()
            )
            prior_ids = select(prior).where(a.c.name.in_(chunk))
            ids = select(a.c.id).where(a.c.name.in_(chunk))
            q = (
                select(a.c.name, b)
                .select_from(b.join(a, a.c.id == b.c.account_id))
                .where(b.c.account_id.in_(ids))
                .where((b.c.at >= since_utc) | b.c.id.in_(prior_ids))
                .order_by(b.c.account_id, b.c.at, b.c.id)
            )
            with self._read("balance_histories") as conn:
                for row in conn.execute(q):
                    out.setdefault(row.name, []).append(_point(row.name, row))
        return out

    def _points(
        self, conn: Connection, aid: int, since: datetime | None, include_prior: bool
    ) -> list[Row[Any]]:
        q = select(balances).where(balances.c.account_id == aid)
        prior: list[Row[Any]] = []
        if since is not None:
            q = q.where(balances.c.at >= since)
            if include_prior:
                p = conn.execute(
                    select(balances)
                    .where(balances.c.account_id == aid, balances.c.at < since)
                    .order_by(balances.c.at.desc(), balances.c.id.desc())
                    .limit(1)
                ).first()
                prior = [] if p is None else [p]
        return prior + list(conn.execute(q.order_by(balances.c.at, balances.c.id)))

    def check_history(
        self, account: str, since: datetime | None = None, limit: int | None = None
    ) -> list[CheckRecord]:
        """The account's checks from ``since`` on, oldest first; ``limit`` keeps the newest."""
        since = _utc(since)
        with self._read("check_history") as conn:
            aid = conn.execute(select(accounts.c.id).where(accounts.c.name == account)).scalar()
            if aid is None:
                return []
            q = select(checks).where(checks.c.account_id == aid)
            if since is not None:
                q = q.where(checks.c.checked_at >= since)
            q = q.order_by(checks.c.checked_at.desc(), checks.c.id.desc())
            if limit is not None:
                q = q.limit(limit)
            rows = conn.execute(q).all()
        return [_check(account, row) for row in reversed(rows)]

    def export(self, since: datetime | None = None) -> Iterator[CheckResult]:
        """Every stored check from ``since`` on as a :class:`CheckResult`, account by account.

        Good checks carry the amounts they saw (rebuilt from the balance points), failed ones
        none, so the rows serialise with :data:`topup.model.RESULT_FIELDS` like live results.
        Streams one account at a time.
        """
        since = _utc(since)
        for acct in self.accounts():
            with self._read("export") as conn:
                aid = self._account_id(conn, acct.name)
                points = self._points(conn, aid, since, True)
                q = select(checks).where(checks.c.account_id == aid)
                if since is not None:
                    q = q.where(checks.c.checked_at >= since)
                rows = conn.execute(q.order_by(checks.c.checked_at, checks.c.id)).all()
            yield from _merge(acct, rows, points)

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
        since = _utc(since)
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


def _bind(name: str, type_: Any = None) -> Any:
    return bindparam(name, type_=type_)


def _has_amounts(result: CheckResult) -> bool:
    """A good check that saw amounts (an exhausted key may answer with none)."""
    return result.currency is not None or result.unlimited


def _latest_points_query(account_ids: Sequence[int]) -> Any:
    inner = balances.alias("inner")
    newest = (
        select(inner.c.id)
        .where(inner.c.account_id == accounts.c.id)
        .order_by(inner.c.at.desc(), inner.c.id.desc())
        .limit(1)
        .correlate(accounts)
        .scalar_subquery()
    )
    ids = select(newest).where(accounts.c.id.in_(account_ids))
    return select(balances).where(balances.c.id.in_(ids))


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _account(row: Row[Any]) -> Account:
    return Account(
        name=row.name,
        provider=row.provider,
        fingerprint=row.fingerprint,
        currency=row.currency,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _check(account: str, row: Row[Any]) -> CheckRecord:
    return CheckRecord(
        account=account,
        checked_at=row.checked_at,
        status=Status(row.status),
        message=row.message,
        duration=_seconds(row.duration_ms),
    )


def _point(account: str, row: Row[Any], prefix: str = "") -> BalancePoint:
    """A ``balances`` row (its columns optionally labelled ``<prefix><name>``) as a point."""
    col = row._mapping
    return BalancePoint(
        account=account,
        at=col[f"{prefix}at"],
        currency=col[f"{prefix}currency"],
        balance=col[f"{prefix}balance"],
        granted=col[f"{prefix}granted"],
        paid=col[f"{prefix}paid"],
        used=col[f"{prefix}used"],
        unlimited=bool(col[f"{prefix}unlimited"]),
        request_count=col[f"{prefix}request_count"],
        expires_at=col[f"{prefix}expires_at"],
    )


def _merge(
    acct: Account, rows: Iterable[Row[Any]], points: list[Row[Any]]
) -> Iterator[CheckResult]:
    i = -1
    for row in rows:
        while i + 1 < len(points) and points[i + 1].at <= row.checked_at:
            i += 1
        status = Status(row.status)
        base: dict[str, Any] = {}
        if status.checked and i >= 0:
            p = points[i]
            base = _Snap.from_row(p).values()
        yield CheckResult(
            account=acct.name,
            provider=acct.provider,
            status=status,
            checked_at=row.checked_at,
            message=row.message,
            duration=_seconds(row.duration_ms),
            **base,
        )
