"""Recording checks: every check, and a balance point when a good check's amounts changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection

from topup.model import Amounts, CheckResult, Status
from topup.storage.records import RecordSummary
from topup.storage.rows import amount_values, amounts_of, chunks, utc
from topup.storage.schema import accounts, balances, checks
from topup.storage.transactions import Transactions

#: A balance point is written at least this often while values stay the same.
DEFAULT_HEARTBEAT = timedelta(hours=1)
#: Longer check messages are cut to this many characters.
MAX_MESSAGE = 2000

_GOOD = tuple(s.value for s in Status if s.checked)


class Writes(Transactions):
    """:meth:`record`: the store's writes of check results."""

    def record(self, results: Sequence[tuple[CheckResult, str | None]]) -> RecordSummary:
        """Store a batch of check results, each with its credential fingerprint (not the secret).

        One transaction: either the whole batch is stored or, on error, nothing. Every check
        is stored; a balance point only when a good check's values differ from the account's
        previous point, or that point is older than the heartbeat.
        """
        if not results:
            return RecordSummary(0, 0)
        for result, _ in results:
            utc(result.checked_at)
            utc(result.expires_at)
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
                if r.has_value:  # an exhausted key with no amounts confirms no value
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
        for chunk in chunks(names):
            q = select(accounts).where(accounts.c.name.in_(chunk))
            for row in conn.execute(q):
                out[row.name] = row
        return out

    def _write_points(self, conn: Connection, ids: dict[str, int], good: list[CheckResult]) -> int:
        if not good:
            return 0
        account_ids = sorted({ids[r.account] for r in good})
        latest: dict[int, tuple[datetime, Amounts]] = {}
        for chunk in chunks(account_ids):
            for row in conn.execute(_latest_points_query(chunk)):
                latest[row.account_id] = (row.at, amounts_of(row))
        new_rows: list[dict[str, Any]] = []
        for index, r in enumerate(good):  # sorted by account, then time
            aid = ids[r.account]
            snap = r.amounts()
            prev = latest.get(aid)
            if prev is None or r.checked_at >= prev[0]:
                if prev is None or prev[1] != snap or r.checked_at - prev[0] >= self.heartbeat:
                    new_rows.append({"account_id": aid, "at": r.checked_at, **r.amount_values()})
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
        self, conn: Connection, aid: int, at: datetime, snap: Amounts, until: datetime | None
    ) -> None:
        before = conn.execute(
            select(balances)
            .where(balances.c.account_id == aid, balances.c.at <= at)
            .order_by(balances.c.at.desc(), balances.c.id.desc())
            .limit(1)
        ).first()
        if before is not None and amounts_of(before) == snap:
            return
        conn.execute(balances.insert().values(account_id=aid, at=at, **snap.amount_values()))
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
            restated = amount_values(before)
            conn.execute(balances.insert().values(account_id=aid, at=first_after, **restated))


def _bind(name: str, type_: Any = None) -> Any:
    return bindparam(name, type_=type_)


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
