"""The state machine on synthetic sequences with known answers (real SQLite store)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from topup.alerts import AlertManager
from topup.alerts.engine import RuleState
from topup.alerts.rules import BELOW
from topup.model import Status
from topup.storage import Store, sqlite_url

from .helpers import RecordingNotifier, at, failed, harness, ok

FIRED = ("below", "fired")
RECOVERED = ("below", "recovered")
NO_COOLDOWN = 'below = "5"\ncooldown = 0'


def test_fires_once_on_the_transition_and_recovers_once(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, NO_COOLDOWN)
    assert h.balances(["20", "10", "6"]) == []
    assert h.balances(["4"], start=3) == [FIRED]
    # Stays low: no repeat on any poll.
    assert h.balances(["3", "2.5", "4.99", "1"], start=4) == []
    # 5.2 is back above the threshold but inside the 10% band (5..5.5): nothing.
    assert h.balances(["5.2", "5.49"], start=8) == []
    assert h.balances(["5.5"], start=10) == [RECOVERED]
    assert h.balances(["7", "8"], start=11) == []
    assert h.log == [FIRED, RECOVERED]


def test_no_flap_inside_the_hysteresis_band(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, NO_COOLDOWN)
    h.balances(["4.9", "5.1", "4.95", "5.3", "4.8", "5.45", "4.7"])
    assert h.log == [FIRED]
    # Armed and inside the band: not below, so nothing either.
    h2 = harness(tmp_path, store, NO_COOLDOWN, name="other")
    h2.balances(["6", "5.2", "5.0", "5.4"])
    assert h2.log == []


def test_hysteresis_as_an_amount(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, 'below = "5"\nhysteresis = "1"\ncooldown = 0')
    h.balances(["4", "5.9", "4.5", "6"])
    assert h.log == [FIRED, RECOVERED]


def test_unknown_is_never_zero(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, NO_COOLDOWN + "\nfailures = false")
    # A failed check while healthy does not fire `below`...
    assert h.balances(["20", None, None, "20"]) == []
    # ...and while low does not clear it (nor repeat it).
    assert h.balances(["3", None, None, "3"], start=4) == [FIRED]
    # A good check without an amount holds too.
    assert h.feed(ok(h.account, None, at(10))) == []
    assert h.balances(["9"], start=11) == [RECOVERED]


def test_cooldown_caps_refires_and_sends_when_it_still_holds(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, 'below = "5"\ncooldown = "6h"')
    assert h.feed(ok(h.account, "4", at(hours=0))) == [FIRED]
    assert h.feed(ok(h.account, "9", at(hours=1))) == [RECOVERED]
    # Re-fires within 6h of the last alert: not sent...
    assert h.feed(ok(h.account, "4", at(hours=2))) == []
    assert h.feed(ok(h.account, "3", at(hours=5))) == []
    # ...still low once the cooldown is over: sent, once.
    assert h.feed(ok(h.account, "3", at(hours=6))) == [FIRED]
    assert h.feed(ok(h.account, "3", at(hours=7))) == []
    assert h.feed(ok(h.account, "9", at(hours=8))) == [RECOVERED]
    # A suppressed firing that clears before the cooldown ends sends nothing at all.
    assert h.feed(ok(h.account, "4", at(hours=9))) == []
    assert h.feed(ok(h.account, "9", at(hours=10))) == []
    assert h.log == [FIRED, RECOVERED, FIRED, RECOVERED]


def test_failures_in_a_row_fire_and_a_success_recovers(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "failures = 3\ncooldown = 0")
    assert h.balances(["10", None, None]) == []
    # A success resets the count.
    assert h.balances(["10", None, None], start=3) == []
    assert h.balances([None], start=6) == [("failures", "fired")]
    assert h.balances([None, None], start=7) == []
    assert h.manager.state(h.account.name, "failures").failures == 5
    # A retired endpoint has its own rule: it does not count as a failure.
    assert h.feed(failed(h.account, at(10), Status.ENDPOINT_RETIRED)) == [
        ("endpoint_retired", "fired")
    ]
    assert h.balances(["10"], start=11) == [
        ("failures", "recovered"),
        ("endpoint_retired", "recovered"),
    ]
    assert h.manager.state(h.account.name, "failures").failures == 0


def test_exhausted_disabled_and_retired_fire_and_recover(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "cooldown = 0")
    a = h.account
    assert h.feed(ok(a, "0", at(0), status=Status.EXHAUSTED)) == [("exhausted", "fired")]
    assert h.feed(ok(a, "0", at(1), status=Status.EXHAUSTED)) == []
    # Unknown (unreachable) neither clears nor repeats.
    assert h.feed(failed(a, at(2))) == []
    assert h.feed(ok(a, "5", at(3))) == [("exhausted", "recovered")]
    assert h.feed(ok(a, None, at(4), status=Status.DISABLED)) == [("disabled", "fired")]
    assert h.feed(ok(a, "5", at(5))) == [("disabled", "recovered")]
    assert h.feed(failed(a, at(6), Status.ENDPOINT_RETIRED, "410 Gone")) == [
        ("endpoint_retired", "fired")
    ]
    assert h.feed(failed(a, at(7), Status.UNREACHABLE)) == []
    assert h.feed(failed(a, at(8), Status.ENDPOINT_RETIRED, "410 Gone")) == []
    assert h.feed(ok(a, "5", at(9))) == [("endpoint_retired", "recovered")]


def test_status_rules_can_be_turned_off(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "exhausted = false", extra="alerts = { disabled = false }")
    assert h.feed(ok(h.account, "0", at(0), status=Status.EXHAUSTED)) == []
    assert h.feed(ok(h.account, "0", at(1), status=Status.DISABLED)) == []
    off = harness(tmp_path, store, 'below = "5"', extra="alerts = { enabled = false }", name="b")
    assert off.balances(["1", "0"]) == []


def test_expiring_within_n_days(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "expiring_days = 7\ncooldown = 0")
    a = h.account
    assert h.feed(ok(a, "5", at(0), expires_at=at(hours=24 * 30))) == []
    assert h.feed(ok(a, "5", at(1), expires_at=at(hours=24 * 6))) == [("expiring", "fired")]
    assert h.feed(ok(a, "5", at(2), expires_at=at(hours=24 * 6))) == []
    assert h.feed(failed(a, at(3))) == []
    # The key was renewed.
    assert h.feed(ok(a, "5", at(4), expires_at=at(hours=24 * 60))) == [("expiring", "recovered")]


def test_runway_below_n_days(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "runway_days = 3\ncooldown = 0")
    a = h.account
    spend = Decimal("2")
    assert h.feed(ok(a, "10", at(0)), Decimal("5"), spend) == []
    assert h.feed(ok(a, "5", at(1)), Decimal("2.5"), spend) == [("runway", "fired")]
    # Unknown runway (not enough history, or a failed check) holds.
    assert h.feed(ok(a, "5", at(2)), None, None) == []
    assert h.feed(failed(a, at(3))) == []
    # 3.2 days: above 3 but inside the 10% band.
    assert h.feed(ok(a, "6.4", at(4)), Decimal("3.2"), spend) == []
    assert h.feed(ok(a, "20", at(5)), Decimal("10"), spend) == [("runway", "recovered")]
    # No cooldown here: a new low fires again.
    assert h.feed(ok(a, "5", at(6)), Decimal("1"), spend) == [("runway", "fired")]


def test_runway_clears_when_nothing_is_spent(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, "runway_days = 3\ncooldown = 0")
    assert h.feed(ok(h.account, "5", at(0)), Decimal("1"), Decimal("5")) == [("runway", "fired")]
    assert h.feed(ok(h.account, "50", at(1)), None, Decimal("0")) == [("runway", "recovered")]


def test_below_precedence(tmp_path: Path, store: Store) -> None:
    text = (
        '[alerts]\nbelow = "5"\ncooldown = 0\n\n'
        + '[[accounts]]\nname = "plain"\nprovider = "siliconflow"\napi_key = "sk-aaaaaaaaaaaa"\n\n'
        + '[[accounts]]\nname = "minbal"\nprovider = "siliconflow"\napi_key = "sk-bbbbbbbbbbbb"\n'
        + 'min_balance = "10"\n\n'
        + '[[accounts]]\nname = "own"\nprovider = "siliconflow"\napi_key = "sk-cccccccccccc"\n'
        + 'min_balance = "10"\nalerts = { below = "20" }\n'
    )
    from .helpers import config

    cfg = config(text, tmp_path)
    manager = AlertManager.from_config(cfg, store)
    below = {a.name: BELOW.setting(manager.settings.rules_for(a)) for a in cfg.accounts}
    assert below == {"plain": Decimal("5"), "minbal": Decimal("10"), "own": Decimal("20")}


def test_state_survives_a_restart(tmp_path: Path, db_path: Path) -> None:
    with Store.open(sqlite_url(db_path)) as store:
        h = harness(tmp_path, store, 'below = "5"\ncooldown = "6h"')
        assert h.balances(["10", "4"]) == [FIRED]
        stored = json.loads(store.get_alert_state(h.account.name, "below") or "{}")
        assert stored["state"] == "fired" and stored["notified"] is True
        assert stored["last_sent_at"] and stored["fired_at"]
        h.balances([None, None])  # two failures counted
    # A new process: a new store connection and a new manager on the same file.
    with Store.open(sqlite_url(db_path)) as store:
        h2 = harness(tmp_path, store, 'below = "5"\ncooldown = "6h"')
        assert h2.manager.state(h.account.name, "failures").failures == 2
        assert h2.balances(["3", "4"], start=10) == []  # no repeat
        assert h2.balances(["9"], start=12) == [RECOVERED]
        # The cooldown survives too: re-firing within 6h of the first alert is held back.
        assert h2.balances(["4"], start=13) == []
        history = store.alert_history(h.account.name)
        assert [(r.rule, r.kind) for r in history] == [FIRED, RECOVERED]
        assert "acct" in (history[0].message or "")


def test_a_failed_delivery_is_retried_not_lost(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, 'below = "5"\ncooldown = "6h"')
    notifier = h.manager.notifier
    assert isinstance(notifier, RecordingNotifier)
    notifier.fail = True
    assert h.balances(["4", "4"]) == []
    assert h.manager.state(h.account.name, "below") == RuleState(
        fired=True, fired_at=at(0), notified=False
    )
    notifier.fail = False
    assert h.balances(["4"], start=2) == [FIRED]
    assert h.balances(["4"], start=3) == []
    # A recovery that cannot be delivered is owed until it can be.
    notifier.fail = True
    assert h.balances(["9"], start=4) == []
    notifier.fail = False
    assert h.balances(["9"], start=5) == [RECOVERED]
    assert h.balances(["9"], start=6) == []


def test_state_waits_in_memory_when_the_store_refuses(tmp_path: Path, store: Store) -> None:
    h = harness(tmp_path, store, 'below = "5"')
    # Observed before the watcher could record the check: the store does not know the account.
    result = ok(h.account, "4", at(0))
    notices = h.manager.observe(h.account, result)
    assert [(n.rule, n.kind) for n in notices] == [FIRED]
    assert store.get_alert_state(h.account.name, "below") is None
    # The next call, after a check was recorded, writes it.
    assert h.feed(ok(h.account, "4", at(1))) == []
    assert store.get_alert_state(h.account.name, "below") is not None


def test_engine_step_table() -> None:
    from topup.alerts.engine import CLEAR, FIRE, HOLD, settle, step

    cd = timedelta(hours=1)
    s0 = RuleState()
    s1, a1 = step(s0, FIRE, at(0), cd)
    assert a1 == "fired"
    s1 = settle(s1, "fired", True, at(0))
    assert step(s1, FIRE, at(1), cd) == (s1, None)
    assert step(s1, HOLD, at(1), cd) == (s1, None)
    s2, a2 = step(s1, CLEAR, at(2), cd)
    assert a2 == "recovered"
    s2 = settle(s2, "recovered", True, at(2))
    assert not s2.fired and not s2.owed_recovery and s2.last_sent_at == at(0)
    assert RuleState.from_json(s2.to_json()) == s2
    assert RuleState.from_json("not json") == RuleState()
