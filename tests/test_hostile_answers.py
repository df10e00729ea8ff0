"""Answers written by a hostile platform: secrets in failures, escape sequences, huge messages.

Every text a platform chooses is sanitised where answers are read and again where a result
leaves the runner (:mod:`topup.sanitize`), so no output (table, JSON, CSV, logs, storage, web)
ever sees a secret field's value, a control character or a megabyte of message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke, write_config
from fixtures_loopback import SF_PATH, loopback, relay_account, relay_status, sf_account
from loopback import Loopback
from test_runner import one

from topup.model import Status
from topup.platforms import Exchange
from topup.sanitize import MESSAGE_LIMIT, message, platform_text
from topup.secrets import Secret
from topup.storage import Store, sqlite_url
from topup.watch.logline import check_line

__all__ = ["loopback"]

FOREIGN = {
    "access_token": "AT-9f1c7e2a5d3b-foreign",
    "password": "PW-4e8a1c9d2f7b-foreign",
    "verification_code": "VC-7d2b9e4a1c6f-foreign",
    "secret_key": "SK-2a6f8c1e4b9d-foreign",
    "token": "TK-5c3e9a7f2d1b-foreign",
}
HOSTILE = "\u001b]0;TITLE\u0007\u001b[2J\u001b[31mkey rejected \u009b0m\u202eevil\r\nline two\x00"
# Control characters, DEL, C1, line/paragraph separators, bidi overrides/isolates, BOM.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def assert_no_foreign_secret(text: str) -> None:
    for name, value in FOREIGN.items():
        assert value not in text, f"{name} leaked: {text}"


# -- 1. secret fields in failure answers --------------------------------------------------------
FAILURES = {
    "sf-401-fields-only": Exchange(
        f"/a{SF_PATH}",
        status=401,
        json={"access_token": FOREIGN["access_token"], "password": FOREIGN["password"]},
    ),
    "sf-403-nested": Exchange(
        f"/a{SF_PATH}",
        status=403,
        json={
            "data": {"user": {"Secret_Key": FOREIGN["secret_key"]}},
            "list": [{"token": FOREIGN["token"]}],
        },
    ),
    "sf-401-cut-json": Exchange(
        f"/a{SF_PATH}",
        status=401,
        text=f'{{"code":401,"password":"{FOREIGN["password"]}","access_token":"AT-9f1c',
        headers={"content-type": "application/json"},
    ),
    "sf-401-form": Exchange(
        f"/a{SF_PATH}",
        status=401,
        text=f"error=denied&access_token={FOREIGN['access_token']}&password={FOREIGN['password']}",
    ),
    "sf-500-fields": Exchange(
        f"/a{SF_PATH}",
        status=500,
        json={"data": {"verification_code": FOREIGN["verification_code"]}},
    ),
}


@pytest.mark.parametrize("exchange", FAILURES.values(), ids=FAILURES.keys())
def test_secret_fields_of_failed_siliconflow_answers_never_reach_the_message(
    loopback: Loopback, exchange: Exchange
) -> None:
    loopback.route(exchange)
    result, _ = one(sf_account(loopback, "a"), retries=0)
    assert result.status in (Status.AUTH_ERROR, Status.BAD_RESPONSE, Status.UNAVAILABLE)
    assert result.message
    assert_no_foreign_secret(result.message)
    assert "HTTP" in result.message  # still says what happened


def test_a_new_api_500_does_not_quote_its_verification_code(loopback: Loopback) -> None:
    loopback.route(
        relay_status("r"),
        Exchange(
            "/r/api/user/self",
            status=500,
            json={"success": False, "data": {"verification_code": FOREIGN["verification_code"]}},
        ),
    )
    result, _ = one(relay_account(loopback, "r"), retries=0)
    assert result.status is Status.UNAVAILABLE
    assert_no_foreign_secret(result.message or "")
    assert "success" in (result.message or "")  # the rest of the body is still quoted


def test_a_new_api_failure_message_with_secret_pairs_is_redacted(loopback: Loopback) -> None:
    loopback.route(
        relay_status("r"),
        Exchange(
            "/r/api/user/self",
            json={
                "success": False,
                "message": f'bad request: {{"password": "{FOREIGN["password"]}"',
            },
        ),
    )
    result, _ = one(relay_account(loopback, "r"), retries=0)
    assert result.status is Status.BAD_RESPONSE
    assert_no_foreign_secret(result.message or "")


# -- 2. terminal escape injection ---------------------------------------------------------------
def hostile_config(loopback: Loopback, tmp_path: Path, message_text: str) -> Path:
    loopback.route(
        Exchange(f"/esc{SF_PATH}", status=401, json={"message": message_text}),
        Exchange(f"/five{SF_PATH}", status=503, json={"message": message_text}),
        relay_status("relay"),
        Exchange("/relay/api/user/self", json={"success": False, "message": message_text}),
    )
    accounts: list[Mapping[str, Any]] = [
        {"name": "esc", "provider": "siliconflow", "api_key": "sk-esc-0000-0000"},
        {"name": "five", "provider": "siliconflow", "api_key": "sk-five-000-0000"},
        {"name": "relay", "provider": "newapi", "access_token": "relay-tok-0000", "user_id": 42},
    ]
    located = [{**a, "base_url": f"{loopback.url}/{a['name']}"} for a in accounts]
    return write_config(tmp_path, located, check={"retries": 0, "timeout": 5})


def test_escape_sequences_never_reach_the_table_json_csv_or_log_lines(
    loopback: Loopback, tmp_path: Path
) -> None:
    path = hostile_config(loopback, tmp_path, HOSTILE)
    for mode in ([], ["--json"], ["--csv"]):
        result = invoke(["check", "-c", str(path), *mode])
        assert result.exit_code == 1, result.stdout
        for text in (result.stdout, result.stderr):
            assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text, repr(text)
            assert "TITLE" not in text
        assert "key rejected" in result.stdout
    doc = json.loads(invoke(["check", "-c", str(path), "--json"]).stdout)
    for item in doc["results"]:
        assert not UNSAFE.search(item["message"]), item
        assert "key rejected evil line two" in item["message"]


def test_a_results_message_and_its_log_line_are_one_safe_line(loopback: Loopback) -> None:
    loopback.route(Exchange(f"/a{SF_PATH}", status=401, json={"message": HOSTILE}))
    result, _ = one(sf_account(loopback, "a"), retries=0)
    assert result.message is not None
    assert not UNSAFE.search(result.message), repr(result.message)
    assert not UNSAFE.search(check_line(result))


# -- 4. unbounded messages ----------------------------------------------------------------------
def test_a_megabyte_message_is_cut_with_a_marker(loopback: Loopback, tmp_path: Path) -> None:
    huge = "quota exhausted " + "x" * 1_500_000
    path = hostile_config(loopback, tmp_path, huge)
    result, _ = one(sf_account(loopback, "esc", key="sk-esc-0000-0000"), retries=0)
    assert result.message is not None
    assert len(result.message) <= MESSAGE_LIMIT
    assert "chars]" in result.message  # says it was cut
    table = invoke(["check", "-c", str(path)])
    assert len(table.stdout.splitlines()) < 60, table.stdout[:2000]
    as_json = invoke(["check", "-c", str(path), "--json"])
    assert len(as_json.stdout) < 10_000
    for item in json.loads(as_json.stdout)["results"]:
        assert len(item["message"]) <= MESSAGE_LIMIT


# -- the sanitiser itself ----------------------------------------------------------------------
def test_sanitising_is_idempotent_and_masks_credentials_cut_in_half() -> None:
    key = Secret("sk-" + "k" * 40 + "tail")
    text = f"{HOSTILE} {'.' * (MESSAGE_LIMIT - 30)} {key.reveal()} password={FOREIGN['password']}"
    once = message(text, [key])
    assert message(once, [key]) == once
    assert platform_text(platform_text(text)) == platform_text(text)
    assert key.reveal()[:12] not in once and FOREIGN["password"] not in once
    assert len(once) <= MESSAGE_LIMIT and not UNSAFE.search(once)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ('{"Password": "p1", "api_key":"k2", "keep": "x"}', '"keep": "x"'),
        ("access_token=abc&user=bob", "user=bob"),
        ("{'secret': 'hush', 'ok': 1}", "'ok': 1"),
    ],
)
def test_secret_pairs_in_free_text_lose_their_values(raw: str, shown: str) -> None:
    cleaned = platform_text(raw)
    assert shown in cleaned
    for value in ("p1", "k2", "abc", "hush"):
        assert f"{value}" not in cleaned.replace("[redacted]", ""), cleaned


def test_the_history_database_stores_only_the_sanitised_message(
    loopback: Loopback, tmp_path: Path
) -> None:
    path = hostile_config(loopback, tmp_path, HOSTILE + " x" * 400_000)
    db = tmp_path / "h.db"
    invoke(["watch", "--once", "-c", str(path), "--db", str(db)])
    with Store.open(sqlite_url(db)) as store:
        for name in ("esc", "five", "relay"):
            [check] = store.check_history(name)
            assert check.message is not None
            assert not UNSAFE.search(check.message) and "TITLE" not in check.message
            assert len(check.message) <= MESSAGE_LIMIT
