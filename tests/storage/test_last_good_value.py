"""An exhausted or disabled answer without amounts never replaces the last good value."""

from __future__ import annotations

from topup.model import CheckResult, Status
from topup.storage import Store

from .helpers import T0, ok


def test_amountless_exhausted_check_keeps_the_last_good_value(store: Store) -> None:
    good = ok("k", "0.42", 0)
    exhausted = CheckResult.failure(
        "k",
        "newapi",
        Status.EXHAUSTED,
        "key quota used up",
        checked_at=good.checked_at.replace(minute=5),
    )
    store.record([(good, "fp")])
    store.record([(exhausted, "fp")])
    state = store.latest()[0]
    assert state.last_check is not None and state.last_check.status is Status.EXHAUSTED
    assert state.last_good is not None
    assert (state.last_good.balance, state.last_good.currency) == (good.balance, "USD")
    assert state.last_good_at == good.checked_at  # not confirmed again by the refusal
    exported = list(store.export())
    assert [r.status for r in exported] == [Status.OK, Status.EXHAUSTED]
    assert exported[1].balance is None and exported[1].currency is None  # exact, not 0.42
    assert exported[0].checked_at == T0
