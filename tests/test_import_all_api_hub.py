"""`topup import all-api-hub`: an extension backup becomes a config that loads and checks."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import topup.cli  # registers `topup check`
import topup.cli.importer  # noqa: F401
from topup.cli.app import app
from topup.config import load
from topup.importers.plan import sanitise_name, unique_name
from topup.importers.write import toml_string
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState

DATA = Path(__file__).parent / "data" / "allapihub"
V4 = DATA / "backup-v4.json"


def tokens(backup: Path) -> list[str]:
    """Every credential in a backup: none may ever be printed."""
    try:
        data = json.loads(backup.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("access_token", "sessionCookie") and isinstance(value, str) and value:
                    found.append(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def run(backup: Path, config: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        app, ["import", "all-api-hub", str(backup), "--config", str(config), *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for token in tokens(backup):
        assert token not in result.stdout
        assert token not in result.stderr
    return result


def accounts_of(config: Path) -> dict[str, Any]:
    return {a.name: a for a in load(config).accounts}


def test_new_api_family_aihubmix_and_openrouter_accounts_are_written_and_load(
    tmp_path: Path,
) -> None:
    config = tmp_path / "topup.toml"
    result = run(V4, config)
    assert result.exit_code == 0, result.output
    accounts = accounts_of(config)
    assert list(accounts) == [
        "relay-a",
        "relay-a-2",
        "veloera-站",
        "done-hub",
        "aihubmix",
        "openrouter",
    ]
    relay = accounts["relay-a"]
    assert (relay.provider, relay.base_url) == ("newapi", "https://relay-a.example.com")
    assert relay.secret("access_token") == "tok-relay-a-0000000000001"
    assert relay.option("user_id") == "1001"
    assert relay.tags == ("team-a",)
    assert relay.extra["notes"] == 'Main relay.\nTopped up "monthly" \\ by card'
    assert accounts["relay-a-2"].option("user_id") == "1002"
    veloera = accounts["veloera-站"]
    assert (veloera.base_url, veloera.tags) == ("https://veloera.example.net", ("team-a", "cn"))
    done = accounts["done-hub"]
    assert (done.enabled, done.tags) == (False, ("retired",))
    aihubmix = accounts["aihubmix"]  # its console host: the platform's own API address
    assert (aihubmix.provider, aihubmix.base_url) == ("aihubmix", None)
    assert aihubmix.secret("access_token") == "ahm-manage-token-000000031337"
    openrouter = accounts["openrouter"]  # a management key: OpenRouter's api_key
    assert (openrouter.provider, openrouter.base_url) == ("openrouter", None)
    assert openrouter.secret("api_key") == "sk-or-v1-mgmt-00000000000000000001"
    assert "backup's cached balances and exchange rates are not used" in result.stdout


def test_cookie_tokenless_unknown_type_and_duplicate_accounts_are_skipped_with_reasons(
    tmp_path: Path,
) -> None:
    result = run(V4, tmp_path / "topup.toml")
    skipped = result.stdout.split("Skipped: 4\n", 1)[1]
    assert "AnyRouter (anyrouter): signs in with a browser cookie" in skipped
    assert "Sub2 Relay (sub2api): topup has no platform for site type 'sub2api'" in skipped
    assert "No Token Relay (one-api): no access token in the backup" in skipped
    assert "Relay A copy (new-api): same platform, URL and credentials: imported as 'relay-a'" in (
        skipped
    )
    assert "cookie-value-never-imported" not in (tmp_path / "topup.toml").read_text()


def test_credentials_go_to_0600_files_in_a_0700_folder_referenced_from_the_config(
    tmp_path: Path,
) -> None:
    config = tmp_path / "topup.toml"
    assert run(V4, config).exit_code == 0
    text = config.read_text(encoding="utf-8")
    for token in tokens(V4):
        assert token not in text
    assert 'access_token = "file:secrets/relay-a.access_token"' in text
    folder = tmp_path / "secrets"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert len(files) == 6
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert (folder / "relay-a.access_token").read_text().strip() == "tok-relay-a-0000000000001"
    assert (folder / "openrouter.api_key").read_text().strip().startswith("sk-or-v1-mgmt-")


def test_inline_secrets_are_written_into_a_config_created_0600(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    assert run(V4, config, "--inline-secrets").exit_code == 0
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert not (tmp_path / "secrets").exists()
    assert 'access_token = "tok-relay-a-0000000000001"' in config.read_text()
    assert accounts_of(config)["relay-a"].secret("access_token") == "tok-relay-a-0000000000001"


@pytest.mark.parametrize("inline", [False, True])
def test_dry_run_shows_masked_credentials_and_writes_nothing(tmp_path: Path, inline: bool) -> None:
    config = tmp_path / "sub" / "topup.toml"
    result = run(V4, config, "--dry-run", *(["--inline-secrets"] if inline else []))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "sub").exists()
    assert "Dry run: nothing was written" in result.stdout
    assert "tok-r…0001" in result.stdout  # the mask, never the token (checked by run)
    assert 'name = "relay-a-2"' in result.stdout
    if not inline:
        assert "secrets/relay-a.access_token  tok-r…0001" in result.stdout


def test_an_existing_config_is_never_overwritten(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    config.write_text("# mine\n", encoding="utf-8")
    result = run(V4, config)
    assert result.exit_code == 2
    assert "never overwrites" in result.stderr and "--append" in result.stderr
    assert "Traceback" not in result.output
    assert config.read_text() == "# mine\n"
    assert not (tmp_path / "secrets").exists()


def test_append_keeps_the_config_text_and_makes_names_unique(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    original = (
        "# my accounts\n[check]\ntimeout = 9\n\n[[accounts]]\n"
        'name = "relay-a"\nprovider = "newapi"\nbase_url = "https://other.example.com"\n'
        'api_key = "sk-mine-000000000001"   # no trailing newline'
    )
    config.write_text(original, encoding="utf-8")
    result = run(V4, config, "--append")
    assert result.exit_code == 0, result.output
    assert config.read_text(encoding="utf-8").startswith(original + "\n")
    names = list(accounts_of(config))
    assert names[:4] == ["relay-a", "relay-a-2", "relay-a-3", "veloera-站"]
    assert len(names) == len(set(names)) == 7
    assert load(config).settings.check.timeout == 9


def test_appending_the_same_backup_again_adds_nothing(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    assert run(V4, config).exit_code == 0
    before = config.read_text()
    result = run(V4, config, "--append")
    assert result.exit_code == 1
    assert "already in the config as 'relay-a'" in result.stdout
    assert config.read_text() == before


def test_a_secret_file_left_from_before_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir(mode=0o700)
    (tmp_path / "secrets" / "relay-a.access_token").write_text("old\n")
    config = tmp_path / "topup.toml"
    assert run(V4, config).exit_code == 0
    assert (tmp_path / "secrets" / "relay-a.access_token").read_text() == "old\n"
    assert list(accounts_of(config))[:2] == ["relay-a-2", "relay-a-3"]


def test_inline_secrets_are_not_appended_to_a_config_others_can_read(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    config.write_text("", encoding="utf-8")
    config.chmod(0o644)
    result = run(V4, config, "--append", "--inline-secrets")
    assert result.exit_code == 2
    assert "chmod 600" in result.stderr
    assert config.read_text() == ""


def test_a_config_that_cannot_take_the_tables_is_left_as_it_was(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    config.write_text("accounts = []\n", encoding="utf-8")  # loads, but [[accounts]] cannot follow
    result = run(V4, config, "--append")
    assert result.exit_code == 2
    assert "did not load, so nothing was kept" in result.stderr
    assert config.read_text() == "accounts = []\n"
    assert not (tmp_path / "secrets").exists()


def test_appending_to_a_config_that_does_not_load_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "topup.toml"
    config.write_text('[[accounts]]\nname = "x"\nprovider = "nope"\n', encoding="utf-8")
    result = run(V4, config, "--append")
    assert result.exit_code == 2
    assert "does not load" in result.stderr and "unknown provider 'nope'" in result.stderr


@pytest.mark.parametrize(
    ("backup", "expected"),
    [
        ("backup-v1.json", {"old-relay": ("58", ()), "old-relay-2": ("59", ())}),
        ("backup-v1-accounts.json", {"old-relay": ("58", ())}),
        ("backup-v2-accounts.json", {"relay-a": ("1001", ("legacy-tag",))}),
    ],
)
def test_older_backup_versions_are_read(
    tmp_path: Path, backup: str, expected: dict[str, tuple[str, tuple[str, ...]]]
) -> None:
    config = tmp_path / "topup.toml"
    result = run(DATA / backup, config)
    assert result.exit_code == 0, result.output
    accounts = accounts_of(config)
    assert {n: (a.option("user_id"), a.tags) for n, a in accounts.items()} == expected
    assert {a.provider for a in accounts.values()} == {"newapi"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
        ("[1, 2]", "not an all-api-hub backup: not a JSON object"),
        ('{"version": 4}', "not an all-api-hub backup: version 4"),
        ('{"version": "4.0", "accounts": {"bookmarks": []}}', "no accounts in this backup"),
        (
            (DATA / "backup-preferences.json").read_text(),
            "this backup holds preferences only, no accounts",
        ),
    ],
)
def test_a_file_that_is_not_a_backup_is_a_located_usage_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    backup = tmp_path / "backup.json"
    if content is not None:
        backup.write_text(content, encoding="utf-8")
    result = run(backup, tmp_path / "topup.toml")
    assert result.exit_code == 2
    assert f"topup: import error: {backup}: {message}" in result.stderr.replace("\n", "")
    assert not (tmp_path / "topup.toml").exists()


def test_a_newer_backup_version_is_read_with_a_note(tmp_path: Path) -> None:
    data = json.loads(V4.read_text(encoding="utf-8"))
    data["version"] = "5.0"
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps(data), encoding="utf-8")
    result = run(backup, tmp_path / "topup.toml")
    assert result.exit_code == 0
    assert "Note: topup knows versions 1.0, 2.0, 3.0, 4.0" in result.stdout


def test_site_names_become_safe_unique_account_names() -> None:
    assert sanitise_name("  My Relay (公益) !! ") == "my-relay-公益"
    assert sanitise_name("\x1b[31mred\x1b[0m/../x") == "red-..-x"
    assert sanitise_name("...") == ""
    taken = {"relay"}
    assert [unique_name("relay", taken) for _ in range(2)] == ["relay-2", "relay-3"]
    assert unique_name("Relay", {"relay"}) == "Relay-2"


@pytest.mark.parametrize(
    "text", ['a "quoted" \\ back', "line\nbreak\ttab", "del\x7f", "nul\x00", "emoji 😀", "\ud800"]
)
def test_any_text_is_written_as_a_valid_toml_string(text: str) -> None:
    value = tomllib.loads(f"k = {toml_string(text)}")["k"]
    assert value == text.replace("\ud800", "\ufffd")


def test_the_written_config_checks_real_balances_on_the_sandbox(tmp_path: Path) -> None:
    state = SandboxState()
    state.add_site("relay-a", "newapi", auth_era="newapi")
    state.add_site("veloera", "newapi", auth_era="header:X-Api-User")
    state.add_site("ahm", "aihubmix")
    state.add_site("or", "openrouter")
    state.add_account("relay-a", id=1001, token="tok-relay-a-0000000000001", quota=2_500_000)
    state.add_account("relay-a", id=1002, token="tok-relay-a-0000000000002", quota=1_000_000)
    state.add_account("veloera", id=7, token="tok-veloera-000000000007", quota=250_000)
    state.add_account(
        "ahm",
        id=31337,
        token="ahm-manage-token-000000031337",
        quota=61_500_000,
        used_quota=38_500_000,
    )
    state.add_account(
        "or", token="sk-or-v1-mgmt-00000000000000000001", credits="150", usage="37.25"
    )
    with SandboxServer(state) as server:
        text = V4.read_text(encoding="utf-8")
        for real, site in [
            ("https://relay-a.example.com", "relay-a"),
            ("https://veloera.example.net", "veloera"),
            ("https://console.aihubmix.com", "ahm"),
            ("https://openrouter.ai", "or"),
        ]:
            text = text.replace(real, server.site_url(site))
        backup = tmp_path / "backup.json"
        backup.write_text(text, encoding="utf-8")
        config = tmp_path / "topup.toml"
        assert run(backup, config).exit_code == 0
        result = CliRunner().invoke(app, ["check", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    got = {
        r["account"]: (r["provider"], r["status"], r["currency"], Decimal(r["balance"]))
        for r in json.loads(result.stdout)["results"]
    }
    assert got == {  # the disabled done-hub account is not checked
        "relay-a": ("newapi", "ok", "USD", Decimal(5)),
        "relay-a-2": ("newapi", "ok", "USD", Decimal(2)),
        "veloera-站": ("newapi", "ok", "USD", Decimal("0.5")),
        "aihubmix": ("aihubmix", "ok", "USD", Decimal(123)),
        "openrouter": ("openrouter", "ok", "USD", Decimal("112.75")),
    }
    assert os.stat(config).st_size > 0


def run_in(lang: str, backup: Path, config: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        app, ["--lang", lang, "import", "all-api-hub", str(backup), "--config", str(config), *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_import_speaks_chinese_and_writes_the_same_files_in_either_language(
    tmp_path: Path,
) -> None:
    dry = run_in("zh-CN", V4, tmp_path / "zh" / "topup.toml", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "all-api-hub 备份 backup-v4.json：版本 4.0，10 个账户" in dry.stdout
    assert "试运行：未写入任何内容。将创建" in dry.stdout
    assert "已导入：6" in dry.stdout and "已跳过：4" in dry.stdout
    assert "平台、URL 和凭据都相同：已导入为 'relay-a'" in dry.stdout
    assert "（已停用）" in dry.stdout and "不使用备份中缓存的余额和汇率" in dry.stdout
    assert "Dry run" not in dry.stdout and "Imported:" not in dry.stdout
    assert 'name = "relay-a-2"' in dry.stdout  # the tables themselves are TOML, as written

    configs = {lang: tmp_path / lang / "topup.toml" for lang in ("en", "zh-CN")}
    written = {lang: run_in(lang, V4, path) for lang, path in configs.items()}
    assert written["zh-CN"].exit_code == 0, written["zh-CN"].output
    assert (
        "已写入" in written["zh-CN"].stdout
        and "6 个账户（6 个密钥文件）" in written["zh-CN"].stdout
    )
    assert "下一步：topup check --config" in written["zh-CN"].stdout
    assert (
        "Written to" in written["en"].stdout
        and "6 accounts (6 secret files)" in written["en"].stdout
    )

    def files(config: Path) -> dict[str, str]:
        found = {p.relative_to(config.parent).as_posix(): p for p in config.parent.rglob("*")}
        texts = {name: p.read_text("utf-8") for name, p in found.items() if p.is_file()}
        texts[config.name] = texts[config.name].split("\n", 1)[1]  # the date of the import
        return texts

    assert files(configs["zh-CN"]) == files(configs["en"])

    again = run_in("zh-CN", V4, configs["zh-CN"])
    assert again.exit_code == 2
    assert "topup：导入错误：" in again.stderr and "导入从不覆盖它" in again.stderr
    assert "未写入任何内容。" in again.stderr
