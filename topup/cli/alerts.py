"""`topup alerts`: the alert channels. `topup alerts test` sends a test message to each."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from topup import config as config_module
from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOption,
    err_console,
    fail_config,
    labelled,
)
from topup.errors import ConfigError
from topup.i18n import N_, _

alerts_app = typer.Typer(
    name="alerts",
    help=N_("Alert channels: the apprise URLs listed as notify in the alerts table."),
    no_args_is_help=True,
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command(
    "test",
    help=N_(
        "Send a test message to every notify URL.\n\n"
        "Exit status: 0 every URL accepted it; 1 one did not; 2 no notify URL is configured."
    ),
)
def test(config: ConfigOption = None) -> None:
    from topup.alerts import AlertManager  # apprise loads slowly: only for this command

    try:
        cfg = config_module.load(config)
        manager = AlertManager.from_config(cfg, None)
    except ConfigError as exc:
        fail_config(exc, after=_("No test message was sent."))
    channels = manager.notifier.channels
    if not channels:  # a config matter: nothing to send to
        where = str(cfg.path) if cfg.path else _("the config")
        what = _("add {example} (apprise URLs) to {where}").format(
            example='[alerts] notify = ["json://host/path", ...]', where=where
        )
        err_console.print(labelled(_("topup: no notify URLs:"), what), highlight=False)
        err_console.print(
            escape(_("See https://github.com/caronc/apprise/wiki for the URL of each service.")),
            style="dim",
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    delivery = manager.test()
    out = Console()
    sent, failed = escape(_("sent")), escape(_("failed"))
    for shown in delivery.sent:
        out.print(f"[green]{sent}[/]   {escape(shown)}", highlight=False)
    for shown in delivery.failed:
        err_console.print(f"[red]{failed}[/] {escape(shown)}", highlight=False)
    total = len(channels)
    if delivery.failed or not delivery.sent:
        err_console.print(
            escape(
                _(
                    "topup: {failed} of {total} notify URL(s) did not accept the test message "
                    "(see the lines above; set TOPUP_LOG_LEVEL=INFO for apprise's reason)"
                ).format(failed=len(delivery.failed), total=total)
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_FAILED)
    out.print(
        escape(_("Test message delivered to {total} notify URL(s).").format(total=total)),
        highlight=False,
    )
    raise typer.Exit(EXIT_OK)
