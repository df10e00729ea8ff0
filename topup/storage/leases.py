"""The shared schedule of several ``topup watch`` workers on one PostgreSQL (``[watch] lease``).

One row per account name in ``account_leases``: when it is next due, and which worker holds it
until when. Everything is decided by PostgreSQL, with its clock (``now()``), so workers on
machines whose clocks disagree still agree::

    store = LeasedStore.over(Store.open(url), holder="host:pid", lease=120, due_in=interval_of)
    store.schedule({"shop": 3.0})          # first due in 3 s, unless already scheduled
    names = store.claim(["shop", ...], 32) # due, unleased (or lease expired): now ours
    ... check them ...
    store.record(batch)                    # the checks, and each account due again, at once
    store.renew(still_checking)            # while a check runs: keep its lease

:meth:`LeasedStore.claim` is one ``UPDATE ... WHERE account IN (SELECT ... FOR UPDATE SKIP
LOCKED) RETURNING``: two workers claiming at once never get the same account, and neither waits
for the other. A worker killed with ``kill -9`` stops renewing; its leases run out within one
lease period and the next claim of any other worker takes them over.

:meth:`LeasedStore.record` stores the checks and sets each account due again (``now()`` plus
``due_in(name)`` seconds, clearing the lease) in the same transaction, so an account is never
due again without its check stored, nor stored and still leased. A check nobody scheduled (a
manual one) moves its account's next due time too, unless another worker holds a live lease.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, Interval, String, any_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from topup.model import CheckResult
from topup.storage.errors import StorageError
from topup.storage.records import RecordSummary
from topup.storage.schema import account_leases as L
from topup.storage.store import DEFAULT_HEARTBEAT, Store

__all__ = ["LeasedStore"]


class LeasedStore(Store):
    """A :class:`Store` that takes part in the shared schedule as the worker ``holder``.

    PostgreSQL only (``SKIP LOCKED``); opening one on another database raises
    :class:`StorageError`.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        holder: str,
        lease: float,
        due_in: Callable[[str], float],
        heartbeat: timedelta = DEFAULT_HEARTBEAT,
    ) -> None:
        super().__init__(engine, heartbeat=heartbeat)
        if self._backend != "postgresql":
            raise StorageError(
                f"several workers share accounts through PostgreSQL, not {self._backend}"
            )
        if lease <= 0:
            raise ValueError("lease must be positive")
        self.holder = holder
        self.lease = lease
        self.due_in = due_in
        self._joined = threading.local()

    @classmethod
    def over(
        cls, store: Store, *, holder: str, lease: float, due_in: Callable[[str], float]
    ) -> LeasedStore:
        """The same database as ``store`` (its engine and heartbeat), as worker ``holder``."""
        return cls(
            store.engine, holder=holder, lease=lease, due_in=due_in, heartbeat=store.heartbeat
        )

    # -- the schedule -----------------------------------------------------------------------

    def schedule(self, first_due: Mapping[str, float]) -> None:
        """Add the accounts not scheduled yet, each due ``first_due[name]`` seconds from now."""
        if not first_due:
            return
        stmt = (
            postgresql.insert(L)
            .values(
                account=bindparam("a", type_=String),
                due_at=func.now() + bindparam("d", type_=Interval),
            )
            .on_conflict_do_nothing(index_elements=["account"])
        )
        rows = [{"a": n, "d": timedelta(seconds=max(0.0, s))} for n, s in first_due.items()]
        with self._write("schedule") as conn:
            conn.execute(stmt, rows)

    def claim(self, names: Sequence[str], limit: int) -> list[str]:
        """Lease up to ``limit`` of ``names`` that are due and not leased (or whose lease ran
        out), the longest overdue first; the names now held by this worker."""
        if not names or limit <= 0:
            return []
        now = func.now()
        due = (
            select(L.c.account)
            .where(
                L.c.account == any_(_names()),
                L.c.due_at <= now,
                or_(L.c.leased_until.is_(None), L.c.leased_until < now),
            )
            .order_by(L.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(L)
            .where(L.c.account.in_(due.scalar_subquery()))
            .values(holder=self.holder, leased_until=now + self._lease())
            .returning(L.c.account)
        )
        with self._write("claim") as conn:
            return [str(n) for n in conn.execute(stmt, {"names": list(names)}).scalars()]

    def renew(self, names: Sequence[str]) -> int:
        """Extend this worker's leases of ``names`` by a lease period from now; how many."""
        if not names:
            return 0
        stmt = (
            update(L)
            .where(
                L.c.account == any_(_names()),
                L.c.holder == self.holder,
                L.c.leased_until.is_not(None),
            )
            .values(leased_until=func.now() + self._lease())
        )
        with self._write("renew") as conn:
            return int(conn.execute(stmt, {"names": list(names)}).rowcount)

    def next_claimable(self, names: Sequence[str]) -> float | None:
        """Seconds until the first of ``names`` can be claimed (0 or less: now; None: none
        scheduled). A leased account counts from its lease's end: a dead worker's accounts
        are claimable when their leases run out."""
        if not names:
            return None
        first = func.min(func.greatest(L.c.due_at, func.coalesce(L.c.leased_until, L.c.due_at)))
        q = select(func.extract("epoch", first - func.now())).where(L.c.account == any_(_names()))
        with self._read("next_claimable") as conn:
            value = conn.execute(q, {"names": list(names)}).scalar()
        return None if value is None else float(value)

    def leases(self) -> dict[str, tuple[str | None, float]]:
        """Every scheduled account: its holder (None: not leased) and the seconds until due."""
        q = select(L.c.account, L.c.holder, func.extract("epoch", L.c.due_at - func.now()))
        with self._read("leases") as conn:
            return {str(a): (h, float(d)) for a, h, d in conn.execute(q)}

    # -- recording: the checks and the next due times, in one transaction -------------------

    def record(self, results: Sequence[tuple[CheckResult, str | None]]) -> RecordSummary:
        """Store the batch (:meth:`Store.record`) and set its accounts due again, at once."""
        with super()._tx("record", write=True) as conn:
            self._joined.conn = conn
            try:
                summary = super().record(results)
                self._release(conn, sorted({r.account for r, _ in results}))
            finally:
                self._joined.conn = None
        return summary

    def _release(self, conn: Connection, names: Sequence[str]) -> None:
        if not names:
            return
        now = func.now()
        insert = postgresql.insert(L).values(
            account=bindparam("a", type_=String),
            due_at=now + bindparam("d", type_=Interval),
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["account"],
            set_={"due_at": insert.excluded.due_at, "holder": None, "leased_until": None},
            where=or_(
                L.c.holder == self.holder, L.c.leased_until.is_(None), L.c.leased_until < now
            ),
        )
        rows = [{"a": n, "d": timedelta(seconds=max(0.0, self.due_in(n)))} for n in names]
        conn.execute(stmt, rows)

    @contextmanager
    def _tx(self, what: str, *, write: bool) -> Iterator[Connection]:
        """Inside :meth:`record`, the store's own transactions join the one it opened."""
        joined: Connection | None = getattr(self._joined, "conn", None)
        if joined is not None:
            yield joined
            return
        with super()._tx(what, write=write) as conn:
            yield conn

    def _lease(self) -> BindParameter[timedelta]:
        return bindparam("lease", timedelta(seconds=self.lease), type_=Interval)


def _names() -> BindParameter[Any]:
    return bindparam("names", type_=postgresql.ARRAY(String()))
