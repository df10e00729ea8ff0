"""Reading the history: accounts, their latest state, balance points, checks, exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.engine import Connection

from topup.model import AMOUNT_FIELDS, CheckResult, Status
from topup.storage.records import AccountState, BalancePoint, CheckRecord, StoredAccount
from topup.storage.rows import amount_values, check, chunks, point, seconds, stored_account, utc
from topup.storage.schema import accounts, balances, checks
from topup.storage.transactions import Transactions


class Reads(Transactions):
    """The store's queries of accounts, checks and balance points."""

    def accounts(self) -> list[StoredAccount]:
        """Every account, by name."""
        with self._read("accounts") as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
        return [stored_account(row) for row in rows]

    def latest(self, names: Sequence[str] | None = None) -> list[AccountState]:
        """Per account (by name): the last check and the last good balance point with its age.

        One indexed lookup per account, independent of how many checks are stored. ``names``
        limits it to those accounts (unknown names are left out).
        """
        if names is not None:
            out: list[AccountState] = []
            for chunk in chunks(list(names)):
                out.extend(self._latest(accounts.c.name.in_(chunk)))
            return sorted(out, key=lambda s: s.account.name)
        return self._latest(None)

    def _latest(self, where: Any) -> list[AccountState]:
        last_check = (
            select(checks.c.id)
            .where(checks.c.account_id == accounts.c.id)
            .order_by(checks.c.checked_at.desc(), checks.c.id.desc())
            .limit(1)
            .correlate(accounts)
            .scalar_subquery()
        )
        last_point = (  # the last *good value*: a point that carries amounts (has_value)
            select(balances.c.id)
            .where(balances.c.account_id == accounts.c.id)
            .where(  # the SQL of Amounts.has_value
                or_(
                    balances.c.currency.is_not(None),
                    balances.c.balance.is_not(None),
                    balances.c.unlimited.is_(True),
                    balances.c.balances.is_not(None),
                    balances.c.windows.is_not(None),
                )
            )
            .order_by(balances.c.at.desc(), balances.c.id.desc())
            .limit(1)
            .correlate(accounts)
            .scalar_subquery()
        )
        heads_q = select(
            accounts.c.id.label("aid"),
            last_check.label("check_id"),
            last_point.label("point_id"),
        )
        heads = (heads_q if where is None else heads_q.where(where)).subquery()
        c = checks.alias("c")
        b = balances.alias("b")
        q = (
            select(
                accounts,
                c.c.checked_at.label("c_checked_at"),
                c.c.status.label("c_status"),
                c.c.message.label("c_message"),
                c.c.duration_ms.label("c_duration_ms"),
                *(b.c[name].label(f"b_{name}") for name in ("at", *AMOUNT_FIELDS)),
            )
            .select_from(
                accounts.join(heads, heads.c.aid == accounts.c.id)
                .outerjoin(c, c.c.id == heads.c.check_id)
                .outerjoin(b, b.c.id == heads.c.point_id)
            )
            .order_by(accounts.c.name)
        )
        cols = list(q.selected_columns)
        with self._read("latest") as conn:
            rows = _lean(conn, q, cols)
        # Plain tuples read by position: 10,000 accounts' rows are converted on the
        # dashboard's first load.
        at = {col.key: i for i, col in enumerate(cols)}
        names = [(name, at[f"b_{name}"]) for name in AMOUNT_FIELDS]
        b_at, c_at = at["b_at"], at["c_checked_at"]
        c_status, c_message, c_ms = at["c_status"], at["c_message"], at["c_duration_ms"]
        good_at, a_name = at["last_good_at"], at["name"]
        a_cols = [(f, at[f]) for f in ("provider", "fingerprint", "currency")]
        a_created, a_updated = at["created_at"], at["updated_at"]
        out: list[AccountState] = []
        for row in rows:
            name = row[a_name]
            last = None
            if row[c_at] is not None:
                last = CheckRecord(
                    account=name,
                    checked_at=row[c_at],
                    status=Status(row[c_status]),
                    message=row[c_message],
                    duration=seconds(row[c_ms]),
                )
            good = None
            if row[b_at] is not None:
                good = BalancePoint(
                    account=name, at=row[b_at], **{field: row[i] for field, i in names}
                )
            last_good_at = row[good_at]
            if good is not None and (last_good_at is None or last_good_at < good.at):
                last_good_at = good.at
            stored = StoredAccount(
                name=name,
                created_at=row[a_created],
                updated_at=row[a_updated],
                **{f: row[i] for f, i in a_cols},
            )
            out.append(AccountState(stored, last, good, last_good_at))
        return out

    def balance_history(
        self, account: str, since: datetime | None = None, *, include_prior: bool = True
    ) -> list[BalancePoint]:
        """The account's balance points, oldest first, from ``since`` (inclusive) on.

        With ``include_prior`` the point in effect at ``since`` (the last one before it) is
        included too, so the series describes the whole window. Unknown accounts give ``[]``.
        """
        since = utc(since)
        with self._read("balance_history") as conn:
            aid = self._find_account_id(conn, account)
            if aid is None:
                return []
            return [point(account, row) for row in self._points(conn, aid, since, include_prior)]

    def balance_histories(
        self, names: Sequence[str], since: datetime
    ) -> dict[str, list[BalancePoint]]:
        """:meth:`balance_history` of many accounts in a few queries (500 accounts each), with
        the point in effect at ``since`` included. Accounts without points are left out."""
        since_utc = utc(since)
        a, b = accounts, balances
        out: dict[str, list[BalancePoint]] = {}
        for chunk in chunks(list(names)):
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
                    out.setdefault(row.name, []).append(point(row.name, row))
        return out

    def trend_points(
        self, since: datetime, names: Sequence[str] | None = None, *, per_query: int = 100
    ) -> Iterator[tuple[str, list[tuple[datetime, str | None, Decimal | None, bool]]]]:
        """Per account (all, or ``names``), the ``(at, currency, balance, unlimited)`` of its
        balance points from ``since`` on and the one in effect at ``since``, oldest first.

        The lean form of :meth:`balance_histories` for summaries of many accounts: the rows
        stream ``per_query`` accounts at a time, so memory stays bounded by one batch (the
        rows carry the account id only; the names are read once). Accounts without points
        are left out.
        """
        since_utc = utc(since)
        a, b = accounts, balances
        with self._read("trend_points") as conn:
            if names is None:
                found = conn.execute(select(a.c.id, a.c.name)).all()
            else:
                found = []
                for chunk in chunks(list(names)):
                    q = select(a.c.id, a.c.name).where(a.c.name.in_(chunk))
                    found.extend(conn.execute(q))
        by_id = dict(found)
        ids = sorted(by_id)
        cols = (b.c.account_id, b.c.at, b.c.currency, b.c.balance, b.c.unlimited)
        for batch in chunks(ids, per_query):
            prior = (
                select(b.c.id)
                .where(b.c.account_id == a.c.id, b.c.at < since_utc)
                .order_by(b.c.at.desc(), b.c.id.desc())
                .limit(1)
                .correlate(a)
                .scalar_subquery()
            )
            window = (  # a range scan of the (account_id, at) index per account
                select(*cols)
                .where(b.c.account_id.in_(batch), b.c.at >= since_utc)
                .order_by(b.c.account_id, b.c.at, b.c.id)
            )
            first = select(*cols).where(b.c.id.in_(select(prior).where(a.c.id.in_(batch))))
            with self._read("trend_points") as conn:
                priors = {row[0]: row for row in _lean(conn, first, cols)}
                rows = _lean(conn, window, cols)
            grouped: dict[int, list[Any]] = {aid: [row] for aid, row in priors.items()}
            for row in rows:
                grouped.setdefault(row[0], []).append(row)
            del rows
            for aid in sorted(grouped):
                series = grouped.pop(aid)
                yield by_id[aid], [(r[1], r[2], r[3], bool(r[4])) for r in series]

    def check_mark(self) -> int:
        """The highest ``checks.id`` stored (0 when none): it grows with every check written."""
        with self._read("check_mark") as conn:
            return int(conn.execute(select(func.max(checks.c.id))).scalar() or 0)

    def checks_above(self, floor: int) -> list[tuple[int, str, str]]:
        """``(id, account name, status)`` of every check with an id above ``floor``."""
        q = (
            select(checks.c.id, accounts.c.name, checks.c.status)
            .select_from(checks.join(accounts, accounts.c.id == checks.c.account_id))
            .where(checks.c.id > floor)
        )
        with self._read("checks_above") as conn:
            return [(int(i), str(n), str(s)) for i, n, s in conn.execute(q)]

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
        since = utc(since)
        with self._read("check_history") as conn:
            aid = self._find_account_id(conn, account)
            if aid is None:
                return []
            q = select(checks).where(checks.c.account_id == aid)
            if since is not None:
                q = q.where(checks.c.checked_at >= since)
            q = q.order_by(checks.c.checked_at.desc(), checks.c.id.desc())
            if limit is not None:
                q = q.limit(limit)
            rows = conn.execute(q).all()
        return [check(account, row) for row in reversed(rows)]

    def export(self, since: datetime | None = None) -> Iterator[CheckResult]:
        """Every stored check from ``since`` on as a :class:`CheckResult`, account by account.

        Good checks carry the amounts they saw (rebuilt from the balance points), failed ones
        none, so the rows serialise with :data:`topup.model.RESULT_FIELDS` like live results.
        Streams one account at a time.
        """
        since = utc(since)
        for acct in self.accounts():
            with self._read("export") as conn:
                aid = self._account_id(conn, acct.name)
                points = self._points(conn, aid, since, True)
                q = select(checks).where(checks.c.account_id == aid)
                if since is not None:
                    q = q.where(checks.c.checked_at >= since)
                rows = conn.execute(q.order_by(checks.c.checked_at, checks.c.id)).all()
            yield from _merge(acct, rows, points)


def _lean(
    conn: Connection, query: Select[Any], cols: Sequence[ColumnElement[Any]]
) -> list[tuple[Any, ...]]:
    """The rows of ``query`` (selecting ``cols``) as plain tuples: the DB-API cursor's rows,
    each value through its column type's result processor, without building SQLAlchemy rows
    (the summaries of 10,000 accounts read ~1.7 million points)."""
    dialect = conn.dialect
    result = conn.execute(query)
    try:
        described = result.cursor.description  # the DB-API type code of each column
        raw = result.cursor.fetchall()
    finally:
        result.close()
    steps = [
        c.type.dialect_impl(dialect).result_processor(dialect, d[1])
        for c, d in zip(cols, described, strict=True)
    ]
    todo = [(i, f) for i, f in enumerate(steps) if f is not None]
    if not todo:
        return [tuple(row) for row in raw]
    out = []
    for row in raw:
        values = list(row)
        for i, f in todo:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


def _merge(
    acct: StoredAccount, rows: Iterable[Row[Any]], points: list[Row[Any]]
) -> Iterator[CheckResult]:
    """Checks with the amounts of the point in effect at each (good) one."""
    i = -1
    for row in rows:
        while i + 1 < len(points) and points[i + 1].at <= row.checked_at:
            i += 1
        status = Status(row.status)
        amounts = amount_values(points[i]) if status.checked and i >= 0 else {}
        yield CheckResult(
            account=acct.name,
            provider=acct.provider,
            status=status,
            checked_at=row.checked_at,
            message=row.message,
            duration=seconds(row.duration_ms),
            **amounts,
        )
