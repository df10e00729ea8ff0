"""The rule registry: every rule is one object with its name, config key, default, messages and
severity, and settings, the manager and the messages all go through :data:`RULES`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import topup.alerts
from topup.account import Account
from topup.alerts import RULES, Rule
from topup.alerts.engine import RuleState
from topup.alerts.located import Where
from topup.alerts.messages import Facts, compose
from topup.alerts.settings import ACCOUNT_KEYS, GLOBAL_KEYS, AccountRules, parse
from topup.errors import ConfigError
from topup.model import CheckResult, QuotaWindow, Status
from topup.storage import Store

from .helpers import Harness, account_toml, at, config, failed, harness, ok

#: (name stored in the database, config key, default, severity of its alerts)
EXPECTED = [
    ("below", "below", None, "warning"),
    ("runway", "runway_days", None, "warning"),
    ("failures", "failures", 3, "warning"),
    ("expiring", "expiring_days", Decimal(7), "warning"),
    ("exhausted", "exhausted", True, "failure"),
    ("disabled", "disabled", True, "failure"),
    ("endpoint_retired", "endpoint_retired", True, "failure"),
    ("window", "window_below", None, "warning"),
]

IDS = [r.name for r in RULES]


def test_the_registry_pins_names_keys_defaults_and_severities() -> None:
    assert [(r.name, r.key, r.default, r.severity) for r in RULES] == EXPECTED
    assert len({r.name for r in RULES}) == len(RULES)
    assert len({r.key for r in RULES}) == len(RULES)


def test_config_keys_are_the_rules_keys_and_the_shared_ones() -> None:
    shared = {"enabled", "cooldown", "hysteresis"}
    assert {r.key for r in RULES} | shared | {"notify"} == GLOBAL_KEYS
    assert {r.key for r in RULES} | shared | {"notify_tags", "topup_url"} == ACCOUNT_KEYS


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_key_is_documented(rule: Rule[Any]) -> None:
    assert f"\n    {rule.key} = " in (topup.alerts.__doc__ or "")


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_is_set_and_turned_off_by_its_key(rule: Rule[Any], tmp_path: Path) -> None:
    on = "true" if isinstance(rule.default, bool) else "2"
    text = f"[alerts]\n{rule.key} = {on}\n\n" + account_toml(
        "off", f"alerts = {{ {rule.key} = false }}"
    )
    cfg = config(text + account_toml("on"), tmp_path)
    settings = parse(cfg)
    assert rule.active(settings.defaults)
    assert rule.active(settings.rules_for(cfg.accounts[1]))
    assert not rule.active(settings.rules_for(cfg.accounts[0]))
    assert rule.active(AccountRules()) is (rule.default is not None)
    assert not rule.active(AccountRules(enabled=False))


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_rejects_a_bad_value_with_a_located_error(rule: Rule[Any]) -> None:
    with pytest.raises(ConfigError) as info:
        rule.parse("not a value", Where(None, None, "alerts"))
    assert rule.key in str(info.value)


def _account(tmp_path: Path) -> Account:
    return config(account_toml("acct"), tmp_path).accounts[0]


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_composes_its_alert_and_its_recovery(rule: Rule[Any], tmp_path: Path) -> None:
    account = _account(tmp_path)
    on: dict[str, object] = {"below": Decimal(5), "runway": Decimal(3), "window": Decimal(10)}
    rules = AccountRules().with_settings({k: v for k, v in on.items() if k == rule.name})
    assert rule.active(rules)
    result = ok(account, "4", at(0))
    facts = Facts(account, rules, result, None, Decimal(2), Decimal(2), RuleState(failures=3))
    fired = compose(rule, "fired", facts)
    assert (fired.rule, fired.kind, fired.severity) == (rule.name, "fired", rule.severity)
    assert fired.title == f"topup: acct {rule.headline(facts)}"
    assert f"Rule: {rule.describe(facts)}\n" in fired.body
    assert f"What to do: {rule.todo(facts)}\n" in fired.body
    recovered = compose(rule, "recovered", facts)
    assert (recovered.rule, recovered.kind, recovered.severity) == (
        rule.name,
        "recovered",
        "success",
    )
    assert recovered.title == f"topup: acct recovered: {rule.recovered(facts)}"
    assert f"Cleared: {rule.describe(facts)}: {rule.recovered(facts)}\n" in recovered.body
    for notice in (fired, recovered):
        assert "None" not in notice.text


Feed = Callable[[Harness, int], list[tuple[str, str]]]


def _fire(rule: str) -> Feed:
    def feed(h: Harness, minute: int) -> list[tuple[str, str]]:
        a, when = h.account, at(minute)
        return {
            "below": lambda: h.feed(ok(a, "1", when)),
            "runway": lambda: h.feed(ok(a, "9", when), Decimal("1"), Decimal("9")),
            "failures": lambda: h.feed(failed(a, when)),
            "expiring": lambda: h.feed(ok(a, "9", when, expires_at=at(hours=24))),
            "exhausted": lambda: h.feed(ok(a, "0", when, status=Status.EXHAUSTED)),
            "disabled": lambda: h.feed(ok(a, None, when, status=Status.DISABLED)),
            "endpoint_retired": lambda: h.feed(failed(a, when, Status.ENDPOINT_RETIRED)),
            "window": lambda: h.feed(ok(a, None, when, windows=(window("5h", "99"),))),
        }[rule]()

    return feed


def window(name: str, used_percent: str) -> QuotaWindow:
    return QuotaWindow(name=name, used_percent=Decimal(used_percent))


def _clear(h: Harness, minute: int) -> list[tuple[str, str]]:
    result: CheckResult = ok(h.account, "50", at(minute), windows=(window("5h", "20"),))
    return h.feed(result, Decimal("30"), Decimal("1"))


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_fires_once_recovers_once_and_keeps_its_state_by_name(
    rule: Rule[Any], tmp_path: Path, store: Store
) -> None:
    only = {r.key: "false" for r in RULES if r is not rule}
    only[rule.key] = "true" if isinstance(rule.default, bool) else "2"
    h = harness(
        tmp_path, store, "cooldown = 0\n" + "\n".join(f"{k} = {v}" for k, v in only.items())
    )
    fire = _fire(rule.name)
    got = fire(h, 0) + fire(h, 1) + fire(h, 2)
    assert got == [(rule.name, "fired")]
    assert store.get_alert_state("acct", rule.name) is not None
    assert h.manager.state("acct", rule.name).fired
    assert _clear(h, 3) == [(rule.name, "recovered")]
    assert _clear(h, 4) == []
    assert [(r.rule, r.kind) for r in store.alert_history("acct")] == [
        (rule.name, "fired"),
        (rule.name, "recovered"),
    ]
