"""`totals = false`: an account left out of every total (a relay key counted via the relay)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from topup import config as config_module
from topup.errors import ConfigError
from topup.model import CheckResult, CurrencyBalance, Status

ACCOUNT = '[[accounts]]\nname = "{name}"\nprovider = "deepseek"\napi_key = "sk-x"\n{extra}\n'


def _load(tmp_path: Path, text: str) -> config_module.Config:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return config_module.load(path)


def test_totals_false_is_read_and_defaults_to_true(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        ACCOUNT.format(name="relay", extra="") + ACCOUNT.format(name="key", extra="totals = false"),
    )
    assert [a.totals for a in cfg.accounts] == [True, False]


def test_totals_must_be_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="totals must be true or false"):
        _load(tmp_path, ACCOUNT.format(name="a", extra='totals = "no"'))


def test_an_account_out_of_the_totals_counts_nothing(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        ACCOUNT.format(name="relay", extra="") + ACCOUNT.format(name="key", extra="totals = false"),
    )
    relay, key = cfg.accounts
    seen = CheckResult("key", "deepseek", Status.OK, currency="CNY", balance=Decimal("5"))
    assert relay.counted(seen) == (CurrencyBalance(currency="CNY", balance=Decimal("5")),)
    assert key.counted(seen) == ()
    assert relay.counted(None) == ()
