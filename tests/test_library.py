"""The library API: what `import topup` offers a script, pinned."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import write_config
from fixtures_loopback import loopback, sf_ok
from loopback import Loopback

import topup
from topup import errors, model

__all__ = ["loopback"]

PUBLIC = [
    "Account",
    "AuthError",
    "BadResponseError",
    "Balance",
    "CheckError",
    "CheckResult",
    "Config",
    "ConfigError",
    "DisabledError",
    "EndpointRetiredError",
    "ExhaustedError",
    "RateLimitedError",
    "RunOptions",
    "Status",
    "TopupError",
    "UnavailableError",
    "UnreachableError",
    "check",
    "check_async",
    "load",
    "parse",
]


def test_all_is_pinned_and_every_name_resolves() -> None:
    assert topup.__all__ == PUBLIC
    for name in topup.__all__:
        assert getattr(topup, name) is not None
    assert set(PUBLIC) <= set(dir(topup))
    with pytest.raises(AttributeError):
        topup.nothing_like_this  # type: ignore[attr-defined]  # noqa: B018


def test_the_error_tree_and_result_types_are_the_real_ones() -> None:
    assert topup.CheckResult is model.CheckResult and topup.Status is model.Status
    assert topup.Balance is model.Balance
    for name in PUBLIC:
        if name.endswith("Error"):
            assert getattr(topup, name) is getattr(errors, name)
            assert issubclass(getattr(topup, name), topup.TopupError)
    assert issubclass(topup.ExhaustedError, topup.CheckError)


def test_a_script_loads_the_config_and_checks_sync_and_async(
    loopback: Loopback, tmp_path: Path
) -> None:
    loopback.route(sf_ok("a", "9.5"))
    account = {"name": "a", "provider": "siliconflow", "api_key": "sk-lib-0000001"}
    path = write_config(tmp_path, [{**account, "base_url": f"{loopback.url}/a"}])
    config = topup.load(path)
    options = topup.RunOptions(timeout=5)
    (result,) = topup.check(config.select([]), options)
    assert isinstance(result, topup.CheckResult) and result.status is topup.Status.OK
    assert str(result.balance) == "9.5"
    (again,) = asyncio.run(topup.check_async(config.accounts, options))
    assert again.status is topup.Status.OK and again.balance == result.balance
    with pytest.raises(topup.ConfigError):
        topup.load(tmp_path / "absent.toml")


def test_importing_topup_does_not_load_the_http_client() -> None:
    code = "import sys, topup; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
