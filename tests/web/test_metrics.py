"""``/metrics`` parsed with prometheus-client's own parser."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from topup.account import Account
from topup.storage import Store, sqlite_url
from topup.web.metrics import Metrics
from topup.web.views import Board

from .support import Server, ok


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def labels(account: str, provider: str, currency: str, **more: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted({"account": account, "provider": provider, "currency": currency, **more}.items())
    )


def test_metrics_parse_and_carry_the_numbers(open_server: Server) -> None:
    with open_server.client() as c:
        r = c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    s = samples(r.text)
    alpha = labels("alpha", "siliconflow", "CNY")
    assert s[("topup_balance", alpha)] == 108.0
    assert abs(s[("topup_runway_days", alpha)] - 18.109) < 0.001
    assert abs(s[("topup_spend_per_day", alpha)] - 5.9639) < 0.001
    assert s[("topup_used", alpha)] == 892.0
    assert s[("topup_check_duration_seconds", alpha)] == 0.123
    assert s[("topup_last_success_timestamp_seconds", alpha)] > 1.7e9
    checks = labels("alpha", "siliconflow", "CNY", status="ok")
    assert s[("topup_checks_total", checks)] >= 168
    charlie_fail = labels("charlie", "newapi", "USD", status="unreachable")
    assert s[("topup_checks_total", charlie_fail)] == 1
    assert s[("topup_stale", labels("delta", "aihubmix", "USD"))] == 1.0
    # Unknown is absent, never zero: echo has no balance, unlimited has no balance/runway.
    names = {(name, dict(lbl)["account"]) for name, lbl in s}
    assert ("topup_balance", "echo") not in names
    assert ("topup_balance", "unlim") not in names
    assert ("topup_runway_days", "unlim") not in names


def test_check_counter_grows_with_new_checks(open_server: Server) -> None:
    key = ("topup_checks_total", labels("bravo", "newapi", "USD", status="ok"))
    with open_server.client() as c:
        before = samples(c.get("/metrics").text)[key]
        c.post("/api/check", json={"accounts": ["bravo"]}).raise_for_status()
        after = samples(c.get("/metrics").text)[key]
    assert after == before + 1


def test_label_values_are_escaped_and_lines_follow_changes(tmp_path: Path) -> None:
    odd = 'we"ird\\name'
    with Store.open(sqlite_url(tmp_path / "h.db")) as store:
        now = datetime.now(UTC)
        store.record([(ok(odd, "newapi", now, "12.5"), "fp"), (ok("b", "newapi", now, "3"), "fp")])
        accounts = [Account(name=n, provider="newapi") for n in (odd, "b")]
        metrics = Metrics(Board(store, accounts))
        first = samples(metrics.render().decode())
        assert first[("topup_balance", labels(odd, "newapi", "USD"))] == 12.5
        assert first[("topup_checks_total", labels(odd, "newapi", "USD", status="ok"))] == 1
        store.record([(ok("b", "newapi", now, "2"), "fp")])
        second = samples(metrics.render().decode())
        assert second[("topup_balance", labels("b", "newapi", "USD"))] == 2.0
        assert second[("topup_checks_total", labels("b", "newapi", "USD", status="ok"))] == 2
        assert second[("topup_balance", labels(odd, "newapi", "USD"))] == 12.5
