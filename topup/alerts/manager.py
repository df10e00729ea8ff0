"""The alert manager: every rule of every observed check, its state in the store, delivery.

When several workers share one database, what a worker decides inside an account's alert
transaction is :mod:`topup.alerts.shared`; the manager opens those transactions and delivers.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from topup.account import Account
from topup.alerts import settings as settings_module
from topup.alerts.engine import Action, RuleState, settle
from topup.alerts.evaluation import run_rules
from topup.alerts.messages import LastGood, Notice, make_test_notice
from topup.alerts.notify import Delivery, Notifier
from topup.alerts.rule import Inputs, Rule
from topup.alerts.rules import RULES
from topup.alerts.settings import AlertSettings
from topup.alerts.shared import Decided, decide, owe_again
from topup.alerts.stores import AlertStore, AlertTransaction, SharedAlertStore, stored
from topup.config import Config
from topup.model import CheckResult

log = logging.getLogger("topup.alerts")


class AlertManager:
    """Evaluates every rule on each check, keeps its state in the store, delivers notices.

    Thread-safe; :meth:`observe` never raises for delivery or storage trouble (it logs, keeps
    the state in memory and writes it on a later call).

    ``shared`` (several workers on one database, ``[watch] lease``): each observation reads the
    account's state from the store, decides, and writes the new state and the alerts it will
    send in one short transaction holding the account's alert lock (:class:`SharedAlertStore`);
    the notices are delivered after that commit, outside the lock. Nothing is kept in memory
    between observations, so a transition is decided, recorded and sent by one worker only.
    When that transaction fails (a storage error, the database gone), nothing is sent and
    nothing stored: the next check evaluates the rules again. A notice that every routed URL
    refused is written back as owed (and its history row withdrawn) unless another worker moved
    the rule on meanwhile. A worker that dies between the commit and the delivery loses that
    notice: each transition is sent at most once.
    """

    def __init__(
        self,
        settings: AlertSettings,
        store: AlertStore | None = None,
        notifier: Notifier | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.settings = settings
        self.store = store
        if shared and not isinstance(store, SharedAlertStore):
            raise TypeError("shared alerts need a store with alert_transaction")
        self.shared = shared
        self.notifier = notifier if notifier is not None else Notifier(settings.targets)
        self._states: dict[tuple[str, str], RuleState] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._last_good: dict[str, LastGood] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_config(
        cls, config: Config, store: AlertStore | None, *, shared: bool = False
    ) -> AlertManager:
        """Raises :class:`~topup.errors.ConfigError` on a bad ``[alerts]`` or ``alerts`` table."""
        manager = cls(settings_module.parse(config), store, shared=shared)
        if not manager.notifier.channels:
            log.info("alerts: no notify URLs in [alerts]; alerts are recorded, not sent")
        else:
            for account in config.accounts:
                rules = manager.settings.rules_for(account)
                if rules.enabled and not manager.notifier.routes(rules.notify_tags):
                    log.warning(
                        "alerts: no notify URL matches the tags of account %r; its alerts "
                        "are recorded, not sent (add an untagged URL or a matching tag)",
                        account.name,
                    )
        return manager

    # -- the watcher's entry point ----------------------------------------------------------

    def observe(
        self,
        account: Account,
        result: CheckResult,
        *,
        runway_days: object = None,
        spend_per_day: object = None,
    ) -> list[Notice]:
        """Evaluate every rule on ``result``; deliver and return the notices that went out.

        A notice goes out when a rule fires (outside its cooldown) or clears after a sent alert.
        One that no notify URL is routed for is recorded and returned with ``sent_to == ()``;
        one that every routed URL refused stays owed and is retried on a later check.
        """
        with self._lock:
            rules = self.settings.rules_for(account)
            if not rules.enabled:
                return []
            now = _aware(result.checked_at)
            inputs = Inputs(result, rules, _decimal(runway_days), _decimal(spend_per_day))
            if not self.shared:
                self._flush_dirty()
                return self._evaluate(account, inputs, now, self.store)
            return self._observe_shared(account, inputs, now)

    def _observe_shared(self, account: Account, inputs: Inputs, now: datetime) -> list[Notice]:
        """Decide and commit under the account's alert lock, then deliver (outside it)."""
        store = self.store
        assert isinstance(store, SharedAlertStore)
        name = account.name
        self._forget(name)
        try:
            with store.alert_transaction(name) as tx:
                self._remember_good(name, inputs.result, now)
                decided = decide(
                    tx,
                    account,
                    inputs,
                    now=now,
                    last_known=lambda: self._last_known(name),
                    secrets=self.notifier.secrets,
                )
        except Exception as exc:
            # Storage errors are not caught inside the transaction: on PostgreSQL a failed
            # statement aborts it, so nothing of this observation was stored, and nothing sent.
            log.warning(
                "alerts: could not evaluate %s with the other workers (%s); nothing was sent "
                "or stored, its rules are evaluated again on the next check",
                name,
                _safe(exc),
            )
            return []
        finally:
            self._forget(name)
        notices: list[Notice] = []
        refused: list[Decided] = []
        for item in decided:
            delivery = self._deliver(item.notice, inputs.rules.notify_tags)
            if delivery is None:
                refused.append(item)
            else:
                notices.append(replace(item.notice, sent_to=delivery.sent))
        if refused:
            self._owe_again(store, name, refused)
        return notices

    def _owe_again(self, store: SharedAlertStore, account: str, refused: list[Decided]) -> None:
        """Every routed URL refused these notices: their rules owe them again (retried on a
        later check), unless another worker moved a rule on since the commit."""
        try:
            with store.alert_transaction(account) as tx:
                owe_again(tx, account, refused)
        except Exception as exc:
            log.warning(
                "alerts: could not deliver %d notice(s) of %s, and could not store them as "
                "owed (%s); they stay recorded as sent and are not retried",
                len(refused),
                account,
                _safe(exc),
            )

    def _evaluate(
        self, account: Account, inputs: Inputs, now: datetime, store: AlertStore | None
    ) -> list[Notice]:
        states = self._load(account.name, store)
        if states is None:
            return []
        self._remember_good(account.name, inputs.result, now)
        tags = inputs.rules.notify_tags
        notices: list[Notice] = []

        def send(rule: Rule[Any], action: Action, state: RuleState, notice: Notice) -> RuleState:
            delivery = self._deliver(notice, tags)
            if delivery is not None:
                notice = replace(notice, sent_to=delivery.sent)
                notices.append(notice)
                self._record(notice, store)
            return settle(state, action, delivery is not None, now)

        def save(rule: str, state: RuleState) -> None:
            self._save(account.name, rule, state, store)

        run_rules(
            account,
            inputs,
            states,
            now=now,
            last_known=lambda: self._last_known(account.name),
            secrets=self.notifier.secrets,
            send=send,
            save=save,
        )
        return notices

    def send_test(self) -> bool:
        """Send a test message to every notify URL; True when every one accepted it."""
        delivery = self.test()
        return bool(delivery.sent) and not delivery.failed

    def test(self) -> Delivery:
        """Send a test message to every notify URL; which (masked) URLs took it, which not."""
        return self.notifier.send(make_test_notice(datetime.now(UTC)))

    def state(self, account: str, rule: str) -> RuleState:
        """The current state of one rule of one account (for inspection and tests)."""
        with self._lock:
            if self.shared:
                self._forget(account)
            states = self._load(account, self.store)
            return RuleState() if states is None else states[rule]

    # -- internals --------------------------------------------------------------------------

    def _deliver(self, notice: Notice, tags: tuple[str, ...]) -> Delivery | None:
        """The delivery, or None when every routed URL refused (try again later)."""
        if not self.notifier.routes(tags):
            log.info(
                "alerts: %s %s %s: no notify URL routed", notice.account, notice.rule, notice.kind
            )
            return Delivery()
        delivery = self.notifier.send(notice, tags)
        if delivery.ok:
            log.info(
                "alerts: sent %s %s of %s to %d URL(s)",
                notice.rule,
                notice.kind,
                notice.account,
                len(delivery.sent),
            )
            return delivery
        return None

    def _record(self, notice: Notice, store: AlertStore | None) -> None:
        if store is None or notice.kind == "test":
            return
        try:
            store.record_alert(notice.account, notice.rule, notice.kind, notice.text, at=notice.at)
        except Exception as exc:
            log.warning(
                "alerts: could not record the %s %s of %s in history (%s)",
                notice.rule,
                notice.kind,
                notice.account,
                _safe(exc),
            )

    def _load(self, account: str, store: AlertStore | None) -> dict[str, RuleState] | None:
        missing = [r.name for r in RULES if (account, r.name) not in self._states]
        if missing and store is not None:
            try:
                loaded = {r: store.get_alert_state(account, r) for r in missing}
            except Exception as exc:
                log.warning(
                    "alerts: cannot read the alert state of %s (%s); its rules wait for the "
                    "next check",
                    account,
                    _safe(exc),
                )
                return None
            for rule, text in loaded.items():
                self._states[(account, rule)] = RuleState.from_json(text)
        for rule in missing:
            self._states.setdefault((account, rule), RuleState())
        return {r.name: self._states[(account, r.name)] for r in RULES}

    def _save(self, account: str, rule: str, state: RuleState, store: AlertStore | None) -> None:
        self._states[(account, rule)] = state
        self._dirty.add((account, rule))
        self._write(account, rule, store)

    def _write(self, account: str, rule: str, store: AlertStore | None) -> None:
        if store is None:
            self._dirty.discard((account, rule))
            return
        try:
            store.set_alert_state(account, rule, stored(self._states[(account, rule)]))
        except Exception as exc:
            log.warning(
                "alerts: cannot store the state of %s/%s (%s); kept in memory, retried later",
                account,
                rule,
                _safe(exc),
            )
            return
        self._dirty.discard((account, rule))

    def _flush_dirty(self) -> None:
        for account, rule in sorted(self._dirty):
            self._write(account, rule, self.store)

    def _forget(self, account: str) -> None:
        """Drop what is kept in memory of ``account`` (shared: the store is the truth)."""
        for rule in RULES:
            self._states.pop((account, rule.name), None)
            self._dirty.discard((account, rule.name))
        self._last_good.pop(account, None)

    def _remember_good(self, account: str, result: CheckResult, now: datetime) -> None:
        """Keep the amounts of a good check, for messages about later failed checks."""
        if result.status.checked and (result.currency is not None or result.unlimited):
            self._last_good[account] = LastGood(
                result.currency, result.balance, result.unlimited, now
            )

    def _last_known(self, account: str) -> LastGood | None:
        known = self._last_good.get(account)
        if known is not None or self.store is None:
            return known
        latest = getattr(self.store, "latest", None)
        if latest is None:
            return None
        try:
            for state in latest([account]):
                point = state.last_good
                if state.account.name == account and point is not None:
                    at = state.last_good_at or point.at
                    known = LastGood(point.currency, point.balance, point.unlimited, at)
                    self._last_good[account] = known
                    return known
        except Exception as exc:
            log.debug("alerts: no last good value of %s (%s)", account, _safe(exc))
        return None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(value) if isinstance(value, int) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _safe(exc: BaseException) -> str:
    """An exception for a log line: its type and text, without any URL's user info."""
    text = f"{type(exc).__name__}: {exc}"
    return _USERINFO.sub("://***@", text)


_USERINFO = re.compile(r"://[^/@\s]+@")


__all__ = ["AlertManager", "AlertStore", "AlertTransaction", "SharedAlertStore"]
