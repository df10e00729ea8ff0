"""`topup config check`: validate the config without any network access and list its accounts."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from topup.account import Account
from topup.cli.app import app
from topup.cli.common import (
    ConfigOption,
    err_console,
    fail_config,
    labelled,
    load_config,
    require_accounts,
)
from topup.errors import ConfigError
from topup.i18n import N_, gettext, ngettext
from topup.platforms import Provider, get_provider
from topup.starter import placeholders_left

_ = gettext

config_app = typer.Typer(
    name="config",
    help=N_("Work with the config file: `topup config check` validates it."),
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


@config_app.command(
    "check",
    help=N_(
        "Validate the config without any network access, and list its accounts: each with its "
        "platform, credentials, base URL and whether it is enabled. Values `topup init` wrote "
        "as examples to replace are warned about.\n\n"
        "Exit status: 0 valid; 2 not valid (the file, the line or account, and what to do)."
    ),
)
def check_config(
    config: ConfigOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=N_("Print the accounts as JSON."))
    ] = False,
) -> None:
    from topup.alerts.settings import parse as parse_alerts

    try:
        cfg = load_config(config, accounts_needed=False)
        parse_alerts(cfg)
        require_accounts(cfg)
    except ConfigError as exc:
        fail_config(exc)
    rows = [account_row(a) for a in cfg.accounts]
    warnings = placeholder_warnings(cfg.accounts)
    if as_json:
        document = {"config": str(cfg.path), "valid": True, "accounts": rows}
        if warnings:
            document["warnings"] = warnings
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    for warning in warnings:
        err_console.print(labelled(_("warning:"), warning, "yellow"), highlight=False)
    console = Console()
    if rows:
        grid = Table(header_style="bold")
        for column in (_("Account"), _("Platform"), _("Credentials"), _("Base URL"), _("Enabled")):
            grid.add_column(column, overflow="fold")
        for row in rows:
            default = _("(default)") if row["base_url_is_default"] else ""
            gap = "" if default.startswith("（") else " "  # a full-width bracket spaces itself
            default = f"{gap}[dim]{escape(default)}[/]" if default else ""
            grid.add_row(
                escape(row["name"]),
                escape(row["provider"]),
                escape(row["mode"]),
                escape(row["base_url"]) + default,
                escape(_("yes")) if row["enabled"] else f"[red]{escape(_('no'))}[/]",
            )
        console.print(grid)
    enabled = sum(1 for row in rows if row["enabled"])
    valid = _("{path}: valid").format(path=cfg.path)
    count = ngettext(
        "{n} account ({enabled} enabled).", "{n} accounts ({enabled} enabled).", len(rows)
    ).format(n=len(rows), enabled=enabled)
    after = _("Nothing was contacted; `topup check` reads the balances.")
    line = _("{valid}, {accounts} {after}").format(
        valid=f"[green]{escape(valid)}[/]", accounts=escape(count), after=escape(after)
    )
    console.print(line, highlight=False, soft_wrap=True)


def placeholder_warnings(accounts: tuple[Account, ...]) -> list[str]:
    """A warning for each account that still holds an example `topup init` wrote."""
    warnings = []
    for account in accounts:
        provider = get_provider(account.provider)
        assert provider is not None
        left = placeholders_left(provider, account.base_url, account.options)
        if left:
            warnings.append(
                ngettext(
                    "account {account}: {fields} still holds the example `topup init` wrote; "
                    "replace it with yours",
                    "account {account}: {fields} still hold the examples `topup init` wrote; "
                    "replace them with yours",
                    len(left),
                ).format(account=repr(account.name), fields=", ".join(left))
            )
    return warnings
