"""Alerts when several workers share one database (``[watch] lease``): what a worker does inside
an account's alert transaction (:meth:`~topup.alerts.stores.SharedAlertStore.alert_transaction`).

:func:`decide` runs every rule on one check and writes each notice to send as sent (its rule's
state and its history row) before anything is delivered; :func:`owe_again` writes back, in a
later transaction, the notices every routed URL refused, unless another worker moved the rule on
meanwhile. Opening the transactions, their failures and the delivery between them are
:class:`~topup.alerts.manager.AlertManager`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from topup.account import Account
from topup.alerts.engine import Action, RuleState, settle
from topup.alerts.evaluation import run_rules
from topup.alerts.messages import LastGood, Notice
from topup.alerts.rule import Inputs, Rule
from topup.alerts.rules import RULES
from topup.alerts.stores import AlertTransaction, stored
from topup.secrets import Secret

log = logging.getLogger("topup.alerts")


@dataclass(frozen=True, slots=True)
class Decided:
    """A notice decided and committed as sent (shared mode), to deliver after the commit."""

    notice: Notice
    rule: str
    #: The rule's state had the notice not gone out (written back if delivery fails).
    owed: RuleState
    #: The state committed with the notice counted as sent.
    sent: RuleState
    alert_id: int | None


def decide(
    tx: AlertTransaction,
    account: Account,
    inputs: Inputs,
    *,
    now: datetime,
    last_known: Callable[[], LastGood | None],
    secrets: tuple[Secret, ...],
) -> list[Decided]:
    """Run the rules on ``inputs`` in ``tx``: each notice to send is written (state and
    history) as sent.

    Storage errors propagate (the transaction rolls back). No network I/O here."""
    name = account.name
    states = {r.name: RuleState.from_json(tx.get_alert_state(name, r.name)) for r in RULES}
    decided: list[Decided] = []

    def send(rule: Rule[Any], action: Action, state: RuleState, notice: Notice) -> RuleState:
        sent = settle(state, action, True, now)
        alert_id = tx.record_alert(name, rule.name, action, notice.text, at=notice.at)
        decided.append(Decided(notice, rule.name, state, sent, alert_id))
        return sent

    def save(rule: str, state: RuleState) -> None:
        tx.set_alert_state(name, rule, stored(state))

    run_rules(
        account,
        inputs,
        states,
        now=now,
        last_known=last_known,
        secrets=secrets,
        send=send,
        save=save,
    )
    return decided


def owe_again(tx: AlertTransaction, account: str, refused: list[Decided]) -> None:
    """Every routed URL refused these notices: their rules owe them again (retried on a later
    check), unless another worker moved a rule on since the commit."""
    for item in refused:
        if tx.get_alert_state(account, item.rule) != stored(item.sent):
            log.warning(
                "alerts: could not deliver the %s %s of %s, and another worker "
                "has evaluated it since; it is not retried",
                item.rule,
                item.notice.kind,
                account,
            )
            continue
        tx.set_alert_state(account, item.rule, stored(item.owed))
        if item.alert_id is not None:
            tx.withdraw_alert(item.alert_id)
        log.warning(
            "alerts: could not deliver the %s %s of %s; owed, retried on a later check",
            item.rule,
            item.notice.kind,
            account,
        )


__all__ = ["Decided", "decide", "owe_again"]
