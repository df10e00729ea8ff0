"""Retention: per-poll checks older than ``keep`` are deleted; what they said is kept.

A check row holds an outcome (status, message, duration); the amounts a good check saw live in
the ``balances`` change points, which pruning never touches. Of the checks older than the
cutoff, an account keeps every check that starts or ends a *run*: consecutive checks with the
same status that saw the same values (good checks between two change points of the amounts; a
heartbeat point with unchanged amounts does not end a run). So after pruning:

* every balance change, and the check that saw it, is still there (balance points untouched:
  burn rate, 24 h / 7 d change and spend per day come out the same);
* the first check of each run says since when a value (or a failure) held, the last one until
  when; the first and last failure of each failure run, with their messages, stay;
* each account's latest check and its last good value (:meth:`Store.latest`) stay.

The runs are found in SQL (window functions, on SQLite and PostgreSQL alike), one account at a
time, in slices of about ``batch`` old checks: each slice is chosen and deleted in one short
transaction (what is deleted is what the choice saw), so a watcher writing to the same
database waits at most one slice.

Usage::

    summary = prune(store, timedelta(days=90))
    print(summary.removed, "checks removed")
    vacuum(store)   # SQLite: give the space back to the file system

:func:`keep_pruning` runs it periodically beside the watcher (``[storage] keep``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    delete,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from topup.model import AMOUNT_FIELDS, Status, utcnow
from topup.storage.engine import translate_errors
from topup.storage.errors import StorageUnavailable
from topup.storage.rows import chunks, utc
from topup.storage.schema import accounts, balances, checks
from topup.storage.store import Store

log = logging.getLogger(__name__)

#: Old checks of an account chosen (and deleted) per transaction.
DEFAULT_BATCH = 1000
#: How often :func:`keep_pruning` prunes (seconds).
DEFAULT_EVERY = 3600.0

_GOOD = tuple(s.value for s in Status if s.checked)


@dataclass(frozen=True, slots=True)
class PruneSummary:
    """What :func:`prune` did (or, with ``dry_run``, would do)."""

    #: Checks before this time were candidates.
    cutoff: datetime
    #: Accounts looked at (all of them unless the pass was stopped).
    accounts: int
    #: Checks older than the cutoff that were looked at.
    examined: int
    #: Checks deleted (on a dry run: that would be deleted).
    removed: int
    dry_run: bool

    @property
    def kept(self) -> int:
        """Old checks kept: run boundaries, change points, each account's latest check."""
        return self.examined - self.removed


def prune(
    store: Store,
    keep: timedelta,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    batch: int = DEFAULT_BATCH,
    stopping: Callable[[], bool] | None = None,
) -> PruneSummary:
    """Delete the checks older than ``now - keep`` that neither start nor end a run.

    ``since`` limits the work to checks from that time on (plus the check before it, for the
    run it belongs to): pass the previous cutoff when pruning periodically, so each pass looks
    only at what aged since. ``stopping`` is asked before each account: when it says so, the
    pass ends early (what was found so far is deleted; the summary counts it).

    Raises :class:`~topup.storage.StorageUnavailable` when the database cannot be reached
    (batches already deleted stay deleted: each is consistent).
    """
    if keep <= timedelta(0):
        raise ValueError(f"keep must be positive, not {keep}")
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    cutoff = (utc(now) or utcnow()) - keep
    since = utc(since)
    with store._read("prune") as conn:
        ids = [int(i) for i in conn.scalars(select(accounts.c.id).order_by(accounts.c.id))]
    examined = removed = 0
    done = 0
    for aid in ids:
        if stopping is not None and stopping():
            break
        done += 1
        start = since
        while True:
            # One slice of about ``batch`` old checks: chosen and deleted in one transaction,
            # so what is deleted is what the choice saw (a late result lands before or after).
            with store._read("prune") if dry_run else store._write("prune") as conn:
                end = _slice_end(conn, aid, cutoff, start, batch)
                rows = conn.execute(_candidates(conn, aid, end, start)).all()
                doomed = [int(row.id) for row in rows if row.deletable]
                if not dry_run:
                    for chunk in chunks(doomed, batch):
                        conn.execute(delete(checks).where(checks.c.id.in_(chunk)))
            examined += len(rows)
            removed += len(doomed)
            if end >= cutoff:
                break
            start = end
    return PruneSummary(cutoff, done, examined, removed, dry_run)


def _slice_end(
    conn: Connection, aid: int, cutoff: datetime, start: datetime | None, batch: int
) -> datetime:
    """Where the slice of the account's old checks from ``start`` ends: after about ``batch``
    of them (all checks of one time together), or at the cutoff."""
    c = checks
    old = [c.c.account_id == aid, c.c.checked_at < cutoff]
    if start is not None:
        old.append(c.c.checked_at >= start)
    q = select(c.c.checked_at).where(*old).order_by(c.c.checked_at).offset(batch).limit(1)
    end = conn.execute(q).scalar()
    if end is not None and start is not None and end <= start:  # a batch of one time
        later = select(func.min(c.c.checked_at)).where(*old, c.c.checked_at > start)
        end = conn.execute(later).scalar()
    return cutoff if end is None else utc(end) or cutoff


def _candidates(conn: Connection, aid: int, cutoff: datetime, since: datetime | None) -> Any:
    """``(id, deletable)`` of the account's checks older than ``cutoff`` (from ``since`` on).

    A check is deletable when the checks just before and after it have its status and, for
    good checks, fall between the same two change points of the amounts.
    """
    c, b = checks, balances
    # The window: the first check at or after the cutoff (so the last old check knows its
    # successor) back to the last check before ``since`` (so the first one knows its
    # predecessor), and the change points from the one in effect at that check on.
    upper = conn.execute(
        select(func.min(c.c.checked_at)).where(c.c.account_id == aid, c.c.checked_at >= cutoff)
    ).scalar()
    lower = points_from = None
    if since is not None:
        lower = conn.execute(
            select(func.max(c.c.checked_at)).where(c.c.account_id == aid, c.c.checked_at < since)
        ).scalar()
        if lower is not None:
            points_from = conn.execute(
                select(func.max(b.c.at)).where(b.c.account_id == aid, b.c.at <= lower)
            ).scalar()

    def bounded(col: Any, low: datetime | None) -> list[Any]:
        out = []
        if upper is not None:
            out.append(col <= upper)
        else:
            out.append(col < cutoff)
        if low is not None:
            out.append(col >= low)
        return out

    by_time = (b.c.at, b.c.id)

    def before(col: Any) -> Any:
        return func.lag(col).over(order_by=by_time)

    changed = or_(
        before(b.c.id).is_(None),
        *(before(b.c[name]).is_distinct_from(b.c[name]) for name in AMOUNT_FIELDS),
    )
    marked = (
        select(b.c.at, case((changed, 1), else_=0).label("changed"))
        .where(b.c.account_id == aid, *bounded(b.c.at, points_from))
        .subquery("marked")
    )
    change_points = select(
        marked.c.at.label("t"),
        literal_column("0", Integer).label("kind"),
        null().label("id"),
        null().label("status"),
    ).where(marked.c.changed == 1)
    own_checks = select(
        c.c.checked_at.label("t"),
        literal_column("1", Integer).label("kind"),
        c.c.id.label("id"),
        c.c.status.label("status"),
    ).where(c.c.account_id == aid, *bounded(c.c.checked_at, lower))
    events = union_all(change_points, own_checks).subquery("events")
    # A change point sorts before a check at the same time: the check saw the new values.
    segment = func.sum(1 - events.c.kind).over(order_by=(events.c.t, events.c.kind, events.c.id))
    numbered = select(
        events.c.t, events.c.kind, events.c.id, events.c.status, segment.label("seg")
    ).subquery("numbered")
    run_key = case((numbered.c.status.in_(_GOOD), numbered.c.seg), else_=-1)
    keyed = (
        select(numbered.c.id, numbered.c.t, numbered.c.status, run_key.label("run"))
        .where(numbered.c.kind == 1)
        .subquery("keyed")
    )
    order = (keyed.c.t, keyed.c.id)
    around = select(
        keyed.c.id,
        keyed.c.t,
        keyed.c.status,
        keyed.c.run,
        func.lag(keyed.c.status).over(order_by=order).label("prev_status"),
        func.lead(keyed.c.status).over(order_by=order).label("next_status"),
        func.lag(keyed.c.run).over(order_by=order).label("prev_run"),
        func.lead(keyed.c.run).over(order_by=order).label("next_run"),
    ).subquery("around")
    inside = and_(
        around.c.prev_status == around.c.status,
        around.c.next_status == around.c.status,
        around.c.prev_run == around.c.run,
        around.c.next_run == around.c.run,
    )
    mine = [around.c.t < cutoff]
    if since is not None:  # the check before it only tells its successor where its run began
        mine.append(around.c.t >= since)
    return (
        select(around.c.id, case((inside, True), else_=False).label("deletable"))
        .where(*mine)
        .order_by(around.c.t, around.c.id)
    )


def vacuum(store: Store) -> None:
    """Give the space of deleted rows back: SQLite rewrites the file (``VACUUM``, then the WAL
    is truncated); PostgreSQL marks it reusable (``VACUUM ANALYZE`` of the history tables; the
    files shrink only with ``VACUUM FULL``, which locks them).

    Raises :class:`~topup.storage.StorageUnavailable` when the database is busy (SQLite: a
    watcher writing for longer than the busy timeout) or unreachable, and
    :class:`~topup.storage.StorageError` for other database errors."""
    backend = store.engine.dialect.name
    with translate_errors(backend, "vacuum"):
        if backend == "sqlite":
            raw = store.engine.raw_connection()
            try:
                driver = raw.driver_connection
                assert driver is not None
                try:
                    driver.execute("VACUUM")
                    driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error as exc:  # the driver's own: as SQLAlchemy would raise it
                    raise sa_exc.DBAPIError.instance("VACUUM", None, exc, sqlite3.Error) from exc
            finally:
                raw.close()
            return
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {checks.name}")


@contextlib.contextmanager
def pruning_turn(store: Store) -> Iterator[bool]:
    """Whether this process may prune now: on PostgreSQL, one process at a time (several
    workers sharing a database each run :func:`keep_pruning`), through a session advisory
    lock tried without waiting and released at the end; True at once on SQLite (one writer
    at a time anyway). Raises :class:`~topup.storage.StorageUnavailable` when the database
    cannot be reached."""
    backend = store.engine.dialect.name
    if backend != "postgresql":
        yield True
        return
    with translate_errors(backend, "prune lock"):
        conn = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        with translate_errors(backend, "prune lock"):
            got = bool(conn.execute(_PRUNE_LOCK).scalar())
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(_PRUNE_UNLOCK)
                except Exception:  # the lock ends with the session: do not pool it
                    conn.invalidate()
    finally:
        conn.close()


_PRUNE_KEY = "hashtext('topup-prune:' || current_schema())"
_PRUNE_LOCK = text(f"SELECT pg_try_advisory_lock({_PRUNE_KEY})")
_PRUNE_UNLOCK = text(f"SELECT pg_advisory_unlock({_PRUNE_KEY})")


def _prune_pass(
    store_getter: Callable[[], Store], keep: timedelta, since: datetime | None, stop: asyncio.Event
) -> PruneSummary | None:
    """One pass; None when another process (a worker sharing the database) is pruning."""
    store = store_getter()
    with pruning_turn(store) as mine:
        if not mine:
            return None
        return prune(store, keep, since=since, stopping=stop.is_set)


async def keep_pruning(
    store_getter: Callable[[], Store],
    keep: timedelta,
    stop: asyncio.Event,
    *,
    every: float = DEFAULT_EVERY,
    on_pass: Callable[[PruneSummary], None] | None = None,
) -> None:
    """Prune every ``every`` seconds until ``stop`` is set, first right away.

    Each pass runs in a thread (the event loop keeps serving) and looks only at what aged since
    the previous pass; setting ``stop`` ends a running pass after the account at hand.
    ``store_getter`` may raise :class:`StorageUnavailable` while the database is down: that
    pass is skipped (and logged), the next one tries again. On PostgreSQL one process prunes
    at a time (:func:`pruning_turn`): a worker whose turn it is not skips that pass (several
    workers sharing one database need not all prune it). ``on_pass`` is called with each
    pass's summary.
    """
    since: datetime | None = None
    while not stop.is_set():
        try:
            summary = await asyncio.to_thread(_prune_pass, store_getter, keep, since, stop)
        except StorageUnavailable as exc:
            log.warning("pruning history skipped: %s", exc)
        except Exception:  # one failed pass must not end the watcher
            log.exception("pruning history failed")
        else:
            if summary is None:  # its `since` stays: the next pass looks at this one's part too
                log.debug("pruning history skipped: another worker is pruning it")
            elif stop.is_set():  # stopped part-way: the next pass would start over
                return
            else:
                since = summary.cutoff
                if summary.removed:
                    log.info(
                        "pruned %d of %d checks older than %s (run boundaries kept)",
                        summary.removed,
                        summary.examined,
                        f"{summary.cutoff:%Y-%m-%d %H:%M}",
                    )
                if on_pass is not None:
                    on_pass(summary)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
