"""The Typer application every command module registers itself on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="topup",
    help="Every LLM API balance you hold, checked at once, correctly.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
