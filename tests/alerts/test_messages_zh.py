"""Alert texts in Simplified Chinese: every rule's notice, chosen by ``[ui] lang`` or the
environment; amounts and currency codes stay as they are, a status is named for a person (its
value follows in the last check's line)."""

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


def _facts(
    rule: Rule[Any],
    tmp_path: Path,
    *,
    failing: bool = False,
    runway: Decimal | None = Decimal(2),
    spend: Decimal | None = Decimal("1.5"),
) -> Facts:
    account = config(account_toml("acct"), tmp_path).accounts[0]
    rules = AccountRules().with_settings({k: v for k, v in ON.items() if k == rule.name})
    result = failed(account, at(5)) if failing else ok(account, "4", at(0))
    last = LastGood("USD", Decimal("4"), False, at(0))
    return Facts(account, rules, result, last, runway, spend, RuleState(failures=3))


def _rule(name: str) -> Rule[Any]:
    return next(r for r in RULES if r.name == name)


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


def test_a_failing_check_names_its_status_for_a_person_and_keeps_the_last_good_value(
    tmp_path: Path,
) -> None:
    notice = compose(_rule("failures"), "fired", _facts(_rule("failures"), tmp_path, failing=True))
    assert "checks failing (3 in a row, unreachable)" in notice.title
    chinese = compose(
        _rule("failures"),
        "fired",
        _facts(_rule("failures"), tmp_path, failing=True),
        language="zh-CN",
    )
    assert "检查失败（连续 3 次，无法连接）" in chinese.title
    assert "当前未知；最近一次为 4.00 USD（2025-03-01 12:00 UTC）" in chinese.body
    assert f"最近检查：无法连接（{Status.UNREACHABLE.value}）：down" in chinese.body


def test_a_failing_account_s_runway_is_unknown_because_the_check_failed(tmp_path: Path) -> None:
    facts = _facts(_rule("failures"), tmp_path, failing=True, runway=None, spend=None)
    english = compose(_rule("failures"), "fired", facts, language="en")
    chinese = compose(_rule("failures"), "fired", facts, language="zh-CN")
    assert "Runway: unknown (the check failed)" in english.body
    assert "可用时长：未知（本次检查失败）" in chinese.body
    assert "history" not in english.body and "历史" not in chinese.body
    young = _facts(_rule("runway"), tmp_path, runway=None, spend=None)  # good, little history
    english = compose(_rule("runway"), "fired", young)
    assert "Runway: unknown (not enough history yet)" in english.body
    chinese = compose(_rule("runway"), "fired", young, language="zh")
    assert "可用时长：未知（历史记录不足）" in chinese.body


def test_the_runway_title_reads_naturally_in_chinese(tmp_path: Path) -> None:
    facts = _facts(_rule("runway"), tmp_path, runway=Decimal("1.8"))
    chinese = compose(_rule("runway"), "fired", facts, language="zh-CN")
    assert chinese.title == "topup：acct 余额即将用完：约可用 1.8 天", chinese.title
    assert compose(_rule("runway"), "fired", facts).title == (
        "topup: acct runs out soon: about 1.8 days left"
    )
    endless = _facts(_rule("runway"), tmp_path, runway=None, spend=Decimal(0))
    recovered = compose(_rule("runway"), "recovered", endless, language="zh-CN")
    assert "可用时长已恢复正常（近期无消耗）" in recovered.title, recovered.title


def test_a_retired_endpoint_says_to_update_the_clone_not_pip(tmp_path: Path) -> None:
    facts = _facts(_rule("endpoint_retired"), tmp_path)
    for language, update in (("en", "update topup (`git pull`"), ("zh-CN", "请更新 topup")):
        body = compose(_rule("endpoint_retired"), "fired", facts, language=language).body
        assert update in body and "`git pull`" in body and "make" in body, body
        assert "pip" not in body


def test_chinese_alert_texts_use_chinese_punctuation(tmp_path: Path) -> None:
    for rule in RULES:
        for kind in ("fired", "recovered"):
            notice = compose(rule, kind, _facts(rule, tmp_path), language="zh-CN")
            text = notice.text.replace("topup check", "")
            assert "还能用" not in text and " 约" not in text.replace("：约", ""), text
            # ASCII punctuation only inside what is not translated (commands, URLs, amounts).
            for mark in ("; ", ", ", " (", "): "):
                assert mark not in text, (rule.name, kind, text)


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
