"""`topup config check`: validate the config without any network access and list its accounts."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from topup import config as config_module
from topup.account import Account
from topup.alerts.settings import parse as parse_alerts
from topup.cli.app import app
from topup.cli.common import ConfigOption, fail_config
from topup.errors import ConfigError
from topup.platforms import Provider, get_provider

config_app = typer.Typer(
    name="config",
    help="Work with the config file: `topup config check` validates it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(config_app)


def mode_of(provider: type[Provider], account: Account) -> tuple[str, list[str]]:
    """Which credentials the account uses: the platform's modes it fills
    (``access_token + user_id``; several joined by ``|``), and every field it sets."""
    present = sorted({*account.credentials, *account.options})
    filled = [m for m in provider.modes if m <= set(present)]
    mode = " | ".join(" + ".join(sorted(m)) for m in filled) or " + ".join(present) or "none"
    return mode, present


def account_row(account: Account) -> dict[str, Any]:
    provider = get_provider(account.provider)
    assert provider is not None  # the config was loaded: every provider is known
    mode, fields = mode_of(provider, account)
    return {
        "name": account.name,
        "provider": account.provider,
        "title": provider.title,
        "mode": mode,
        "fields": fields,
        "base_url": provider().base_url(account),
        "base_url_is_default": account.base_url is None,
        "enabled": account.enabled,
    }


@config_app.command("check")
def check_config(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the accounts as JSON.")] = False,
) -> None:
    """Validate the config without any network access, and list its accounts.

    Each account with its platform, credentials, base URL and whether it is enabled.

    Exit status: 0 valid; 2 not valid (the file, the line or account, and what to do).
    """
    try:
        cfg = config_module.load(config)
        parse_alerts(cfg)
    except ConfigError as exc:
        fail_config(exc)
    rows = [account_row(a) for a in cfg.accounts]
    if as_json:
        document = {"config": str(cfg.path), "valid": True, "accounts": rows}
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console()
    if rows:
        grid = Table(header_style="bold", pad_edge=False)
        for column in ("Account", "Platform", "Credentials", "Base URL", "Enabled"):
            grid.add_column(column, overflow="fold")
        for row in rows:
            default = " [dim](default)[/]" if row["base_url_is_default"] else ""
            grid.add_row(
                escape(row["name"]),
                escape(row["provider"]),
                escape(row["mode"]),
                escape(row["base_url"]) + default,
                "yes" if row["enabled"] else "[red]no[/]",
            )
        console.print(grid)
    enabled = sum(1 for row in rows if row["enabled"])
    console.print(
        f"[green]{escape(str(cfg.path))}: valid[/], {len(rows)} account"
        f"{'' if len(rows) == 1 else 's'} ({enabled} enabled). Nothing was contacted; "
        "`topup check` reads the balances.",
        highlight=False,
        soft_wrap=True,
    )
