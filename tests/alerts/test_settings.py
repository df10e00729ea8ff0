"""[alerts] and per-account alerts tables: typed settings, located errors, no URL echoed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from topup.alerts import AlertManager
from topup.alerts.rules import (
    BELOW,
    DISABLED,
    ENDPOINT_RETIRED,
    EXHAUSTED,
    EXPIRING,
    FAILURES,
    RUNWAY,
)
from topup.alerts.values import Hysteresis
from topup.errors import ConfigError

from .helpers import account_toml, config


def _error(tmp_path: Path, alerts: str, extra: str = "") -> ConfigError:
    cfg = config(f"[alerts]\n{alerts}\n\n" + account_toml("acct", extra), tmp_path)
    with pytest.raises(ConfigError) as info:
        AlertManager.from_config(cfg, None)
    return info.value


def test_full_example_parses(tmp_path: Path) -> None:
    text = (
        "[alerts]\n"
        'notify = ["json://127.0.0.1:9999/hook", '
        '{ url = "tgram://123456789:AAbbCCddEEffGGhh/12345", tags = ["team-a"] }]\n'
        'below = "5"\n'
    )
    text += (
        'runway_days = 3\nfailures = 3\nexpiring_days = 7\ncooldown = "6h"\nhysteresis = "10%"\n\n'
    )
    text += account_toml(
        "acct",
        'alerts = { below = "20", runway_days = 5, notify_tags = ["team-a"], enabled = true }',
    )
    cfg = config(text, tmp_path)
    manager = AlertManager.from_config(cfg, None)
    s = manager.settings
    assert [sorted(t.tags) for t in s.targets] == [[], ["team-a"]]
    d = s.defaults
    assert BELOW.setting(d) == Decimal("5") and RUNWAY.setting(d) == Decimal("3")
    assert FAILURES.setting(d) == 3
    assert EXPIRING.setting(d) == Decimal("7") and d.cooldown == timedelta(hours=6)
    assert d.hysteresis == Hysteresis(percent=Decimal("10"))
    assert EXHAUSTED.setting(d) and DISABLED.setting(d) and ENDPOINT_RETIRED.setting(d)
    r = s.rules_for(cfg.accounts[0])
    assert BELOW.setting(r) == Decimal("20") and RUNWAY.setting(r) == Decimal("5")
    assert r.notify_tags == ("team-a",) and FAILURES.setting(r) == 3
    # The telegram token never shows: not in the masked routes, not in any repr.
    assert "AAbbCCddEEffGGhh" not in repr(s)
    assert all("AAbbCCddEEffGGhh" not in shown for shown in manager.notifier.routes(["team-a"]))


def test_defaults_without_an_alerts_table(tmp_path: Path) -> None:
    cfg = config(account_toml("acct", 'min_balance = "3"'), tmp_path)
    manager = AlertManager.from_config(cfg, None)
    r = manager.settings.rules_for(cfg.accounts[0])
    assert BELOW.setting(r) == Decimal("3") and RUNWAY.setting(r) is None
    assert FAILURES.setting(r) == 3
    assert EXPIRING.setting(r) == Decimal("7") and r.cooldown == timedelta(hours=6)
    assert r.hysteresis.clear_level(Decimal("3")) == Decimal("3.3")


@pytest.mark.parametrize(
    ("alerts", "line", "fragment"),
    [
        ('below = "abc"', 2, "below must be a number"),
        ("failures = 0", 2, "failures must be a whole number"),
        ('cooldown = "soon"', 2, "cooldown must be a duration"),
        ('hysteresis = "x%"', 2, "not a percentage"),
        ("runway_days = -1", 2, "runway_days must be a positive number"),
        ('\nbelowe = "5"', 3, "unknown key 'belowe'"),
        ('notify = "ftp-ish"', 2, "not an apprise URL"),
        ('notify = [{ url = "json://h/x", tag = ["a"] }]', 2, "unknown key 'tag'"),
        ('notify = [{ url = "json://h/x", tags = ["a b"] }]', 2, "not a valid tag"),
    ],
)
def test_located_errors_in_the_alerts_table(
    tmp_path: Path, alerts: str, line: int, fragment: str
) -> None:
    error = _error(tmp_path, alerts)
    assert fragment in error.message
    assert error.line == line
    assert error.path == tmp_path / "topup.toml"
    assert error.account is None


def test_located_errors_in_an_account_table(tmp_path: Path) -> None:
    error = _error(tmp_path, 'below = "5"', 'min_balance = "1"\nalerts = { below = "lots" }')
    assert error.account == "acct"
    assert "below must be a number" in error.message
    lines = (tmp_path / "topup.toml").read_text().splitlines()
    assert error.line is not None and "lots" in lines[error.line - 1]
    error = _error(tmp_path, "", 'alerts = { notify_tag = ["a"] }')
    assert error.account == "acct" and "did you mean 'notify_tags'" in (error.hint or "")


def test_an_invalid_apprise_url_is_not_echoed(tmp_path: Path) -> None:
    error = _error(tmp_path, 'notify = ["nosuchscheme://user:TOPSECRETVALUE@host/x"]')
    assert "apprise does not accept" in error.message
    assert "TOPSECRETVALUE" not in error.describe()
