"""Alert texts in Simplified Chinese: every rule's notice, chosen by ``[ui] lang`` or the
environment; amounts, currency codes and status values stay as they are."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from topup import i18n
from topup.alerts import RULES, Rule
from topup.alerts.engine import RuleState
from topup.alerts.messages import Facts, LastGood, compose, language_of, make_test_notice
from topup.alerts.settings import AccountRules
from topup.model import Status

from .helpers import CANARY, account_toml, at, config, failed, ok

ON: dict[str, object] = {"below": Decimal(5), "runway": Decimal(3), "window": Decimal(10)}


def _facts(rule: Rule[Any], tmp_path: Path, *, failing: bool = False) -> Facts:
    account = config(account_toml("acct"), tmp_path).accounts[0]
    rules = AccountRules().with_settings({k: v for k, v in ON.items() if k == rule.name})
    result = failed(account, at(5)) if failing else ok(account, "4", at(0))
    last = LastGood("USD", Decimal("4"), False, at(0))
    return Facts(account, rules, result, last, Decimal(2), Decimal("1.5"), RuleState(failures=3))


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_writes_its_notice_in_chinese(rule: Rule[Any], tmp_path: Path) -> None:
    facts = _facts(rule, tmp_path)
    english = compose(rule, "fired", facts, language="en")
    chinese = compose(rule, "fired", facts, language="zh_CN")
    assert chinese.title != english.title and chinese.body != english.body
    assert chinese.title.startswith("topup：acct ")
    for label in (
        "账户：acct",
        "余额：4.00 USD",
        "可用时长：约 2 天（每天消耗 1.50 USD）",
        "规则：",
    ):
        assert label in chinese.body, chinese.body
    assert "处理方法：" in chinese.body and "检查时间：2025-03-01 12:00 UTC" in chinese.body
    recovered = compose(rule, "recovered", facts, language="zh_CN")
    assert recovered.title.startswith("topup：acct 已恢复：") and "已解除：" in recovered.body
    assert CANARY not in chinese.text + recovered.text


def test_a_failing_check_keeps_its_status_value_and_last_good_value(tmp_path: Path) -> None:
    rule = next(r for r in RULES if r.name == "failures")
    notice = compose(rule, "fired", _facts(rule, tmp_path, failing=True), language="zh-CN")
    assert f"检查失败（连续 3 次，{Status.UNREACHABLE.value}）" in notice.title
    assert "当前未知；最近一次为 4.00 USD（2025-03-01 12:00 UTC）" in notice.body
    assert f"最近检查：{Status.UNREACHABLE.value}: down" in notice.body


def test_without_a_language_the_current_one_is_used(tmp_path: Path) -> None:
    rule = RULES[0]
    facts = _facts(rule, tmp_path)
    with i18n.use("zh_CN"):
        assert "账户：" in compose(rule, "fired", facts).body
        assert compose(rule, "fired", facts, language="en").title.startswith("topup: acct ")
    assert "Account: acct" in compose(rule, "fired", facts).body
    assert make_test_notice(at(0), language="zh_CN").title == "topup：测试告警"
    assert make_test_notice(at(0)).title == "topup: test alert"


def test_the_language_of_alerts_is_ui_lang_else_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOPUP_LANG", "en")
    chosen = config('[ui]\nlang = "zh-CN"\n\n' + account_toml("a"), tmp_path)
    assert language_of(chosen) == "zh_CN"
    plain = config(account_toml("a"), tmp_path)
    assert language_of(plain) == "en"
    monkeypatch.setenv("TOPUP_LANG", "zh")
    assert language_of(plain) == "zh_CN"
