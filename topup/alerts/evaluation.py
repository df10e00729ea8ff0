"""One pass of every rule over one check of one account.

:func:`run_rules` tracks and evaluates each rule, composes the notice of each transition and
hands it to ``send`` (which delivers or records it and returns the settled state), then hands
each changed state to ``save``. The manager's single-worker path and the shared-mode
:func:`topup.alerts.shared.decide` differ only in those two callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from topup.account import Account
from topup.alerts.engine import Action, RuleState, step
from topup.alerts.messages import Facts, LastGood, Notice, compose
from topup.alerts.rule import Inputs, Rule
from topup.alerts.rules import RULES
from topup.secrets import Secret

#: Given a rule, its transition, its state before settling and the composed notice: deliver or
#: record the notice and return the rule's settled state.
Send = Callable[[Rule[Any], Action, RuleState, Notice], RuleState]


def run_rules(
    account: Account,
    inputs: Inputs,
    states: Mapping[str, RuleState],
    *,
    now: datetime,
    last_known: Callable[[], LastGood | None],
    secrets: tuple[Secret, ...],
    send: Send,
    save: Callable[[str, RuleState], None],
) -> None:
    """Run every rule on ``inputs`` from ``states`` (by rule name), in :data:`RULES` order.

    For each rule, ``send`` is called for a transition to notify and ``save(rule, state)`` when
    its state changed; ``last_known`` is called at most once, for the first notice."""
    result, rules = inputs.result, inputs.rules
    facts: Facts | None = None
    for rule in RULES:
        old = states[rule.name]
        state = rule.track(old, result)
        if rule.active(rules):
            state, action = step(state, rule.evaluate(inputs, state), now, rules.cooldown)
            if action is not None:
                if facts is None:
                    facts = Facts(
                        account,
                        rules,
                        result,
                        last_known(),
                        inputs.runway_days,
                        inputs.spend_per_day,
                        state,
                    )
                facts = replace(facts, state=state)
                state = send(rule, action, state, compose(rule, action, facts, secrets))
        if state != old:
            save(rule.name, state)


__all__ = ["Send", "run_rules"]
