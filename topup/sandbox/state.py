"""The sandbox's state: sites, records (accounts, keys) of any platform, spend rates, SQLite.

Every lookup a balance request needs is a dict lookup; SQLite is written only when something
changes through the Python/admin API, plus a periodic :meth:`SandboxState.flush` of request
counters. Balances that fall at a spend rate are computed lazily from the elapsed time, in the
platform's smallest unit, with exact integer maths. What a record holds and how a spend changes
it is the platform imitation's business (:mod:`topup.sandbox.imitation`); this module names no
platform.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from topup.sandbox.faults import Fault
from topup.sandbox.imitation import Imitation, get_imitation
from topup.sandbox.injection import FaultInjection, FaultTarget
from topup.sandbox.money import utcnow
from topup.sandbox.records import (
    ENABLED,
    ID_PATTERN,
    MAX_MONEY,
    MAX_QUOTA,
    NotFoundError,
    Record,
    SandboxError,
    Site,
    check_id,
    check_status,
)
from topup.sandbox.spending import SpendRates

__all__ = [
    "ENABLED",
    "MAX_MONEY",
    "MAX_QUOTA",
    "NotFoundError",
    "Record",
    "SandboxError",
    "SandboxState",
    "Site",
]

RecordKey = tuple[str, str, str]  # (site, kind, ident)


@dataclass
class SandboxState(SpendRates, FaultInjection):
    """All sandbox state. Thread-safe enough for one server thread plus test threads."""

    path: str | Path | None = None
    clock: Callable[[], datetime] = utcnow
    sites: dict[str, Site] = field(default_factory=dict)
    faults: dict[FaultTarget, list[Fault]] = field(default_factory=dict)
    _records: dict[RecordKey, Record] = field(default_factory=dict)
    _by_token: dict[RecordKey, Record] = field(default_factory=dict)
    _dirty: set[RecordKey] = field(default_factory=set)
    _next_id: dict[str, int] = field(default_factory=dict)
    _n_keys: int = 0

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
        rows = self._db.execute("SELECT kind, data FROM objects").fetchall()
        for kind, raw in rows:
            if kind == "site":
                data = json.loads(raw)
                imitation = get_imitation(data["dialect"])
                self.sites[data["name"]] = Site(
                    data["name"], data["dialect"], imitation.load_settings(data)
                )
        for kind, raw in rows:
            if kind == "site":
                continue
            data = json.loads(raw)
            site = self.sites.get(data.get("site", ""))
            if site is None:
                continue
            imitation = self.imitation(site.name)
            record_type = imitation.account_type if kind == "account" else imitation.key_type
            if record_type is not None:
                self._index(record_type.from_dict(data))

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

    @staticmethod
    def _row(rec: Record) -> tuple[str, str, str, dict[str, Any]]:
        return (rec.kind, rec.site, rec.ident, rec.to_dict())

    def _save(self, rec: Record) -> None:
        self._dirty.discard(_key(rec))
        self._write([self._row(rec)])

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
        dirty: list[RecordKey] = []
        while True:
            try:
                dirty.append(self._dirty.pop())
            except KeyError:
                break
        if not dirty:
            return 0
        with self._lock:
            recs = [self._records[d] for d in dirty if d in self._records]
            try:
                self._write([self._row(r) for r in recs])
            except BaseException:
                self._dirty.update(dirty)
                raise
            return len(recs)

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._db.close()

    # ---------------------------------------------------------------- sites
    def add_site(self, name: str, dialect: str, *, replace: bool = False, **settings: Any) -> Site:
        """Create a site of a platform (``dialect``) with that platform's own settings."""
        if not name or "/" in name or name.startswith("_"):
            raise SandboxError(f"bad site name {name!r}")
        imitation = get_imitation(dialect)
        site = Site(name=name, dialect=dialect, settings=imitation.settings(settings))
        with self._lock:
            if name in self.sites:
                if not replace:
                    raise SandboxError(f"site {name!r} exists")
                self._drop_site(name)
            self.sites[name] = site
            self._write([("site", name, name, site.to_dict())])
        return site

    def _drop_site(self, name: str) -> None:
        """Forget a site with its records and faults (``add_site(replace=True)``)."""
        for k in [k for k in self._records if k[0] == name]:
            rec = self._records.pop(k)
            self._n_keys -= rec.kind == "key"
            self._by_token.pop((name, rec.kind, rec.token), None)
            self._dirty.discard(k)
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

    def imitation(self, site: str) -> Imitation:
        return get_imitation(self.site(site).dialect)

    # ---------------------------------------------------------------- records
    def _index(self, rec: Record) -> None:
        if rec.kind == "key" and _key(rec) not in self._records:
            self._n_keys += 1
        self._records[_key(rec)] = rec
        self._by_token[(rec.site, rec.kind, rec.token)] = rec
        if rec.kind == "account" and ID_PATTERN.fullmatch(rec.id):
            n = int(rec.id)
            if n >= self._next_id.get(rec.site, 1):
                self._next_id[rec.site] = n + 1

    def _new_account(self, site_name: str, ident: str | int | None, fields: Any) -> Record:
        """A validated, NOT yet indexed account (index it only once it is written)."""
        site = self.site(site_name)
        ident = check_id(str(self._next_id.get(site_name, 1)) if ident is None else str(ident))
        if (site_name, "account", ident) in self._records:
            raise SandboxError(f"account {ident} exists on {site_name}")
        rec = get_imitation(site.dialect).new_account(self, site, ident, fields)
        if (site_name, "account", rec.token) in self._by_token:
            raise SandboxError("token already in use on this site")
        check_status(rec.status)
        return rec

    def add_account(self, site: str, *, id: str | int | None = None, **fields: Any) -> Any:
        """Create an account; ``fields`` are the platform's (see its imitation)."""
        with self._lock:
            rec = self._new_account(site, id, fields)
            self._save(rec)
            self._index(rec)
        return rec

    def bulk_accounts(self, site: str, count: int, **fields: Any) -> list[Any]:
        """Create ``count`` accounts in one transaction (benchmarks)."""
        if count < 0 or count > 1_000_000:
            raise SandboxError("count out of range")
        with self._lock:
            first = self._next_id.get(site, 1)
            made = [self._new_account(site, first + i, fields) for i in range(count)]
            if len({a.token for a in made}) != len(made):
                raise SandboxError("token collision; try again")
            self._write([self._row(a) for a in made])
            for a in made:
                self._index(a)
        return made

    def account(self, site: str, id: str | int) -> Any:
        return self._get(site, "account", str(id))

    def account_by_token(self, site: str, token: str) -> Any:
        return self._by_token.get((site, "account", token))

    def list_accounts(self, site: str | None = None) -> list[Any]:
        return self._list("account", site)

    def set_account(
        self, site: str, id: str | int, *, status: int | None = None, **fields: Any
    ) -> Any:
        """Change an account's status and the platform's own account settings."""
        with self._lock:
            acc = self.account(site, id)
            imitation = self.imitation(site)
            changes = imitation.validate_patch(fields)
            if status is not None:
                acc.status = check_status(status)
            imitation.patch(acc, changes)
            self._save(acc)
        return acc

    def bump(self, rec: Record) -> None:
        """Count one answered request (persisted by the next :meth:`flush`)."""
        rec.request_count += 1
        self._dirty.add(_key(rec))

    def _new_key(self, site_name: str, fields: Any, ordinal: int) -> Record:
        site = self.site(site_name)
        rec = get_imitation(site.dialect).new_key(self, site, fields, ordinal)
        if (site_name, "key", rec.ident) in self._records:
            raise SandboxError("key exists")
        check_status(rec.status)
        return rec

    def add_key(self, site: str, **fields: Any) -> Any:
        """Create a key on a platform that has them; ``fields`` are the platform's."""
        with self._lock:
            rec = self._new_key(site, fields, 0)
            self._save(rec)
            self._index(rec)
        return rec

    def bulk_keys(self, site: str, count: int, **fields: Any) -> list[Any]:
        if count < 0 or count > 1_000_000:
            raise SandboxError("count out of range")
        with self._lock:
            made = [self._new_key(site, fields, i) for i in range(count)]
            if len({k.ident for k in made}) != len(made):
                raise SandboxError("key collision; try again")
            self._write([self._row(k) for k in made])
            for k in made:
                self._index(k)
        return made

    def key(self, site: str, key: str) -> Any:
        return self._get(site, "key", key)

    def find_key(self, site: str, key: str) -> Any:
        return self._by_token.get((site, "key", key))

    def list_keys(self, site: str | None = None) -> list[Any]:
        return self._list("key", site)

    def key_count(self) -> int:
        """How many keys exist on all sites (default key names count on)."""
        return self._n_keys

    def _get(self, site: str, kind: str, ident: str) -> Any:
        try:
            return self._records[(site, kind, ident)]
        except KeyError:
            what = f"account {ident}" if kind == "account" else kind
            raise NotFoundError(f"unknown {what} on {site!r}") from None

    def _list(self, kind: str, site: str | None) -> list[Any]:
        with self._lock:
            return [
                r
                for k, r in self._records.items()
                if k[1] == kind and (site is None or k[0] == site)
            ]

    # ---------------------------------------------------------------- listing
    def snapshot(self, site: str | None = None) -> dict[str, Any]:
        """Everything, as JSON-able data (current balances with spend rates applied).

        Taken under the state lock, so a concurrent (bulk) creation cannot change the dicts
        while they are read."""
        with self._lock:
            now = self._now()
            listed: dict[str, list[dict[str, Any]]] = {"account": [], "key": []}
            for (site_name, kind, _), rec in self._records.items():
                if site is not None and site_name != site:
                    continue
                data = rec.to_dict()
                imitation = get_imitation(self.sites[site_name].dialect)
                data["current"] = imitation.current(self.current(rec, now))
                listed[kind].append(data)
            return {
                "sites": [
                    s.to_dict() for s in self.sites.values() if site is None or s.name == site
                ],
                "accounts": listed["account"],
                "keys": listed["key"],
                "faults": self._fault_list(site),
            }


def _key(rec: Record) -> RecordKey:
    return (rec.site, rec.kind, rec.ident)
