"""The sandbox's state: sites, accounts, keys (SQLite-backed, indexed in memory) and faults.

Every lookup a balance request needs is a dict lookup; SQLite is written only when something
changes through the Python/admin API, plus a periodic :meth:`SandboxState.flush` of request
counters. Balances that fall at a spend rate are computed lazily from the elapsed time.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import string
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from topup.sandbox.faults import Fault, FaultKind, FaultPlan, consume
from topup.sandbox.money import dec, to_quota, utcnow

Dialect = Literal["siliconflow", "newapi"]
DIALECTS: tuple[str, ...] = ("siliconflow", "newapi")
DISPLAYS: tuple[str, ...] = ("USD", "CNY", "TOKENS")
NAMED_ERAS: tuple[str, ...] = ("oneapi", "newapi", "newest")

ENABLED = 1
DISABLED = 2

MAX_MONEY = Decimal(10**15)  # bound of every money amount (exclusive)
MAX_QUOTA = 10**18  # bound of every raw quota amount (exclusive; int64-sized)
ID_PATTERN = re.compile(r"[0-9]{1,18}")  # account ids: ASCII digits, bounded length
MICROS_PER_HOUR = 3_600_000_000
SF_UNITS = 10_000  # SiliconFlow amounts move in 0.0001 steps


class SandboxError(ValueError):
    """A bad request to the state API (unknown site, duplicate, bad setting)."""


class NotFoundError(SandboxError):
    pass


def money(value: Decimal | str | int, what: str = "amount") -> Decimal:
    """A finite Decimal of bounded magnitude (|x| < 10**15), else :class:`SandboxError`."""
    try:
        amount = dec(value)
    except (ArithmeticError, ValueError) as exc:
        raise SandboxError(f"{what} is not a number") from exc
    if not amount.is_finite() or abs(amount) >= MAX_MONEY:
        raise SandboxError(f"{what} must be finite and below 10**15 in magnitude")
    return amount


def quota_amount(value: int, what: str = "quota") -> int:
    """A raw quota amount of bounded magnitude (|x| < 10**18), else :class:`SandboxError`."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= MAX_QUOTA:
        raise SandboxError(f"{what} must be an integer below 10**18 in magnitude")
    return value


def check_id(ident: str) -> str:
    if not ID_PATTERN.fullmatch(ident):
        raise SandboxError("account ids are 1 to 18 ASCII digits")
    return ident


def check_era(era: str) -> str:
    if era in NAMED_ERAS:
        return era
    if era.startswith("header:") and len(era) > len("header:"):
        return era
    raise SandboxError(f"unknown auth_era {era!r}: oneapi, newapi, newest or header:<Name>")


def _token(n: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _sf_key() -> str:
    return "sk-" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(48))


def _sk() -> str:
    return "sk-" + _token(48)


@dataclass(slots=True)
class Site:
    name: str
    dialect: str
    quota_per_unit: int = 500000
    display: str = "USD"
    usd_exchange_rate: Decimal = Decimal("7.3")
    auth_era: str = "newapi"
    token_usage: bool | None = None  # None: off for the oneapi era, on otherwise
    echo_access_token: bool = False  # AIHubMix-style: user/self echoes the access token

    @property
    def has_token_usage(self) -> bool:
        if self.token_usage is None:
            return self.auth_era != "oneapi"
        return self.token_usage

    @property
    def user_header(self) -> str | None:
        if self.auth_era == "newapi":
            return "New-Api-User"
        if self.auth_era.startswith("header:"):
            return self.auth_era.split(":", 1)[1]
        return None

    @property
    def money_rate(self) -> Decimal:
        """Multiplier from USD to the site's displayed money (CNY display uses the rate)."""
        return self.usd_exchange_rate if self.display == "CNY" else Decimal(1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dialect": self.dialect,
            "quota_per_unit": self.quota_per_unit,
            "display": self.display,
            "usd_exchange_rate": str(self.usd_exchange_rate),
            "auth_era": self.auth_era,
            "token_usage": self.token_usage,
            "echo_access_token": self.echo_access_token,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Site:
        return cls(
            name=data["name"],
            dialect=data["dialect"],
            quota_per_unit=int(data.get("quota_per_unit", 500000)),
            display=data.get("display", "USD"),
            usd_exchange_rate=Decimal(str(data.get("usd_exchange_rate", "7.3"))),
            auth_era=data.get("auth_era", "newapi"),
            token_usage=data.get("token_usage"),
            echo_access_token=bool(data.get("echo_access_token", False)),
        )


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(slots=True)
class Account:
    """A user account: SiliconFlow (granted/paid money) or new-api (quota units)."""

    site: str
    id: str
    token: str
    username: str = ""
    quota: int = 0
    used_quota: int = 0
    request_count: int = 0
    status: int = ENABLED
    granted: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    spend_rate: Decimal = Decimal(0)  # money per hour (USD for new-api quota)
    rate_since: datetime | None = None
    rate_spent: int = 0  # units of the spend rate already folded into the amounts
    token_expires_at: int | None = None  # unix seconds; newest era answers AUTH_TOKEN_EXPIRED
    group: str = "default"
    created_at: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "id": self.id,
            "token": self.token,
            "username": self.username,
            "quota": self.quota,
            "used_quota": self.used_quota,
            "request_count": self.request_count,
            "status": self.status,
            "granted": str(self.granted),
            "paid": str(self.paid),
            "spend_rate": str(self.spend_rate),
            "rate_since": _ts(self.rate_since),
            "rate_spent": self.rate_spent,
            "token_expires_at": self.token_expires_at,
            "group": self.group,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Account:
        return cls(
            site=d["site"],
            id=str(d["id"]),
            token=d["token"],
            username=d.get("username", ""),
            quota=int(d.get("quota", 0)),
            used_quota=int(d.get("used_quota", 0)),
            request_count=int(d.get("request_count", 0)),
            status=int(d.get("status", ENABLED)),
            granted=Decimal(d.get("granted", "0")),
            paid=Decimal(d.get("paid", "0")),
            spend_rate=Decimal(d.get("spend_rate", "0")),
            rate_since=_parse_ts(d.get("rate_since")),
            rate_spent=int(d.get("rate_spent", 0)),
            token_expires_at=d.get("token_expires_at"),
            group=d.get("group", "default"),
            created_at=int(d.get("created_at", 0)),
        )


@dataclass(slots=True)
class Key:
    """A new-api ``sk-`` key with its own quota."""

    site: str
    key: str
    name: str = ""
    remain: int = 0
    used: int = 0
    unlimited: bool = False
    expires_at: int = -1  # unix seconds; -1 never
    status: int = ENABLED
    spend_rate: Decimal = Decimal(0)
    rate_since: datetime | None = None
    rate_spent: int = 0  # quota units of the spend rate already folded into the amounts

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "key": self.key,
            "name": self.name,
            "remain": self.remain,
            "used": self.used,
            "unlimited": self.unlimited,
            "expires_at": self.expires_at,
            "status": self.status,
            "spend_rate": str(self.spend_rate),
            "rate_since": _ts(self.rate_since),
            "rate_spent": self.rate_spent,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Key:
        return cls(
            site=d["site"],
            key=d["key"],
            name=d.get("name", ""),
            remain=int(d.get("remain", 0)),
            used=int(d.get("used", 0)),
            unlimited=bool(d.get("unlimited", False)),
            expires_at=int(d.get("expires_at", -1)),
            status=int(d.get("status", ENABLED)),
            spend_rate=Decimal(d.get("spend_rate", "0")),
            rate_since=_parse_ts(d.get("rate_since")),
            rate_spent=int(d.get("rate_spent", 0)),
        )


@dataclass(frozen=True, slots=True)
class QuotaView:
    """Balance of a new-api account or key at one instant (spend rate applied)."""

    remain: int
    used: int


@dataclass(frozen=True, slots=True)
class MoneyView:
    """Balance of a SiliconFlow account at one instant (spend rate applied)."""

    granted: Decimal
    paid: Decimal

    @property
    def total(self) -> Decimal:
        return self.granted + self.paid


FaultTarget = tuple[str, str, str]  # (site, "site"|"account"|"key", ident)


@dataclass
class SandboxState:
    """All sandbox state. Thread-safe enough for one server thread plus test threads."""

    path: str | Path | None = None
    clock: Callable[[], datetime] = utcnow
    sites: dict[str, Site] = field(default_factory=dict)
    faults: dict[FaultTarget, list[Fault]] = field(default_factory=dict)
    _accounts: dict[tuple[str, str], Account] = field(default_factory=dict)
    _by_token: dict[tuple[str, str], Account] = field(default_factory=dict)
    _keys: dict[tuple[str, str], Key] = field(default_factory=dict)
    _dirty: set[tuple[str, str]] = field(default_factory=set)
    _next_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        # faults have their own short-held lock so requests never wait on a bulk admin call
        self._faults_lock = threading.Lock()
        self._clock_lock = threading.Lock()
        self._high_water: datetime | None = None
        target = str(self.path) if self.path is not None else ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path else "PRAGMA journal_mode=MEMORY")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, site TEXT NOT NULL,"
            " ident TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, site, ident))"
        )
        self._load()

    # ---------------------------------------------------------------- persistence
    def _load(self) -> None:
        rows = self._db.execute("SELECT kind, data FROM objects ORDER BY kind DESC").fetchall()
        for kind, raw in rows:
            data = json.loads(raw)
            if kind == "site":
                site = Site.from_dict(data)
                self.sites[site.name] = site
        for kind, raw in rows:
            data = json.loads(raw)
            if kind == "account":
                self._index_account(Account.from_dict(data))
            elif kind == "key":
                key = Key.from_dict(data)
                self._keys[(key.site, key.key)] = key

    def _write(self, items: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        with self._lock:
            rows = [(k, s, i, json.dumps(d, separators=(",", ":"))) for k, s, i, d in items]
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO objects (kind, site, ident, data) VALUES (?,?,?,?)",
                    rows,
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _save_account(self, acc: Account) -> None:
        self._dirty.discard((acc.site, acc.id))
        self._write([("account", acc.site, acc.id, acc.to_dict())])

    def _save_key(self, key: Key) -> None:
        self._write([("key", key.site, key.key, key.to_dict())])

    def has_dirty(self) -> bool:
        """Whether request counters await a flush (lock-free: a hint, not a promise)."""
        return bool(self._dirty)

    def flush(self) -> int:
        """Write request counters changed since the last flush. Returns how many rows.

        Takes no lock when nothing is dirty. The dirty set is drained with ``set.pop`` (atomic)
        rather than swapped, so a :meth:`bump` racing from the event loop is never lost.
        """
        if not self._dirty:
            return 0
        dirty: list[tuple[str, str]] = []
        while True:
            try:
                dirty.append(self._dirty.pop())
            except KeyError:
                break
        if not dirty:
            return 0
        with self._lock:
            accs = [self._accounts[d] for d in dirty if d in self._accounts]
            try:
                self._write([("account", a.site, a.id, a.to_dict()) for a in accs])
            except BaseException:
                self._dirty.update(dirty)
                raise
            return len(accs)

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._db.close()

    # ---------------------------------------------------------------- sites
    def add_site(
        self,
        name: str,
        dialect: str,
        *,
        quota_per_unit: int = 500000,
        display: str = "USD",
        usd_exchange_rate: Decimal | str | int = "7.3",
        auth_era: str = "newapi",
        token_usage: bool | None = None,
        echo_access_token: bool = False,
        replace: bool = False,
    ) -> Site:
        if not name or "/" in name or name.startswith("_"):
            raise SandboxError(f"bad site name {name!r}")
        if dialect not in DIALECTS:
            raise SandboxError(f"unknown dialect {dialect!r}: {', '.join(DIALECTS)}")
        if display not in DISPLAYS:
            raise SandboxError(f"unknown display {display!r}: {', '.join(DISPLAYS)}")
        if quota_per_unit <= 0:
            raise SandboxError("quota_per_unit must be positive")
        rate = money(usd_exchange_rate, "usd_exchange_rate")
        if rate <= 0:
            raise SandboxError("usd_exchange_rate must be positive")
        site = Site(
            name=name,
            dialect=dialect,
            quota_per_unit=quota_per_unit,
            display=display,
            usd_exchange_rate=rate,
            auth_era=check_era(auth_era),
            token_usage=token_usage,
            echo_access_token=echo_access_token,
        )
        with self._lock:
            if name in self.sites:
                if not replace:
                    raise SandboxError(f"site {name!r} exists")
                self._drop_site(name)
            self.sites[name] = site
            self._write([("site", name, name, site.to_dict())])
        return site

    def _drop_site(self, name: str) -> None:
        """Forget a site with its accounts, keys and faults (``add_site(replace=True)``)."""
        for k in [k for k in self._accounts if k[0] == name]:
            acc = self._accounts.pop(k)
            self._by_token.pop((name, acc.token), None)
            self._dirty.discard(k)
        for k in [k for k in self._keys if k[0] == name]:
            del self._keys[k]
        with self._faults_lock:
            for t in [t for t in self.faults if t[0] == name]:
                del self.faults[t]
        self._next_id.pop(name, None)
        self.sites.pop(name, None)
        self._db.execute("DELETE FROM objects WHERE site = ?", (name,))

    def site(self, name: str) -> Site:
        try:
            return self.sites[name]
        except KeyError:
            raise NotFoundError(f"unknown site {name!r}") from None

    # ---------------------------------------------------------------- accounts
    def _index_account(self, acc: Account) -> None:
        self._accounts[(acc.site, acc.id)] = acc
        self._by_token[(acc.site, acc.token)] = acc
        if ID_PATTERN.fullmatch(acc.id):
            n = int(acc.id)
            if n >= self._next_id.get(acc.site, 1):
                self._next_id[acc.site] = n + 1

    def _new_account(
        self,
        site_name: str,
        *,
        id: str | int | None,
        token: str | None,
        quota: int | None,
        used_quota: int,
        balance: Decimal | str | int | None,
        granted: Decimal | str | int,
        paid: Decimal | str | int,
        status: int,
        request_count: int,
        username: str | None,
        token_expires_at: int | None,
    ) -> Account:
        """A validated, NOT yet indexed account (index it only once it is written)."""
        site = self.site(site_name)
        ident = check_id(str(self._next_id.get(site_name, 1)) if id is None else str(id))
        if (site_name, ident) in self._accounts:
            raise SandboxError(f"account {ident} exists on {site_name}")
        if token is None:
            token = _sf_key() if site.dialect == "siliconflow" else _token()
        if (site_name, token) in self._by_token:
            raise SandboxError("token already in use on this site")
        if status not in (ENABLED, DISABLED):
            raise SandboxError("status is 1 (enabled) or 2 (disabled)")
        if quota is None:
            quota = self._quota_of(site, balance)
        acc = Account(
            site=site_name,
            id=ident,
            token=token,
            username=username or f"user{ident}",
            quota=quota_amount(quota),
            used_quota=quota_amount(used_quota, "used_quota"),
            request_count=request_count,
            status=status,
            granted=money(granted, "granted"),
            paid=money(paid, "paid"),
            token_expires_at=token_expires_at,
            created_at=int(self.clock().timestamp()),
        )
        return acc

    @staticmethod
    def _quota_of(site: Site, balance: Decimal | str | int | None) -> int:
        if balance is None:
            return 0
        return quota_amount(to_quota(money(balance, "balance"), site.quota_per_unit))

    def add_account(
        self,
        site: str,
        *,
        id: str | int | None = None,
        token: str | None = None,
        quota: int | None = None,
        used_quota: int = 0,
        balance: Decimal | str | int | None = None,
        granted: Decimal | str | int = 0,
        paid: Decimal | str | int = 0,
        status: int = ENABLED,
        request_count: int = 0,
        username: str | None = None,
        token_expires_at: int | None = None,
    ) -> Account:
        """Create an account. new-api: ``quota`` (raw units) or ``balance`` (USD money);
        SiliconFlow: ``granted`` (gift) and ``paid`` (charged) amounts."""
        with self._lock:
            acc = self._new_account(
                site,
                id=id,
                token=token,
                quota=quota,
                used_quota=used_quota,
                balance=balance,
                granted=granted,
                paid=paid,
                status=status,
                request_count=request_count,
                username=username,
                token_expires_at=token_expires_at,
            )
            self._save_account(acc)
            self._index_account(acc)
        return acc

    def bulk_accounts(
        self,
        site: str,
        count: int,
        *,
        quota: int | None = None,
        balance: Decimal | str | int | None = None,
        granted: Decimal | str | int = 0,
        paid: Decimal | str | int = 0,
    ) -> list[Account]:
        """Create ``count`` accounts in one transaction (benchmarks)."""
        if count < 0 or count > 1_000_000:
            raise SandboxError("count out of range")
        with self._lock:
            first = self._next_id.get(site, 1)
            made = [
                self._new_account(
                    site,
                    id=first + i,
                    token=None,
                    quota=quota,
                    used_quota=0,
                    balance=balance,
                    granted=granted,
                    paid=paid,
                    status=ENABLED,
                    request_count=0,
                    username=None,
                    token_expires_at=None,
                )
                for i in range(count)
            ]
            if len({a.token for a in made}) != len(made):
                raise SandboxError("token collision; try again")
            self._write([("account", a.site, a.id, a.to_dict()) for a in made])
            for a in made:
                self._index_account(a)
        return made

    def account(self, site: str, id: str | int) -> Account:
        try:
            return self._accounts[(site, str(id))]
        except KeyError:
            raise NotFoundError(f"unknown account {id} on {site!r}") from None

    def account_by_token(self, site: str, token: str) -> Account | None:
        return self._by_token.get((site, token))

    def list_accounts(self, site: str | None = None) -> list[Account]:
        with self._lock:
            return [a for a in self._accounts.values() if site is None or a.site == site]

    def set_account(
        self,
        site: str,
        id: str | int,
        *,
        status: int | None = None,
        token_expires_at: int | None = None,
    ) -> Account:
        with self._lock:
            acc = self.account(site, id)
            if status is not None:
                if status not in (ENABLED, DISABLED):
                    raise SandboxError("status is 1 (enabled) or 2 (disabled)")
                acc.status = status
            if token_expires_at is not None:
                acc.token_expires_at = token_expires_at if token_expires_at > 0 else None
            self._save_account(acc)
        return acc

    def bump(self, acc: Account) -> None:
        """Count one answered request (persisted by the next :meth:`flush`)."""
        acc.request_count += 1
        self._dirty.add((acc.site, acc.id))

    # ---------------------------------------------------------------- keys
    def _new_key(
        self,
        site_name: str,
        *,
        key: str | None,
        remain: int | None,
        balance: Decimal | str | int | None,
        used: int,
        unlimited: bool,
        expires_at: int,
        name: str | None,
        status: int,
        ordinal: int = 0,
    ) -> Key:
        """A validated, NOT yet indexed key (index it only once it is written)."""
        site = self.site(site_name)
        if site.dialect != "newapi":
            raise SandboxError("sk- keys exist only on new-api sites")
        key = key or _sk()
        if (site_name, key) in self._keys:
            raise SandboxError("key exists")
        if status not in (ENABLED, DISABLED):
            raise SandboxError("status is 1 (enabled) or 2 (disabled)")
        if remain is None:
            remain = self._quota_of(site, balance)
        return Key(
            site=site_name,
            key=key,
            name=name or f"key-{len(self._keys) + ordinal + 1}",
            remain=quota_amount(remain, "remain"),
            used=quota_amount(used, "used"),
            unlimited=unlimited,
            expires_at=expires_at,
            status=status,
        )

    def add_key(
        self,
        site: str,
        *,
        key: str | None = None,
        remain: int | None = None,
        balance: Decimal | str | int | None = None,
        used: int = 0,
        unlimited: bool = False,
        expires_at: int = -1,
        name: str | None = None,
        status: int = ENABLED,
    ) -> Key:
        """Create an ``sk-`` key: ``remain`` (raw quota) or ``balance`` (USD money)."""
        with self._lock:
            k = self._new_key(
                site,
                key=key,
                remain=remain,
                balance=balance,
                used=used,
                unlimited=unlimited,
                expires_at=expires_at,
                name=name,
                status=status,
            )
            self._save_key(k)
            self._keys[(k.site, k.key)] = k
        return k

    def bulk_keys(
        self,
        site: str,
        count: int,
        *,
        remain: int | None = None,
        balance: Decimal | str | int | None = None,
        unlimited: bool = False,
    ) -> list[Key]:
        if count < 0 or count > 1_000_000:
            raise SandboxError("count out of range")
        with self._lock:
            made = [
                self._new_key(
                    site,
                    key=None,
                    remain=remain,
                    balance=balance,
                    used=0,
                    unlimited=unlimited,
                    expires_at=-1,
                    name=None,
                    status=ENABLED,
                    ordinal=i,
                )
                for i in range(count)
            ]
            if len({k.key for k in made}) != len(made):
                raise SandboxError("key collision; try again")
            self._write([("key", k.site, k.key, k.to_dict()) for k in made])
            for k in made:
                self._keys[(k.site, k.key)] = k
        return made

    def key(self, site: str, key: str) -> Key:
        try:
            return self._keys[(site, key)]
        except KeyError:
            raise NotFoundError(f"unknown key on {site!r}") from None

    def find_key(self, site: str, key: str) -> Key | None:
        return self._keys.get((site, key))

    def list_keys(self, site: str | None = None) -> list[Key]:
        with self._lock:
            return [k for k in self._keys.values() if site is None or k.site == site]

    # ---------------------------------------------------------------- balances
    def _now(self) -> datetime:
        """The state's clock, never going backwards (a wall-clock step back freezes time
        for spend rates instead of raising balances)."""
        now = self.clock()
        with self._clock_lock:
            if self._high_water is not None and now < self._high_water:
                return self._high_water
            self._high_water = now
            return now

    def now_ts(self) -> int:
        """Unix seconds on the state's (injectable) clock: key and token expiry."""
        return int(self.clock().timestamp())

    @staticmethod
    def _elapsed_micros(since: datetime | None, now: datetime) -> int:
        if since is None:
            return 0
        delta = now - since
        micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        return max(micros, 0)

    def _rate_scale(self, obj: Account | Key) -> int:
        """How many units one unit of money is: 0.0001 steps (SiliconFlow) or quota units."""
        site = self.sites[obj.site]
        if isinstance(obj, Account) and site.dialect == "siliconflow":
            return SF_UNITS
        return site.quota_per_unit

    def _rate_due(self, obj: Account | Key, now: datetime) -> int:
        """Units the spend rate has cost since ``rate_since`` but not yet folded in.

        Exact integer maths: ``floor(rate * scale * micros / micros_per_hour)`` with the rate
        as an integer ratio (multiply before dividing), minus what was already folded in.
        """
        if obj.spend_rate == 0 or obj.rate_since is None:
            return 0
        num, den = obj.spend_rate.as_integer_ratio()
        micros = self._elapsed_micros(obj.rate_since, now)
        total = (num * self._rate_scale(obj) * micros) // (den * MICROS_PER_HOUR)
        return max(total - obj.rate_spent, 0)

    def quota_view(self, obj: Account | Key, now: datetime | None = None) -> QuotaView:
        now = now or self._now()
        spent = self._rate_due(obj, now)
        if isinstance(obj, Account):
            return QuotaView(remain=obj.quota - spent, used=obj.used_quota + spent)
        return QuotaView(remain=obj.remain - spent, used=obj.used + spent)

    def money_view(self, acc: Account, now: datetime | None = None) -> MoneyView:
        now = now or self._now()
        due = self._rate_due(acc, now)
        spent = Decimal(due).scaleb(-4) if due else Decimal(0)
        return _spend_money(acc.granted, acc.paid, spent)

    def _materialize(self, obj: Account | Key, now: datetime) -> None:
        """Fold the spend rate's effect so far into the stored amounts. The clock keeps
        running: only the whole units folded in are recorded (``rate_spent``), so the
        not-yet-rounded remainder is never dropped however many admin calls there are."""
        if obj.spend_rate == 0 or obj.rate_since is None:
            obj.rate_since = None
            obj.rate_spent = 0
            return
        due = self._rate_due(obj, now)
        if due == 0:
            return
        site = self.sites[obj.site]
        if isinstance(obj, Account) and site.dialect == "siliconflow":
            view = self.money_view(obj, now)
            obj.granted, obj.paid = view.granted, view.paid
        else:
            q = self.quota_view(obj, now)
            if isinstance(obj, Account):
                obj.quota, obj.used_quota = q.remain, q.used
            else:
                obj.remain, obj.used = q.remain, q.used
        obj.rate_spent += due

    def _target(self, site: str, account: str | int | None, key: str | None) -> Account | Key:
        if (account is None) == (key is None):
            raise SandboxError("give exactly one of account or key")
        if key is not None:
            return self.key(site, key)
        assert account is not None
        return self.account(site, account)

    def _save(self, obj: Account | Key) -> None:
        if isinstance(obj, Account):
            self._save_account(obj)
        else:
            self._save_key(obj)

    def set_balance(
        self,
        site: str,
        *,
        account: str | int | None = None,
        key: str | None = None,
        quota: int | None = None,
        used: int | None = None,
        balance: Decimal | str | int | None = None,
        granted: Decimal | str | int | None = None,
        paid: Decimal | str | int | None = None,
        unlimited: bool | None = None,
    ) -> Account | Key:
        """Set amounts. new-api: ``quota`` (raw) or ``balance`` (USD money), optional ``used``;
        SiliconFlow: ``granted`` and/or ``paid``."""
        with self._lock:
            obj = self._target(site, account, key)
            s = self.sites[site]
            # validate everything before changing anything
            new_granted = money(granted, "granted") if granted is not None else None
            new_paid = money(paid, "paid") if paid is not None else None
            new_balance = money(balance, "balance") if balance is not None else None
            if quota is None and new_balance is not None and s.dialect != "siliconflow":
                quota = to_quota(new_balance, s.quota_per_unit)
            if quota is not None:
                quota = quota_amount(quota)
            if used is not None:
                used = quota_amount(used, "used")
            self._materialize(obj, self._now())
            if s.dialect == "siliconflow":
                assert isinstance(obj, Account)
                if new_granted is not None:
                    obj.granted = new_granted
                if new_paid is not None:
                    obj.paid = new_paid
                if new_balance is not None and new_granted is None and new_paid is None:
                    obj.granted, obj.paid = Decimal(0), new_balance
            else:
                if isinstance(obj, Account):
                    if quota is not None:
                        obj.quota = quota
                    if used is not None:
                        obj.used_quota = used
                else:
                    if quota is not None:
                        obj.remain = quota
                    if used is not None:
                        obj.used = used
                    if unlimited is not None:
                        obj.unlimited = unlimited
            self._save(obj)
        return obj

    def spend(
        self,
        site: str,
        *,
        account: str | int | None = None,
        key: str | None = None,
        amount: Decimal | str | int | None = None,
        quota: int | None = None,
    ) -> Account | Key:
        """Spend now: ``amount`` in money (SiliconFlow: site currency; new-api: USD) or
        ``quota`` raw units (new-api)."""
        with self._lock:
            obj = self._target(site, account, key)
            s = self.sites[site]
            value = money(amount) if amount is not None else None
            if s.dialect == "siliconflow":
                if value is None:
                    raise SandboxError("SiliconFlow spends take an amount")
            else:
                if quota is None:
                    if value is None:
                        raise SandboxError("give amount or quota")
                    quota = to_quota(value, s.quota_per_unit)
                quota = quota_amount(quota)
            self._materialize(obj, self._now())
            if s.dialect == "siliconflow":
                assert isinstance(obj, Account) and value is not None
                view = _spend_money(obj.granted, obj.paid, value)
                obj.granted, obj.paid = view.granted, view.paid
            else:
                assert quota is not None
                if isinstance(obj, Account):
                    obj.quota -= quota
                    obj.used_quota += quota
                else:
                    obj.remain -= quota
                    obj.used += quota
            self._save(obj)
        return obj

    def set_spend_rate(
        self,
        site: str,
        *,
        per_hour: Decimal | str | int,
        account: str | int | None = None,
        key: str | None = None,
    ) -> Account | Key:
        """Make a balance fall by ``per_hour`` money every hour (0 stops it)."""
        rate = money(per_hour, "per_hour")
        if rate < 0:
            raise SandboxError("spend rate must not be negative")
        with self._lock:
            obj = self._target(site, account, key)
            now = self._now()
            self._materialize(obj, now)
            if rate != obj.spend_rate or obj.rate_since is None:
                obj.spend_rate = rate
                obj.rate_since = now if rate != 0 else None
                obj.rate_spent = 0
            self._save(obj)
        return obj

    # ---------------------------------------------------------------- faults
    def set_fault(
        self,
        site: str,
        kind: FaultKind | str,
        *,
        account: str | int | None = None,
        key: str | None = None,
        times: int | None = None,
        latency_ms: int = 0,
        retry_after: int = 1,
        message: str | None = None,
        interval_ms: int = 100,
    ) -> Fault:
        """Inject a fault for a whole site, or one account (by id) or key; ``times`` limits it
        to the next N requests. Faults live in memory only."""
        self.site(site)
        try:
            fk = FaultKind(kind)
        except ValueError:
            raise SandboxError(f"unknown fault {kind!r}") from None
        if times is not None and times <= 0:
            raise SandboxError("times must be positive")
        if latency_ms < 0 or retry_after < 0 or interval_ms < 1:
            raise SandboxError("bad fault parameters")
        target = self._fault_target(site, account, key)
        fault = Fault(
            kind=fk,
            times=times,
            latency_ms=latency_ms,
            retry_after=retry_after,
            message=message,
            interval_ms=interval_ms,
        )
        with self._faults_lock:
            self.faults.setdefault(target, []).append(fault)
        return fault

    def _fault_target(self, site: str, account: str | int | None, key: str | None) -> FaultTarget:
        if account is not None and key is not None:
            raise SandboxError("give account or key, not both")
        if account is not None:
            self.account(site, account)
            return (site, "account", str(account))
        if key is not None:
            self.key(site, key)
            return (site, "key", key)
        return (site, "site", "")

    def clear_faults(
        self,
        site: str | None = None,
        *,
        account: str | int | None = None,
        key: str | None = None,
    ) -> int:
        """Clear faults: all of them, a site's (and its accounts'/keys'), or one target's."""
        one = (
            None
            if site is None or (account is None and key is None)
            else (self._fault_target(site, account, key))
        )
        with self._faults_lock:
            if site is None:
                n = sum(len(v) for v in self.faults.values())
                self.faults.clear()
                return n
            targets = [t for t in self.faults if t[0] == site] if one is None else [one]
            n = 0
            for t in targets:
                n += len(self.faults.pop(t, []))
            return n

    def plan(
        self, site: str, *, account: Account | None = None, key: Key | None = None
    ) -> FaultPlan:
        """Faults for one request (site-wide first, then the account's or key's)."""
        out = FaultPlan()
        if not self.faults:
            return out
        with self._faults_lock:
            targets: list[FaultTarget] = [(site, "site", "")]
            if account is not None:
                targets.append((site, "account", account.id))
            if key is not None:
                targets.append((site, "key", key.key))
            for t in targets:
                faults = self.faults.get(t)
                if faults:
                    consume(faults, out)
                    if not faults:
                        del self.faults[t]
        return out

    def has_faults(self, site: str, scope: str) -> bool:
        if not self.faults:
            return False
        with self._faults_lock:
            return any(t[0] == site and t[1] == scope for t in self.faults)

    # ---------------------------------------------------------------- listing
    def snapshot(self, site: str | None = None) -> dict[str, Any]:
        """Everything, as JSON-able data (current balances with spend rates applied).

        Taken under the state lock, so a concurrent (bulk) creation cannot change the dicts
        while they are read."""
        with self._lock:
            return self._snapshot(site)

    def _snapshot(self, site: str | None) -> dict[str, Any]:
        now = self._now()
        accounts = []
        for a in self.list_accounts(site):
            d = a.to_dict()
            if self.sites[a.site].dialect == "siliconflow":
                m = self.money_view(a, now)
                d["current"] = {
                    "granted": str(m.granted),
                    "paid": str(m.paid),
                    "total": str(m.total),
                }
            else:
                q = self.quota_view(a, now)
                d["current"] = {"quota": q.remain, "used_quota": q.used}
            accounts.append(d)
        keys = []
        for k in self.list_keys(site):
            d = k.to_dict()
            q = self.quota_view(k, now)
            d["current"] = {"remain": q.remain, "used": q.used}
            keys.append(d)
        return {
            "sites": [s.to_dict() for s in self.sites.values() if site is None or s.name == site],
            "accounts": accounts,
            "keys": keys,
            "faults": self._fault_list(site),
        }

    def _fault_list(self, site: str | None) -> list[dict[str, Any]]:
        with self._faults_lock:
            return [
                {"site": t[0], "scope": t[1], "target": t[2], **f.to_dict()}
                for t, fs in self.faults.items()
                if site is None or t[0] == site
                for f in fs
            ]


def _spend_money(granted: Decimal, paid: Decimal, amount: Decimal) -> MoneyView:
    """Spend the granted (gift) part first, then the paid part (which may go negative)."""
    if amount <= 0:
        return MoneyView(granted=granted, paid=paid)
    from_granted = min(amount, max(granted, Decimal(0)))
    return MoneyView(granted=granted - from_granted, paid=paid - (amount - from_granted))
