"""Faults in the sandbox: injected per site, account or key, optionally for the next N
requests, held in memory only, behind their own short-held lock (requests never wait on a bulk
admin call)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from topup.sandbox.faults import Fault, FaultKind, FaultPlan, consume
from topup.sandbox.records import Record, SandboxError, Site

FaultTarget = tuple[str, str, str]  # (site, "site"|"account"|"key", ident)


class FaultInjection:
    """The fault half of :class:`~topup.sandbox.state.SandboxState`."""

    if TYPE_CHECKING:
        faults: dict[FaultTarget, list[Fault]]
        _faults_lock: threading.Lock

        def site(self, name: str) -> Site: ...
        def account(self, site: str, id: str | int) -> Any: ...
        def key(self, site: str, key: str) -> Any: ...

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

    def plan(self, site: str, record: Record | None = None) -> FaultPlan:
        """Faults for one request (site-wide first, then the record's)."""
        out = FaultPlan()
        if not self.faults:
            return out
        with self._faults_lock:
            targets: list[FaultTarget] = [(site, "site", "")]
            if record is not None:
                targets.append((site, record.kind, record.ident))
            for t in targets:
                faults = self.faults.get(t)
                if faults:
                    consume(faults, out)
                    if not faults:
                        del self.faults[t]
        return out

    def _fault_list(self, site: str | None) -> list[dict[str, Any]]:
        with self._faults_lock:
            return [
                {"site": t[0], "scope": t[1], "target": t[2], **f.to_dict()}
                for t, fs in self.faults.items()
                if site is None or t[0] == site
                for f in fs
            ]
