"""Synthetic accounts, configs and check results for the alert tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from topup import config as config_module
from topup.account import Account
from topup.alerts import AlertManager, Delivery, Notice, Notifier
from topup.config import Config
from topup.model import CheckResult, QuotaWindow, Status
from topup.storage import Store

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CANARY = "sk-CANARYc4n4ry0000000000000000canary"


def config(text: str, tmp_path: Path) -> Config:
    path = tmp_path / "topup.toml"
    path.write_text(text, encoding="utf-8")
    return config_module.load(path)


def account_toml(name: str, extra: str = "", key: str = CANARY) -> str:
    return f'[[accounts]]\nname = "{name}"\nprovider = "siliconflow"\napi_key = "{key}"\n{extra}\n'


def at(minutes: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, hours=hours)


def ok(
    account: Account,
    balance: str | None,
    when: datetime,
    *,
    status: Status = Status.OK,
    expires_at: datetime | None = None,
    currency: str = "USD",
    windows: tuple[QuotaWindow, ...] = (),
) -> CheckResult:
    return CheckResult(
        account=account.name,
        provider=account.provider,
        status=status,
        currency=currency,
        balance=None if balance is None else Decimal(balance),
        expires_at=expires_at,
        windows=windows,
        checked_at=when,
    )


def failed(
    account: Account, when: datetime, status: Status = Status.UNREACHABLE, message: str = "down"
) -> CheckResult:
    return CheckResult.failure(account.name, account.provider, status, message, checked_at=when)


class RecordingNotifier(Notifier):
    """Delivers nowhere; records what it was asked to send. ``fail`` makes every send fail."""

    def __init__(self, targets: Sequence[object] = ()) -> None:
        super().__init__(())
        self.sent: list[tuple[Notice, tuple[str, ...] | None]] = []
        self.fail = False

    def routes(self, tags: Iterable[str]) -> tuple[str, ...]:
        return ("recorder://",)

    def send(self, notice: Notice, tags: Iterable[str] | None = None) -> Delivery:
        if self.fail:
            return Delivery(failed=("recorder://",))
        self.sent.append((notice, None if tags is None else tuple(tags)))
        return Delivery(sent=("recorder://",))


@dataclass
class Harness:
    """One account watched by a manager on a real store, the way the watcher drives it."""

    manager: AlertManager
    store: Store
    account: Account
    log: list[tuple[str, str]] = field(default_factory=list)

    def feed(
        self,
        result: CheckResult,
        runway_days: Decimal | None = None,
        spend_per_day: Decimal | None = None,
    ) -> list[tuple[str, str]]:
        self.store.record([(result, self.account.fingerprint)])
        notices = self.manager.observe(
            self.account, result, runway_days=runway_days, spend_per_day=spend_per_day
        )
        got = [(n.rule, n.kind) for n in notices]
        self.log += got
        return got

    def balances(self, values: Iterable[str | None], start: float = 0) -> list[tuple[str, str]]:
        """One check per value, a minute apart (None: a failed check)."""
        got: list[tuple[str, str]] = []
        for i, value in enumerate(values):
            when = at(minutes=start + i)
            result = failed(self.account, when) if value is None else ok(self.account, value, when)
            got += self.feed(result)
        return got


def harness(
    tmp_path: Path, store: Store, alerts: str = "", extra: str = "", name: str = "acct"
) -> Harness:
    cfg = config(f"[alerts]\n{alerts}\n\n" + account_toml(name, extra), tmp_path)
    manager = AlertManager.from_config(cfg, store)
    manager.notifier = RecordingNotifier()
    return Harness(manager, store, cfg.accounts[0])
