"""One notion of what needs attention: each reason, their order, low, and what is not a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from topup import i18n
from topup.account import Account
from topup.attention import Need, assess, label, marked
from topup.model import Amounts, CheckResult, QuotaWindow, Status

SPENDER = Account("a", "deepseek", min_balance=Decimal(5))


def amounts(balance: str | None = "10", **more: object) -> Amounts:
    return Amounts(currency="USD", balance=None if balance is None else Decimal(balance), **more)  # type: ignore[arg-type]


def test_nothing_needs_attention_when_ok_above_minimum_with_a_long_runway() -> None:
    found = assess(SPENDER, Status.OK, amounts("10"), runway_days=Decimal(30))
    assert (found.needed, found.low, found.reasons) == (False, False, ())


def test_below_min_balance_is_low() -> None:
    found = assess(SPENDER, Status.OK, amounts("4.99"))
    assert found.reasons == (Need.LOW,) and found.low


def test_unknown_balance_and_unlimited_keys_are_never_low() -> None:
    assert assess(SPENDER, Status.OK, amounts(None)).reasons == ()
    assert assess(SPENDER, Status.OK, amounts(None, unlimited=True)).reasons == ()
    assert assess(Account("b", "deepseek"), Status.OK, amounts("0")).reasons == ()


@pytest.mark.parametrize("status", [Status.EXHAUSTED, Status.DISABLED])
def test_an_account_that_needs_money_is_exhausted_and_low(status: Status) -> None:
    found = assess(SPENDER, status, amounts("10"))
    assert found.reasons == (Need.EXHAUSTED,) and found.low


def test_a_failing_check_keeps_the_reasons_of_its_last_good_value() -> None:
    found = assess(SPENDER, Status.UNREACHABLE, amounts("1"), runway_days=Decimal(2), stale=True)
    assert found.reasons == (Need.FAILING, Need.LOW, Need.RUNWAY, Need.STALE)
    assert found.rank == 0


def test_a_failing_account_that_never_had_a_value_is_failing_not_stale() -> None:
    assert assess(SPENDER, Status.AUTH_ERROR, None, stale=True).reasons == (Need.FAILING,)


def test_an_account_never_checked_is_stale() -> None:
    assert assess(SPENDER, None, None, stale=True).reasons == (Need.STALE,)


def test_runway_under_the_warning_and_a_nearly_used_window() -> None:
    window = QuotaWindow(name="5h", used_percent=Decimal("95"))
    found = assess(SPENDER, Status.OK, amounts("10", windows=(window,)), runway_days=Decimal(3))
    assert found.reasons == (Need.RUNWAY, Need.WINDOW) and not found.low
    assert found.rank == list(Need).index(Need.RUNWAY)


def test_marked_sets_the_result_fields_from_the_last_good_value_when_failing() -> None:
    failed = CheckResult.failure("a", "deepseek", Status.UNAVAILABLE, "503")
    result = marked(SPENDER, failed, amounts=amounts("1"))
    assert (result.low, result.attention) == (True, ("failing", "low"))


def test_reasons_are_named_in_the_readers_language() -> None:
    assert label(Need.LOW) == "low"
    with i18n.use("zh-CN"):
        assert label(Need.LOW) == "余额不足"


def test_every_status_has_a_label_for_people() -> None:
    from topup.attention import status_label

    assert {status_label(s) for s in Status} and status_label(Status.AUTH_ERROR) == "key rejected"
    with i18n.use("zh-CN"):
        labels = {s: status_label(s) for s in Status}
    assert labels[Status.OK] == "正常" and labels[Status.UNREACHABLE] == "无法连接"
    assert len(set(labels.values())) == len(Status)  # no two statuses read the same
