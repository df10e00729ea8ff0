"""`topup providers`: the platforms topup knows, their credential fields and defaults."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from topup.cli.app import app
from topup.i18n import N_, gettext
from topup.platforms import all_providers

_ = gettext


@app.command("providers", help=N_("List the platforms, their credential fields and defaults."))
def providers_command(
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print as JSON."))] = False,
) -> None:
    rows = []
    for name, provider in sorted(all_providers().items()):
        rows.append(
            {
                "name": name,
                "title": provider.title,
                "default_base_url": provider.default_base_url,
                "fields": [
                    {"name": f.name, "secret": f.secret, "help": f.help} for f in provider.fields
                ],
                "modes": [sorted(m) for m in provider.modes],
                "currency": provider.currency_rule,
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    grid = Table(header_style="bold")
    grid.add_column(_("Provider"), no_wrap=True)
    grid.add_column(_("Default base URL"), no_wrap=True)
    grid.add_column(_("Credentials"), no_wrap=True)
    grid.add_column(_("Currency"), overflow="fold")
    for name, provider in sorted(all_providers().items()):
        secret = {f.name for f in provider.fields if f.secret}
        modes = " | ".join(
            " + ".join(f"{f}{'*' if f in secret else ''}" for f in sorted(mode))
            for mode in provider.modes
        )
        grid.add_row(
            f"{name}\n[dim]{provider.title}[/]",
            provider.default_base_url or _("(base_url required)"),
            modes,
            provider.currency_rule,
        )
    console = Console()
    if console.width >= 120:
        console.print(grid)
    else:  # one block per platform: nothing cut on a narrow terminal
        for name, provider in sorted(all_providers().items()):
            secret = {f.name for f in provider.fields if f.secret}
            modes = " | ".join(
                " + ".join(f"{f}{'*' if f in secret else ''}" for f in sorted(mode))
                for mode in provider.modes
            )
            labels = [_("base URL:"), _("credentials:"), _("currency:")]
            width = max(cell_len(label) for label in labels) + 1
            values = [provider.default_base_url or _("(base_url required)"), modes]
            console.print(f"[bold]{name}[/] — {provider.title}", highlight=False)
            for label, value in zip(labels, values, strict=False):
                pad = " " * (width - cell_len(label))
                console.print(f"  {label}{pad}{value}", soft_wrap=True, highlight=False)
            pad = " " * (width - cell_len(labels[2]))
            console.print(f"  {labels[2]}{pad}{provider.currency_rule}", highlight=False)
    footer = _("* secret: give it literally, as env:NAME or as file:PATH")
    console.print(f"[dim]{footer}[/]", highlight=False)
