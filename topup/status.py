"""`topup status`: every account at a glance, from history alone (no network, no HTTP client).

:func:`read` turns the store's latest state of each account (its last check and last good
value, :meth:`topup.storage.Store.latest`) and a week of balance points (runway,
:mod:`topup.burn`) into an :class:`Overview`: the accounts that need attention first
(:func:`topup.attention.assess`, the same notion as the table, the API and the dashboard), the
totals per currency (accounts with ``totals = false`` left out) and the exit status of
``topup check`` (0 fine, 1 failing, 3 something needs money).

The accounts come from the config, read by :func:`read_setup` without the platform registry
(which would import the HTTP client): names, ``enabled``, ``min_balance``, ``interval``,
``totals`` and ``currency``, plus ``[storage] url`` and ``[ui] lang``. It does not validate the
config (``topup config check`` and every other command do); without a config file every
account in the history is summarised.

Example::

    setup = read_setup(None)
    with Store.open(setup.storage_url, migrate_schema=False) as store:
        overview = read(store, setup.accounts)
    print(len(overview.needing), overview.totals, overview.exit_code)
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from topup.account import Account
from topup.attention import Attention, Need, assess, stale_after
from topup.burn import PointLike, Sample, estimate, runway_days
from topup.config_values import decimal_setting, seconds_setting
from topup.i18n import normalize
from topup.model import Amounts, Status, utcnow
from topup.settings import database_url

if TYPE_CHECKING:
    from topup.storage import AccountState, Store

#: Exit statuses, as ``topup check`` has them (topup.cli.common).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOW = 3

#: Runway is estimated over this much history (as on the dashboard).
RUNWAY_WINDOW = timedelta(days=7)
#: Spend per day is reused this long between runs when a cache file is given (the week's window
#: moves slowly; the dashboard recomputes its summaries as often). Runways are recomputed
#: from each run's latest balance.
SPEND_TTL = timedelta(minutes=10)
#: Reasons that make ``topup status`` exit 3 (something needs money, now or soon).
MONEY = frozenset({Need.EXHAUSTED, Need.LOW, Need.RUNWAY})
#: The environment variable naming the config file (as in :mod:`topup.config`).
CONFIG_ENV = "TOPUP_CONFIG"


class SetupError(Exception):
    """The config file cannot be read for a summary (missing when named, not TOML, a value of
    the wrong type)."""


@dataclass(frozen=True, slots=True)
class Setup:
    """What ``topup status`` needs of the config."""

    path: Path | None
    #: The enabled accounts (None: no config file or no accounts in it, summarise every
    #: account in the history).
    accounts: tuple[Account, ...] | None
    storage_url: str | None = None
    lang: str | None = None


def config_path(explicit: Path | None, env: Mapping[str, str] | None = None) -> Path:
    """``--config``, else ``$TOPUP_CONFIG``, else the user config dir (as
    :func:`topup.config.locate` finds it)."""
    if explicit is not None:
        return explicit
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    import platformdirs

    return platformdirs.user_config_path("topup") / "config.toml"


def read_setup(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Setup:
    """The accounts, history URL and language of the config (see the module docstring).

    A missing config file is an error only when it was named (``--config``, ``$TOPUP_CONFIG``).
    """
    env = os.environ if env is None else env
    path = config_path(explicit, env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit is not None or env.get(CONFIG_ENV):
            raise SetupError(f"config file not found: {path}") from None
        return Setup(None, None)
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read config {path}: {exc}") from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SetupError(f"{path}: not valid TOML: {exc}") from None
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list):
        raise SetupError(f"{path}: accounts must be [[accounts]] tables")
    accounts = tuple(a for a in (_account(raw, path) for raw in raw_accounts) if a.enabled)
    storage, ui = data.get("storage"), data.get("ui")
    url = storage.get("url") if isinstance(storage, dict) else None
    lang = ui.get("lang") if isinstance(ui, dict) else None
    return Setup(
        path,
        accounts if raw_accounts else None,
        storage_url=None if not isinstance(url, str) or not url else database_url(url),
        lang=normalize(lang) if isinstance(lang, str) else None,
    )


def _account(raw: Any, path: Path) -> Account:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise SetupError(f"{path}: every [[accounts]] table needs a name")
    name = raw["name"]

    def wrong(key: str) -> SetupError:
        return SetupError(f"{path}: account {name!r}: {key} has the wrong type")

    for key in ("enabled", "totals"):
        if not isinstance(raw.get(key, True), bool):
            raise wrong(key)

    def setting_error(message: str, hint: str | None = None, *, key: str | None = None) -> Any:
        # raised by the config's checks below in place of their ConfigError
        return SetupError(f"{path}: account {name!r}: {message}")

    # the config's own checks of these values (topup.config_values: light to import)
    min_balance = decimal_setting(raw, "min_balance", setting_error)
    interval = seconds_setting(raw, "interval", setting_error)
    currency = raw.get("currency")
    provider = raw.get("provider")
    return Account(
        name=name,
        provider=provider if isinstance(provider, str) else "",
        currency=currency.upper() if isinstance(currency, str) else None,
        min_balance=min_balance,
        enabled=raw.get("enabled", True),
        interval=interval,
        totals=raw.get("totals", True),
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """One account in the summary."""

    account: Account
    #: The latest check's status (None: never checked).
    status: Status | None
    #: The last good value (kept while checks fail; None: none yet).
    last_good: Amounts | None
    last_good_at: datetime | None
    runway_days: Decimal | None
    attention: Attention
    #: The week's trend (:class:`Trend`; unknown without a week of points read).
    trend: Trend | None = None

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def failing(self) -> bool:
        return Need.FAILING in self.attention.reasons

    @property
    def needs_money(self) -> bool:
        return bool(MONEY.intersection(self.attention.reasons))


@dataclass(frozen=True, slots=True)
class Trend:
    """How a balance moved over the last week, in its latest currency (as on the dashboard)."""

    change_24h: Decimal | None
    change_7d: Decimal | None
    spend_per_day: Decimal | None
    runway_days: Decimal | None
    #: The currency of the spend (the latest point's).
    currency: str | None = None


def trend(points: Sequence[PointLike], now: datetime) -> Trend:
    """Changes over 24 h and 7 d (latest balance minus the one in effect then), spend per day
    and runway (:func:`topup.burn.estimate`) of a week of points, the prior one included."""
    known = [p for p in points if p.balance is not None and not p.unlimited]
    good = [p for p in known if p.currency == known[-1].currency] if known else []
    est = estimate(points, window=RUNWAY_WINDOW, now=now)

    def change(since: datetime) -> Decimal | None:
        before = [p.balance for p in good if p.at <= since]
        latest = good[-1].balance if good else None
        return None if not before or latest is None or before[-1] is None else latest - before[-1]

    return Trend(
        change(now - timedelta(days=1)),
        change(now - RUNWAY_WINDOW),
        est.spend_per_day,
        est.runway_days,
        est.currency,
    )


def _order(entry: Entry) -> tuple[int, Decimal, str]:
    runway = entry.runway_days if entry.runway_days is not None else Decimal("Infinity")
    return (entry.attention.rank, runway, entry.name)


@dataclass(frozen=True, slots=True)
class Overview:
    """Every account's entry: those needing attention first (most urgent reason, then the
    shortest runway), then the rest, each group by name."""

    entries: tuple[Entry, ...]
    at: datetime

    @property
    def needing(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.attention.needed)

    @property
    def fine(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.attention.needed)

    @property
    def recorded(self) -> bool:
        """True when the history holds a check of at least one of the accounts."""
        return any(e.status is not None for e in self.entries)

    @property
    def totals(self) -> dict[str, Decimal]:
        """Per currency (sorted by code), the last good balances (:meth:`Account.counted`)."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for e in self.entries:
            for entry in e.account.counted(e.last_good):
                assert entry.balance is not None
                sums[entry.currency] += entry.balance
        return dict(sorted(sums.items()))

    @property
    def exit_code(self) -> int:
        """1 when an account is failing, else 3 when one needs money (exhausted, disabled, low
        or a short runway), else 0."""
        if any(e.failing for e in self.entries):
            return EXIT_FAILED
        if any(e.needs_money for e in self.entries):
            return EXIT_LOW
        return EXIT_OK


def summarize(
    accounts: Sequence[Account],
    states: Mapping[str, AccountState],
    trends: Mapping[str, Trend],
    now: datetime,
) -> Overview:
    """The overview of ``accounts`` from their stored states and trends (pure)."""
    entries = []
    for account in accounts:
        state = states.get(account.name)
        check = None if state is None else state.last_check
        good = None if state is None else state.last_good
        good_at = None if state is None else state.last_good_at
        stale = good_at is None or now - good_at > stale_after(account)
        moved = trends.get(account.name)
        runway = None if moved is None else moved.runway_days
        status = None if check is None else check.status
        needs = assess(account, status, good, runway_days=runway, stale=stale)
        entries.append(Entry(account, status, good, good_at, runway, needs, moved))
    return Overview(tuple(sorted(entries, key=_order)), now)


def read(
    store: Store,
    accounts: Sequence[Account] | None = None,
    *,
    now: datetime | None = None,
    runway: bool = True,
    cache: Path | None = None,
) -> Overview:
    """The overview of ``accounts`` (None: every account in the history) from ``store``: one
    query for the latest states and, with ``runway``, one batch of a week's balance points
    (runways and the :class:`Trend` of each entry). With a ``cache`` file, the spend per day
    it holds is reused for :data:`SPEND_TTL` instead of reading the week again (entries then
    carry the spend and runway, not the changes)."""
    now = now or utcnow()
    if accounts is None:
        states = {s.account.name: s for s in store.latest()}
        accounts = [Account(name=n, provider=s.account.provider) for n, s in states.items()]
    else:
        states = {s.account.name: s for s in store.latest([a.name for a in accounts])}
    trends: dict[str, Trend] = {}
    with_value = [n for n, s in states.items() if s.last_good is not None]
    cached = _cached_spend(cache, now, with_value) if cache and runway and with_value else None
    if cached is not None:
        for name, (currency, spend) in cached.items():
            good = states[name].last_good
            usable = good is not None and not good.unlimited and good.currency == currency
            balance = good.balance if usable and good is not None else None
            trends[name] = Trend(None, None, spend, runway_days(balance, spend), currency)
    elif runway and with_value:
        for name, rows in store.trend_points(now - RUNWAY_WINDOW, with_value):
            points = [Sample(at, balance, unlimited, cur) for at, cur, balance, unlimited in rows]
            trends[name] = trend(points, now)
        if cache is not None:
            _keep_spend(cache, now, trends)
    return summarize(accounts, states, trends, now)


def _cached_spend(
    path: Path, now: datetime, names: Sequence[str]
) -> dict[str, tuple[str | None, Decimal | None]] | None:
    """The spend per day (and its currency) of ``names`` kept in ``path`` within
    :data:`SPEND_TTL`; None when the file is missing, old, unreadable or lacks a name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(data["at"])
        if data.get("version") != 1 or not now - SPEND_TTL <= at <= now:
            return None
        spend = data["spend"]
        return {
            n: (spend[n][0], None if spend[n][1] is None else Decimal(spend[n][1])) for n in names
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError, InvalidOperation):
        return None


def _keep_spend(path: Path, now: datetime, trends: Mapping[str, Trend]) -> None:
    """Write the spend per day of ``trends`` to ``path`` (atomically; never fails the run)."""
    spend = {
        n: [t.currency, None if t.spend_per_day is None else str(t.spend_per_day)]
        for n, t in trends.items()
    }
    document = json.dumps({"version": 1, "at": now.isoformat(), "spend": spend})
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(document, encoding="utf-8")
        os.replace(partial, path)
