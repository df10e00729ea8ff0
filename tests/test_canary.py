"""A planted secret never leaves topup: not in stdout, stderr, JSON, CSV, logs, reprs or errors.

Each account holds its own unique canary credential (literal, ``env:`` and ``file:``), and the
loopback platform echoes it back everywhere it can: as ``access_token``/``password`` fields, in
error messages, in a 401 body, in an HTML page title, in a message long enough to be cut.
Failure answers also carry canaries that are no account's credential, in secret fields only
(``access_token``, ``password``, ``verification_code`` of a 401 or a 500): those must be
dropped, not masked. The masked form (first 5 and last 4 characters) may appear; no longer
piece of a canary may.
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke, restore_logging, run_subprocess, write_config
from fixtures_loopback import SF_PATH, loopback, relay_status
from loopback import Loopback

from topup import config as config_module
from topup.errors import ConfigError
from topup.model import CheckResult, Status
from topup.platforms import Exchange
from topup.runner import Runner, RunOptions
from topup.secrets import Secret, mask

__all__ = ["loopback", "restore_logging"]

pytestmark = pytest.mark.usefixtures("restore_logging")

WINDOW = 8
_NOISE = re.compile(r"[\s│┃║|─━═┼╋╬┆┊]+")


def canary(tag: str) -> str:
    return f"sk-{tag}-{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}"


def leaks(text: str, secret: str) -> list[str]:
    """Pieces of ``secret`` longer than its mask shows, found in ``text`` (folding ignored)."""
    flat = _NOISE.sub("", text)
    found = []
    for start in range(len(secret) - WINDOW + 1):
        piece = secret[start : start + WINDOW]
        if piece in text or piece in flat:
            found.append(piece)
    return found


def assert_clean(text: str, secrets: dict[str, str], where: str) -> None:
    for name, secret in secrets.items():
        found = leaks(text, secret)
        assert not found, f"{name}'s secret leaked into {where}: {found[:3]}\n{text}"


@pytest.fixture
def planted(loopback: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    secrets = {
        "sf-literal": canary("lit"),
        "sf-long": canary("long"),
        "sf-html": canary("html"),
        "relay-env": canary("env"),
        "ahm-file": canary("file"),
        "key-literal": canary("key"),
        "key-billing": canary("bill"),
        "sf-fields": canary("fld"),
        "relay-500": canary("five"),
        # no account's credential: only in secret fields of failure answers
        "foreign-token": canary("ftok"),
        "foreign-password": canary("fpw"),
        "foreign-code": canary("fvc"),
    }
    s = secrets
    monkeypatch.setenv("TOPUP_TEST_CANARY", s["relay-env"])
    (tmp_path / "ahm.key").write_text(s["ahm-file"] + "\n", encoding="utf-8")
    html = {"content-type": "text/html"}
    loopback.route(
        # 401 whose body repeats the key
        Exchange(
            f"/sf-literal{SF_PATH}", status=401, json=f"Invalid token: Bearer {s['sf-literal']}"
        ),
        # a message long enough to be shortened right through the key
        Exchange(
            f"/sf-long{SF_PATH}",
            status=401,
            json=f"Invalid API key {'.' * 130} {s['sf-long']} (rejected)",
        ),
        # an HTML page under 200 whose title holds the key
        Exchange(
            f"/sf-html{SF_PATH}",
            text=f"<html><head><title>Login for {s['sf-html']}</title></head></html>",
            headers=html,
        ),
        # an ok answer carrying the token back in secret fields and in free text
        relay_status("relay-env"),
        Exchange(
            "/relay-env/api/user/self",
            json={
                "success": True,
                "message": f"hello {s['relay-env']}",
                "data": {
                    "id": 42,
                    "username": s["relay-env"],
                    "access_token": s["relay-env"],
                    "password": s["relay-env"],
                    "verification_code": s["relay-env"],
                    "quota": 1_000_000,
                    "used_quota": 0,
                    "aff_code": s["relay-env"],
                },
            },
        ),
        # success:false whose message repeats the token
        relay_status("ahm-file"),
        Exchange(
            "/ahm-file/api/user/self",
            json={
                "success": False,
                "message": f"access token {s['ahm-file']} 无效",
                "data": {"access_token": s["ahm-file"]},
            },
        ),
        # key mode: 401 one_api_error naming the key
        relay_status("key-literal"),
        Exchange(
            "/key-literal/api/usage/token/",
            status=401,
            json={"error": {"message": f"无效的令牌 {s['key-literal']}", "type": "one_api_error"}},
        ),
        # key mode, billing fallback, 5xx naming the key
        relay_status("key-billing"),
        Exchange("/key-billing/api/usage/token/", status=404, text="404 page not found"),
        Exchange(
            "/key-billing/v1/dashboard/billing/subscription",
            status=500,
            json={"error": {"message": f"upstream refused {s['key-billing']}"}},
        ),
        # 401 whose JSON body is nothing but secret fields (no message to quote)
        Exchange(
            f"/sf-fields{SF_PATH}",
            status=401,
            json={"access_token": s["foreign-token"], "password": s["foreign-password"]},
        ),
        # new-api 500 whose failure envelope carries a verification code
        relay_status("relay-500"),
        Exchange(
            "/relay-500/api/user/self",
            status=500,
            json={
                "success": False,
                "data": {"verification_code": s["foreign-code"], "token": s["foreign-token"]},
            },
        ),
    )
    accounts = [
        {"name": "sf-literal", "provider": "siliconflow", "api_key": s["sf-literal"]},
        {"name": "sf-long", "provider": "siliconflow", "api_key": s["sf-long"]},
        {"name": "sf-html", "provider": "siliconflow", "api_key": s["sf-html"]},
        {
            "name": "relay-env",
            "provider": "newapi",
            "access_token": "env:TOPUP_TEST_CANARY",
            "user_id": 42,
        },
        {"name": "ahm-file", "provider": "aihubmix", "access_token": "file:ahm.key"},
        {"name": "key-literal", "provider": "newapi", "api_key": s["key-literal"]},
        {"name": "key-billing", "provider": "newapi", "api_key": s["key-billing"]},
        {"name": "sf-fields", "provider": "siliconflow", "api_key": s["sf-fields"]},
        {
            "name": "relay-500",
            "provider": "newapi",
            "access_token": s["relay-500"],
            "user_id": 42,
        },
    ]
    for account in accounts:
        account["base_url"] = f"{loopback.url}/{account['name']}"
    path = write_config(tmp_path, accounts, check={"retries": 0, "timeout": 5})
    return {"secrets": secrets, "config": path, "server": loopback}


@pytest.mark.parametrize("mode", [[], ["--json"], ["--csv"]], ids=["table", "json", "csv"])
def test_no_canary_in_output_or_logs(
    planted: dict[str, Any], caplog: pytest.LogCaptureFixture, mode: list[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    result = invoke(
        ["check", "-c", str(planted["config"]), *mode], env={"TOPUP_LOG_LEVEL": "DEBUG"}
    )
    secrets = planted["secrets"]
    assert result.exit_code == 1
    server: Loopback = planted["server"]
    assert server.count("/relay-env/api/user/self") == 1
    seen = {r.headers.get("authorization") for r in server.requests}
    assert f"Bearer {secrets['sf-literal']}" in seen  # the canary really was sent
    assert_clean(result.stdout, secrets, "stdout")
    assert_clean(result.stderr, secrets, "stderr")
    assert_clean(caplog.text, secrets, "logs")
    for record in caplog.records:
        assert_clean(record.getMessage(), secrets, "a log record")
    if mode == ["--json"]:
        assert mask(secrets["sf-literal"]) in result.stdout  # scrubbed, not dropped


def test_no_canary_from_the_installed_command_with_debug_logs(planted: dict[str, Any]) -> None:
    secrets = planted["secrets"]
    for mode in ([], ["--json"], ["--csv"]):
        done = run_subprocess(
            ["check", "-c", str(planted["config"]), *mode],
            env={"TOPUP_LOG_LEVEL": "DEBUG", "TOPUP_TEST_CANARY": secrets["relay-env"]},
        )
        assert done.returncode == 1, done.stderr
        assert "DEBUG" in done.stderr  # logging really was on
        assert_clean(done.stdout, secrets, f"stdout {mode}")
        assert_clean(done.stderr, secrets, f"stderr {mode}")


def test_results_reprs_and_accounts_hold_no_canary(planted: dict[str, Any]) -> None:
    import asyncio

    cfg = config_module.load(planted["config"])
    secrets = planted["secrets"]

    async def main() -> list[CheckResult]:
        async with Runner(RunOptions(retries=0, timeout=5)) as runner:
            return await runner.check_all(cfg.accounts)

    results = asyncio.run(main())
    by_name = {r.account: r for r in results}
    assert by_name["relay-env"].status is Status.OK
    for result in results:
        assert_clean(repr(result), secrets, f"repr of {result.account}'s result")
        assert_clean(str(result), secrets, f"str of {result.account}'s result")
    for account in cfg.accounts:
        assert account.secrets, account.name
        assert account.secrets[0].reveal() == secrets[account.name]
        assert_clean(repr(account), secrets, "repr(Account)")
        assert_clean(str(account), secrets, "str(Account)")
        assert_clean(f"{account.credentials}", secrets, "credentials mapping")
        assert_clean(account.fingerprint, secrets, "fingerprint")
    assert_clean(repr(cfg), secrets, "repr(Config)")


def test_secret_wrapper_never_prints_its_value() -> None:
    value = canary("wrap")
    secret = Secret(value)
    for text in (
        str(secret),
        repr(secret),
        f"{secret}",
        format(secret, ""),
        f"{secret!r}",
        str([secret]),
    ):
        assert not leaks(text, value), text
    assert secret.reveal() == value
    assert mask(value) in str(secret)


def test_log_redaction_masks_credentials_logged_by_anyone(
    planted: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    invoke(["check", "-c", str(planted["config"]), "--json"])
    secret = planted["secrets"]["sf-literal"]
    logging.getLogger("some.library").warning("sending key=%s", secret)
    logging.getLogger("topup.something").debug("token %s", secret)
    assert_clean(caplog.text, planted["secrets"], "logs")
    assert mask(secret) in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}\n',
        '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}"\napi_kye = "{c}"\n',
        '[[accounts]]\nname = "a"\nprovider = "siliconflw"\napi_key = "{c}"\n',
        '[[accounts]]\nname = "a"\nprovider = "newapi"\napi_key = "{c}"\n',
        '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}"\n'
        '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}"\n',
        '[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}"\nenabled = "{c}"\n',
        'nonsense = "{c}"\n[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "{c}"\n',
    ],
    ids=["syntax", "unknown-key", "provider", "no-base-url", "dup", "bad-enabled", "top-level"],
)
def test_config_errors_hold_no_canary(tmp_path: Path, body: str, loopback: Loopback) -> None:
    secret = canary("cfg")
    path = tmp_path / "config.toml"
    path.write_text(body.replace("{c}", secret), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    text = f"{caught.value} {caught.value.describe()} {caught.value!r}"
    assert_clean(text, {"cfg": secret}, "a ConfigError")
    result = invoke(["check", "-c", str(path)])
    assert result.exit_code == 2
    assert_clean(result.stdout + result.stderr, {"cfg": secret}, "the config error output")
