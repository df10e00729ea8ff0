"""`topup check` end to end against a real HTTP server on loopback: table, JSON, CSV, exits."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke, restore_logging, run_subprocess, write_config
from fixtures_loopback import SF_PATH, loopback, relay_self, relay_status, sf_ok
from loopback import Loopback, free_port
from typer.testing import CliRunner

from topup.cli.app import app
from topup.model import RESULT_FIELDS
from topup.platforms import Exchange

__all__ = ["loopback", "restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")

AMOUNTS = ("balance", "granted", "paid", "used")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def sf(server: Loopback, name: str, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "provider": "siliconflow",
        "api_key": f"sk-{name}-key-123456",
        "base_url": f"{server.url}/{name}",
        **more,
    }


def relay(server: Loopback, name: str, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "provider": "newapi",
        "access_token": f"{name}-token-123456",
        "user_id": 42,
        "base_url": f"{server.url}/{name}",
        **more,
    }


def mixed(server: Loopback, tmp_path: Path) -> Path:
    """alpha 88.88 USD ok; beta 123 USD (used 77) ok; gamma 3.5 CNY ok; delta 401."""
    server.route(
        sf_ok("alpha", "88.88", granted="0.88", paid="88.00"),
        relay_status("beta"),
        relay_self("beta", quota=61_500_000, used=38_500_000),
        sf_ok("gamma", "3.5"),
        Exchange(f"/delta{SF_PATH}", status=401, json="Invalid token"),
    )
    return write_config(
        tmp_path,
        [
            sf(server, "alpha"),
            relay(server, "beta"),
            sf(server, "gamma", currency="CNY"),
            sf(server, "delta"),
        ],
    )


def all_ok(server: Loopback, tmp_path: Path, **alpha: Any) -> Path:
    server.route(
        sf_ok("alpha", "88.88", granted="0.88", paid="88.00"),
        relay_status("beta"),
        relay_self("beta", quota=61_500_000, used=38_500_000),
    )
    return write_config(tmp_path, [sf(server, "alpha", **alpha), relay(server, "beta")])


def row(output: str, name: str) -> str:
    lines = [line for line in output.splitlines() if re.match(rf"^\W*{re.escape(name)}\b", line)]
    assert len(lines) == 1, output
    return lines[0]


# -- the table -------------------------------------------------------------------------------
def test_table_shows_balances_with_currency_status_and_totals(
    loopback: Loopback, tmp_path: Path
) -> None:
    path = mixed(loopback, tmp_path)
    result = invoke(["check", "--config", str(path)])
    out = result.stdout
    assert result.exit_code == 1, out + result.stderr
    alpha = row(out, "alpha")
    assert "88.88 USD" in alpha and "ok" in alpha and "siliconflow" in alpha
    beta = row(out, "beta")
    assert "123.00 USD" in beta and "77.00 USD" in beta and "ok" in beta
    gamma = row(out, "gamma")
    assert "3.50 CNY" in gamma
    delta = row(out, "delta")
    assert "unknown" in delta and "key rejected" in delta and "Invalid token" in delta
    assert not re.search(r"\b0(\.00)?\b", delta), delta  # unknown is never shown as zero
    totals = [line for line in out.splitlines() if "Total" in line]
    assert any("211.88 USD" in line for line in totals), out
    assert any("3.50 CNY" in line for line in totals), out
    assert any("1 unknown, not counted" in line for line in totals), out


def test_table_with_nothing_known_shows_no_zero_total(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(Exchange(f"/a{SF_PATH}", status=503, json="busy"))
    path = write_config(tmp_path, [sf(loopback, "a")], check={"retries": 0})
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "unknown" in row(result.stdout, "a")
    assert "0.00" not in result.stdout
    assert "unavailable" in result.stdout


def test_below_min_balance_is_exit_3_and_says_so(loopback: Loopback, tmp_path: Path) -> None:
    path = all_ok(loopback, tmp_path, min_balance=100)
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 3, result.stdout
    assert "below min_balance 100.00 USD" in row(result.stdout, "alpha")


def test_above_min_balance_is_exit_0(loopback: Loopback, tmp_path: Path) -> None:
    path = all_ok(loopback, tmp_path, min_balance="50")
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    ("data", "status"),
    [({"quota": 0, "used_quota": 1000}, "exhausted"), ({"quota": 5000, "status": 2}, "disabled")],
)
def test_exhausted_or_disabled_is_exit_3(
    loopback: Loopback, tmp_path: Path, data: dict[str, int], status: str
) -> None:
    loopback.route(sf_ok("alpha", "1"), relay_status("beta"), relay_self("beta", **data))
    path = write_config(tmp_path, [sf(loopback, "alpha"), relay(loopback, "beta")])
    result = invoke(["check", "-c", str(path), "--json"])
    assert result.exit_code == 3, result.stdout
    beta = json.loads(result.stdout)["results"][1]
    assert beta["status"] == status
    assert beta["balance"] is not None


def test_a_failure_outranks_a_low_balance(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("alpha", "1"), Exchange(f"/delta{SF_PATH}", status=410, text="Gone"))
    path = write_config(tmp_path, [sf(loopback, "alpha", min_balance=5), sf(loopback, "delta")])
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "endpoint retired" in row(result.stdout, "delta")


def test_all_ok_is_exit_0(loopback: Loopback, tmp_path: Path) -> None:
    path = all_ok(loopback, tmp_path)
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_unreachable_platform_is_exit_1(tmp_path: Path) -> None:
    account = {
        "name": "off",
        "provider": "siliconflow",
        "api_key": "sk-x-123456",
        "base_url": f"http://127.0.0.1:{free_port()}",
    }
    result = invoke(["check", "-c", str(write_config(tmp_path, [account])), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["results"][0]["status"] == "unreachable"


# -- JSON ------------------------------------------------------------------------------------
def test_an_account_below_its_min_balance_is_low_in_json_and_csv(
    loopback: Loopback, tmp_path: Path
) -> None:
    loopback.route(sf_ok("alpha", "1"), sf_ok("beta", "100"))
    path = write_config(tmp_path, [sf(loopback, "alpha", min_balance=5), sf(loopback, "beta")])
    result = invoke(["check", "-c", str(path), "--json"])
    assert result.exit_code == 3
    alpha, beta = json.loads(result.stdout)["results"]
    assert (alpha["status"], alpha["low"], alpha["attention"]) == ("ok", True, ["low"])
    assert (beta["status"], beta["low"], beta["attention"]) == ("ok", False, [])
    rows = list(csv.DictReader(io.StringIO(invoke(["check", "-c", str(path), "--csv"]).stdout)))
    assert [(r["low"], r["attention"]) for r in rows] == [("true", '["low"]'), ("false", "")]


def test_a_short_runway_from_history_is_attention_in_the_table_json_and_csv(
    loopback: Loopback, tmp_path: Path
) -> None:
    from datetime import timedelta

    from topup.model import CheckResult, Status, utcnow
    from topup.storage import Store, sqlite_url

    url = sqlite_url(tmp_path / "history.db")
    with Store.open(url) as store:  # 3 USD a day, 4 left: 1.3 days
        for days_ago, balance in ((3, "13"), (2, "10"), (1, "7"), (0, "4")):
            at = utcnow() - timedelta(days=days_ago)
            kept = CheckResult(
                "alpha", "siliconflow", Status.OK, currency="USD", balance=Decimal(balance)
            )
            store.record([(replace(kept, checked_at=at), "fp")])
    loopback.route(sf_ok("alpha", "4"), sf_ok("beta", "100"))
    path = write_config(tmp_path, [sf(loopback, "alpha"), sf(loopback, "beta")])
    path.write_text(f'[storage]\nurl = "{url}"\n\n' + path.read_text(), encoding="utf-8")
    table = invoke(["check", "-c", str(path)], env={"COLUMNS": "160"})
    assert "runs out soon" in row(table.stdout, "alpha"), table.stdout
    alpha, beta = json.loads(invoke(["check", "-c", str(path), "--json"]).stdout)["results"]
    assert (alpha["attention"], beta["attention"]) == (["runway"], [])
    rows = list(csv.DictReader(io.StringIO(invoke(["check", "-c", str(path), "--csv"]).stdout)))
    assert [r["attention"] for r in rows] == ['["runway"]', ""]


def test_json_shape_field_names_and_amounts(loopback: Loopback, tmp_path: Path) -> None:
    path = mixed(loopback, tmp_path)
    result = invoke(["check", "-c", str(path), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert list(document) == ["checked_at", "results"]
    assert ISO_UTC.match(document["checked_at"])
    assert [r["account"] for r in document["results"]] == ["alpha", "beta", "gamma", "delta"]
    for entry in document["results"]:
        assert list(entry) == list(RESULT_FIELDS)
        assert list(entry) == [
            "account",
            "provider",
            "status",
            "currency",
            "balance",
            "granted",
            "paid",
            "used",
            "unlimited",
            "request_count",
            "expires_at",
            "checked_at",
            "message",
            "balances",
            "windows",
            "scope",
            "limit",
            "period",
            "low",
            "attention",
        ]
        assert isinstance(entry["low"], bool) and isinstance(entry["attention"], list)
        for field in AMOUNTS:
            assert entry[field] is None or isinstance(entry[field], str), (field, entry)
        assert isinstance(entry["unlimited"], bool)
        assert ISO_UTC.match(entry["checked_at"])
    alpha, beta, gamma, delta = document["results"]
    assert (alpha["balance"], alpha["granted"], alpha["used"]) == ("88.88", "0.88", None)
    assert Decimal(alpha["paid"]) == Decimal("88.00")
    assert alpha["currency"] == "USD" and alpha["status"] == "ok" and alpha["message"] is None
    assert (beta["balance"], beta["used"], beta["request_count"]) == ("123", "77", 7)
    assert beta["provider"] == "newapi"
    assert (gamma["currency"], gamma["balance"]) == ("CNY", "3.5")
    assert delta["status"] == "auth_error"
    for field in (*AMOUNTS, "currency", "request_count", "expires_at"):
        assert delta[field] is None, field
    assert delta["message"]


def test_json_and_csv_together_is_a_usage_error(loopback: Loopback, tmp_path: Path) -> None:
    path = all_ok(loopback, tmp_path)
    result = invoke(["check", "-c", str(path), "--json", "--csv"])
    assert result.exit_code == 2
    assert "--json" in result.stderr and "--csv" in result.stderr
    assert loopback.total == 0


# -- CSV -------------------------------------------------------------------------------------
def test_csv_header_and_rows(loopback: Loopback, tmp_path: Path) -> None:
    path = mixed(loopback, tmp_path)
    result = invoke(["check", "-c", str(path), "--csv"])
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(RESULT_FIELDS)
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["account"] for r in records] == ["alpha", "beta", "gamma", "delta"]
    alpha, beta, gamma, delta = records
    assert (alpha["balance"], alpha["granted"], alpha["currency"]) == ("88.88", "0.88", "USD")
    assert Decimal(alpha["paid"]) == Decimal("88.00")
    assert alpha["used"] == "" and alpha["unlimited"] == "false" and alpha["message"] == ""
    assert (beta["balance"], beta["used"], beta["request_count"]) == ("123", "77", "7")
    assert (gamma["balance"], gamma["currency"]) == ("3.5", "CNY")
    assert delta["status"] == "auth_error"
    assert all(delta[f] == "" for f in (*AMOUNTS, "currency")), delta
    assert delta["message"]


# -- selection and usage errors --------------------------------------------------------------
def test_named_accounts_only(loopback: Loopback, tmp_path: Path) -> None:
    path = mixed(loopback, tmp_path)
    result = invoke(["check", "-c", str(path), "--json", "gamma", "alpha"])
    assert result.exit_code == 0, result.stdout
    assert [r["account"] for r in json.loads(result.stdout)["results"]] == ["gamma", "alpha"]
    assert loopback.count(f"/alpha{SF_PATH}") == 1
    assert loopback.count(f"/gamma{SF_PATH}") == 1
    assert loopback.total == 2


def test_disabled_accounts_are_skipped_unless_named(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("alpha", "1"), sf_ok("off", "2"))
    path = write_config(tmp_path, [sf(loopback, "alpha"), sf(loopback, "off", enabled=False)])
    result = invoke(["check", "-c", str(path), "--json"])
    assert [r["account"] for r in json.loads(result.stdout)["results"]] == ["alpha"]
    assert loopback.count(f"/off{SF_PATH}") == 0


def test_unknown_account_name_is_exit_2(loopback: Loopback, tmp_path: Path) -> None:
    path = mixed(loopback, tmp_path)
    result = invoke(["check", "-c", str(path), "alpah"])
    assert result.exit_code == 2
    assert "alpah" in result.stderr and "alpha" in result.stderr
    assert "Nothing was checked" in result.stderr
    assert loopback.total == 0


def test_config_section_settings_apply(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("a", "1"))
    loopback.throttle(f"/a{SF_PATH}", times=5, retry_after="0")
    path = write_config(tmp_path, [sf(loopback, "a")], check={"retries": 1})
    result = invoke(["check", "-c", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["results"][0]["status"] == "rate_limited"
    assert loopback.count(f"/a{SF_PATH}") == 2


# -- the installed command, in a real process ------------------------------------------------
def test_installed_command_json_and_exit_status(loopback: Loopback, tmp_path: Path) -> None:
    path = mixed(loopback, tmp_path)
    done = run_subprocess(["check", "--json", "--config", str(path)])
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert [r["status"] for r in document["results"]] == ["ok", "ok", "ok", "auth_error"]


def test_module_entry_point_honours_topup_config_and_exit_3(
    loopback: Loopback, tmp_path: Path
) -> None:
    path = all_ok(loopback, tmp_path, min_balance=1000)
    done = run_subprocess(["check", "--csv"], env={"TOPUP_CONFIG": str(path)}, module=True)
    assert done.returncode == 3, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(RESULT_FIELDS)
    assert len(done.stdout.splitlines()) == 3


def test_installed_command_config_error_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[accounts]]\nname = "x"\nprovider = "nope"\n', encoding="utf-8")
    done = run_subprocess(["check", "-c", str(path)])
    assert done.returncode == 2
    assert str(path) in done.stderr.replace("\n", "")
    assert done.stdout == ""


# -- what a person sees ----------------------------------------------------------------------
def test_naming_an_account_twice_checks_it_once(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("a", "88.88"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-twice-000001"}
    path = write_config(tmp_path, [{**account, "base_url": f"{loopback.url}/a"}])
    result = invoke(["check", "--json", "-c", str(path), "a", "a"])
    assert result.exit_code == 0
    assert result.stdout.count('"account": "a"') == 1
    assert loopback.count(f"/a{SF_PATH}") == 1


def test_below_minimum_is_visible_in_the_table(loopback: Loopback, tmp_path: Path) -> None:
    loopback.route(sf_ok("a", "2"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-low-0000001"}
    path = write_config(
        tmp_path, [{**account, "base_url": f"{loopback.url}/a", "min_balance": "5"}]
    )
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 3
    assert "ok, low" in result.stdout


def test_check_keeps_its_table_when_the_history_url_is_unusable(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[storage]\nurl = "nosuch://x"\n\n[[accounts]]\nname = "off"\nprovider = "openrouter"\n'
        'api_key = "sk-or-v1-x"\nenabled = false\n'
    )
    out = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert out.exit_code == 0 and "No accounts" in out.stdout


def test_an_account_with_totals_false_is_left_out_of_the_table_total(
    loopback: Loopback, tmp_path: Path
) -> None:
    loopback.route(sf_ok("relay", "100"), sf_ok("key", "40"))
    path = write_config(tmp_path, [sf(loopback, "relay"), sf(loopback, "key", totals=False)])
    result = invoke(["check", "-c", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    total = row(result.stdout, "Total")
    assert "100" in total and "140" not in total
    assert "1 excluded (key)" in result.stdout
