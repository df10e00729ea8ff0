"""``/metrics``: the Prometheus text, from the dashboard's index, at scrape time.

Gauges come from the dashboard's index (:class:`~topup.web.views.Board`: the latest state and
7-day summary of every account, kept current as checks are written);
``topup_checks_total`` counts the stored checks by outcome, incrementally (each scrape only
counts the checks stored since the previous one). Money is ``Decimal`` everywhere else and
becomes a float only here, at the exposition boundary. Unknown values are left out, never
exported as zero.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from prometheus_client.utils import floatToGoString
from sqlalchemy import func, select

from topup.storage import Store
from topup.storage.schema import accounts as accounts_table
from topup.storage.schema import checks as checks_table
from topup.web.account_view import AccountView
from topup.web.documents import Documents
from topup.web.views import Board

LABELS = ["account", "provider", "currency"]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class CheckCounts:
    """Stored checks per (account, status), kept up to date without recounting every row.

    The checks up to :data:`WINDOW` ids below the newest are counted once, in one aggregate by
    account id (no join; SQLite runs it without holding the GIL), in a background thread that
    :meth:`start` begins when the server starts, so the first scrape does not pay for a scan
    of the whole history (it waits for the count only if it comes before the count is done).
    Every read then re-reads the ids above that floor and counts each id once, so a check that
    commits after a higher id (two writers on PostgreSQL) is still counted, as long as fewer
    than :data:`WINDOW` newer checks were committed in between.
    """

    WINDOW = 10_000

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._base_lock = threading.Lock()
        self._base: tuple[int, dict[tuple[str, str], int]] | None = None
        self._floor: int | None = None
        self._recent: set[int] = set()
        self._counts: dict[tuple[str, str], int] = {}

    def start(self, after: threading.Event | None = None, wait: float = 5.0) -> threading.Thread:
        """Count the stored checks in the background (the server's start), once ``after`` is
        set (the first page was served) or ``wait`` seconds passed."""

        def run() -> None:
            if after is not None:
                after.wait(wait)
            self._count_base()

        thread = threading.Thread(target=run, name="topup-check-counts", daemon=True)
        thread.start()
        return thread

    def _count_base(self) -> tuple[int, dict[tuple[str, str], int]]:
        with self._base_lock:
            if self._base is not None:
                return self._base
            c, a = checks_table, accounts_table
            with self.store.engine.connect() as conn:
                top = conn.execute(select(func.max(c.c.id))).scalar() or 0
                floor = max(0, int(top) - self.WINDOW)
                totals = (
                    select(c.c.account_id, c.c.status, func.count())
                    .where(c.c.id <= floor)
                    .group_by(c.c.account_id, c.c.status)
                )
                found = conn.execute(totals).all()
                names = dict(conn.execute(select(a.c.id, a.c.name)).all())
                counts: dict[tuple[str, str], int] = {}
                for aid, status, count in found:
                    key = (str(names.get(aid, aid)), str(status))
                    counts[key] = counts.get(key, 0) + int(count)
            self._base = (floor, counts)
            return self._base

    def _add(self, name: object, status: object, count: int) -> None:
        key = (str(name), str(status))
        self._counts[key] = self._counts.get(key, 0) + count

    def read(self) -> dict[tuple[str, str], int]:
        c, a = checks_table, accounts_table
        joined = c.join(a, a.c.id == c.c.account_id)
        with self._lock:
            if self._floor is None:
                floor, counts = self._count_base()  # done, or being done: waits for it
                self._counts = dict(counts)
                self._floor = floor
            with self.store.engine.connect() as conn:
                rows = conn.execute(
                    select(c.c.id, a.c.name, c.c.status)
                    .select_from(joined)
                    .where(c.c.id > self._floor)
                ).all()
            newest = self._floor
            for ident, name, status in rows:
                newest = max(newest, int(ident))
                if ident not in self._recent:
                    self._recent.add(int(ident))
                    self._add(name, status, 1)
            self._floor = max(self._floor, newest - self.WINDOW)
            floor = self._floor
            self._recent = {i for i in self._recent if i > floor}
            return dict(self._counts)


#: The families ``/metrics`` lists, in order: (name, type, help).
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("topup_balance", "gauge", "Last known balance (of the last good check)."),
    ("topup_used", "gauge", "Last known amount used."),
    ("topup_runway_days", "gauge", "Days until the balance runs out at the 7-day spend."),
    ("topup_spend_per_day", "gauge", "Spend per day over the last 7 days."),
    (
        "topup_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last check that answered with the account's state.",
    ),
    ("topup_last_check_timestamp_seconds", "gauge", "Unix time of the last check."),
    ("topup_check_duration_seconds", "gauge", "Wall time of the last check."),
    ("topup_stale", "gauge", "1 when the last good value is older than allowed."),
    ("topup_checks_total", "counter", "Stored checks by outcome."),
    (
        "topup_window_left_percent",
        "gauge",
        "How much of a quota window is left, 0-100 (coding plans).",
    ),
    ("topup_window_resets_timestamp_seconds", "gauge", "Unix time a quota window resets."),
    ("topup_key_limit", "gauge", "A key's spending limit (per its period)."),
    (
        "topup_low",
        "gauge",
        "1 when the balance is below the account's min_balance, or it is exhausted.",
    ),
    (
        "topup_attention",
        "gauge",
        "1 when the account needs attention (failing, exhausted, low, short runway, "
        "a nearly used quota window, stale).",
    ),
)
(
    BALANCE,
    USED,
    RUNWAY,
    SPEND,
    SUCCESS,
    LAST_CHECK,
    DURATION,
    STALE,
    CHECKS,
    WINDOW_LEFT,
    WINDOW_RESETS,
    KEY_LIMIT,
    LOW,
    ATTENTION,
) = range(len(FAMILIES))


def _escape(value: str) -> str:
    """A label value in the text format (as prometheus-client escapes it)."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _value(value: float) -> str:
    """A sample value as Prometheus writes it (``1.5``, ``1e+21``, ``NaN``)."""
    return str(floatToGoString(value))  # type: ignore[no-untyped-call]


def _header(name: str, kind: str, text: str) -> str:
    text = text.replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {name} {text}\n# TYPE {name} {kind}\n"


def account_lines(v: AccountView, checks: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """One account's samples, per family (in :data:`FAMILIES` order)."""
    out: list[list[str]] = [[] for _ in FAMILIES]
    # Label names in alphabetical order, as prometheus-client writes them.
    head, tail = f'account="{_escape(v.name)}",currency="', f'",provider="{_escape(v.provider)}"'
    labels = f"{head}{_escape(v.currency or '')}{tail}"

    def add(family: int, value: float, more: str = "", base: str = labels) -> None:
        out[family].append(f"{FAMILIES[family][0]}{{{base}{more}}} {_value(value)}\n")

    point = v.last_good
    if point is not None and not point.unlimited:
        for entry in point.entries():  # one series per currency the account holds
            if entry.balance is not None:
                add(BALANCE, float(entry.balance), base=f"{head}{_escape(entry.currency)}{tail}")
        if not point.entries() and point.balance is not None:  # a unit nobody named
            add(BALANCE, float(point.balance))
        if point.used is not None:
            add(USED, float(point.used))
        if point.limit is not None:
            add(KEY_LIMIT, float(point.limit))
    for w in point.windows if point is not None else ():
        window = f',window="{_escape(w.name)}"'
        if w.left_percent is not None:
            add(WINDOW_LEFT, float(w.left_percent), window)
        if w.resets_at is not None:
            add(WINDOW_RESETS, w.resets_at.timestamp(), window)
    if v.summary.runway_days is not None:
        add(RUNWAY, float(v.summary.runway_days))
    if v.summary.spend_per_day is not None:
        add(SPEND, float(v.summary.spend_per_day))
    if v.last_good_at is not None:
        add(SUCCESS, v.last_good_at.timestamp())
    check = v.last_check
    if check is not None:
        add(LAST_CHECK, check.checked_at.timestamp())
        if check.duration is not None:
            add(DURATION, check.duration)
    add(STALE, 1.0 if v.stale else 0.0)
    add(LOW, 1.0 if v.attention.low else 0.0)
    add(ATTENTION, 1.0 if v.attention.needed else 0.0)
    for status, count in checks:
        add(CHECKS, float(count), f',status="{_escape(status)}"')
    return tuple("".join(lines) for lines in out)


class Metrics:
    """The ``/metrics`` text (Prometheus text format 0.0.4, values formatted by
    prometheus-client's ``floatToGoString``).

    The text is kept until the index changes (:attr:`Board.version`: every stored check moves
    it) or a ``stale`` flag flips with the clock. Each account's lines are kept too, while its
    view shows the same objects and its check counts are the same, so after a watcher round
    only the accounts it changed are formatted again.
    """

    def __init__(self, board: Board, documents: Documents | None = None) -> None:
        self.documents = documents or Documents(board)
        self.counts = CheckCounts(board.store)
        self._lock = threading.Lock()
        self._cached: tuple[int, object, bytes] | None = None
        self._lines: dict[str, tuple[tuple[object, ...], tuple[str, ...]]] = {}

    def _account(self, v: AccountView, checks: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
        key = (v.account, v.state, v.summary, v.stale)
        found = self._lines.get(v.name)
        if (
            found is not None
            and all(a is b for a, b in zip(found[0][:4], key, strict=True))
            and found[0][4] == checks
        ):
            return found[1]
        lines = account_lines(v, checks)
        self._lines[v.name] = ((*key, checks), lines)
        return lines

    def render(self) -> bytes:
        snap = self.documents.snapshot()
        with self._lock:
            if self._cached is not None and self._cached[:2] == (snap.version, snap.until):
                return self._cached[2]
            by_account: dict[str, list[tuple[str, int]]] = {}
            for (name, status), count in self.counts.read().items():
                by_account.setdefault(name, []).append((status, count))
            rows = [self._account(v, tuple(sorted(by_account.get(v.name, ())))) for v in snap.views]
            parts: list[str] = []
            for i, family in enumerate(FAMILIES):
                parts.append(_header(*family))
                parts.extend(row[i] for row in rows)
            text = "".join(parts).encode()
            self._cached = (snap.version, snap.until, text)
        self.documents.served()
        return text
