"""Zhipu (pay-as-you-go) recorded answers with their expected results (generic tests)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.standard_cases import html_503

P = "/api/biz/account/query-customer-account-report"
KEY = {"api_key": "0123abcd.zp-test-secret"}
D = Decimal


def report(**data: object) -> dict[str, object]:
    return {"code": 200, "msg": "操作成功", "success": True, "data": data}


def refused(code: int, msg: str) -> dict[str, object]:
    return {"code": code, "msg": msg, "success": False}


#: A public client's recorded answer (2026-09-25): an account in arrears, 0E-9 frozen.
ARREARS = report(
    balance=D("-0.350000000"),
    rechargeAmount=D("0.000000"),
    giveAmount=D("0.000000"),
    totalSpendAmount=D("0.350000000"),
    todaySpendAmount=None,
    availableBalance=D("-0.350000000"),
    frozenBalance=D("0E-9"),
    creditBalance=None,
    availableCreditBalance=None,
    creditStatus="NOT_OPEN",
    modelSpendAmountList=None,
    isKA=False,
)

CASES: tuple[Case, ...] = (
    Case(
        "funded account: availableBalance in CNY, sent as Bearer",
        KEY,
        (
            Exchange(
                P,
                json=report(
                    balance=D("42.5"),
                    rechargeAmount=100,
                    giveAmount=10,
                    totalSpendAmount=D("67.5"),
                    frozenBalance=0,
                    availableBalance=D("42.5"),
                ),
                expect_headers={"authorization": "Bearer 0123abcd.zp-test-secret"},
            ),
        ),
        {"status": "ok", "currency": "CNY", "balance": "42.5", "used": "67.5", "scope": "account"},
    ),
    Case(
        "recorded arrears answer: a negative balance is a value",
        KEY,
        (Exchange(P, json=ARREARS),),
        {"status": "ok", "currency": "CNY", "balance": "-0.35", "used": "0.35"},
    ),
    Case(
        "frozen money is not available",
        KEY,
        (
            Exchange(
                P,
                json=report(
                    balance=D("9.923912205"),
                    availableBalance=D("7.923912205"),
                    frozenBalance=2,
                    rechargeAmount=D("10.0"),
                    totalSpendAmount=D("0.076087795"),
                ),
            ),
        ),
        {"status": "ok", "balance": "7.923912205"},
    ),
    Case(
        "no availableBalance: balance is read",
        KEY,
        (Exchange(P, json=report(balance=D("3.2"), totalSpendAmount=1)),),
        {"status": "ok", "balance": "3.2"},
    ),
    Case(
        "empty data (no wallet) is unknown, never 0",
        KEY,
        (Exchange(P, json=report()),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "success without data",
        KEY,
        (Exchange(P, json={"code": 200, "msg": "操作成功", "success": True}),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "unknown key: code 1000 under HTTP 200",
        KEY,
        (Exchange(P, json=refused(1000, "身份验证失败。")),),
        {"status": "auth_error", "balance": None},
    ),
    Case(
        "no Authorization header: code 1001 under HTTP 200",
        KEY,
        (Exchange(P, json=refused(1001, "Header中未收到Authorization参数，无法进行身份验证。")),),
        {"status": "auth_error"},
    ),
    Case(
        "locked account: code 1112 is disabled",
        KEY,
        (Exchange(P, json=refused(1112, "当前账户已被锁定，请联系平台客服。")),),
        {"status": "disabled", "balance": None},
    ),
    Case(
        "arrears refusal as HTTP 429 code 1113 is exhausted, not rate limited",
        KEY,
        (
            Exchange(
                P,
                status=429,
                json={"error": {"code": "1113", "message": "余额不足或无可用资源包,请充值。"}},
            ),
        ),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "an ordinary 429 is rate limited",
        KEY,
        (
            Exchange(
                P,
                status=429,
                json={"error": {"code": "1302", "message": "您当前使用该API的并发数过高"}},
            ),
        ),
        {"status": "rate_limited"},
    ),
    Case(
        "success false with another code",
        KEY,
        (Exchange(P, json=refused(500, "系统错误")),),
        {"status": "bad_response", "balance": None},
    ),
    Case(
        "currency setting overrides CNY",
        {**KEY, "currency": "USD", "base_url": "https://api.z.ai"},
        (Exchange(P, json=report(availableBalance=D("9.92"), balance=D("9.92"))),),
        {"status": "ok", "currency": "USD", "balance": "9.92"},
    ),
    html_503(P, KEY, name="503 page", staged={"recharge": "1"}),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "funded account: availableBalance in CNY, sent as Bearer": Staged(
        account={"recharge": "100", "give": "10", "spent": "67.5"}
    ),
    "recorded arrears answer: a negative balance is a value": Staged(
        account={"recharge": "0", "spent": "0.35"}
    ),
    "frozen money is not available": Staged(
        account={"recharge": "10.0", "spent": "0.076087795", "frozen": "2"}
    ),
    "unknown key: code 1000 under HTTP 200": Staged(
        account={"recharge": "1"}, config={"api_key": "zp-not-known"}
    ),
    "locked account: code 1112 is disabled": Staged(account={"recharge": "1", "status": 2}),
    "success false with another code": Staged(
        account={"recharge": "1"}, fault={"kind": "success_false"}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name, case.staged)) for case in CASES)
