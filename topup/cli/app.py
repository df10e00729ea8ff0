"""The Typer application every command module registers itself on, and the root options."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from topup import i18n
from topup.cli.lazy import LazyGroup
from topup.i18n import N_

app = typer.Typer(
    name="topup",
    cls=LazyGroup,
    help=N_("Every LLM API balance you hold, checked at once, correctly."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def show_version(shown: bool) -> None:
    if shown:
        try:
            number = version("topup")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        typer.echo(f"topup {number}")
        raise typer.Exit(0)


def check_lang(value: str | None) -> str | None:
    if value is not None and i18n.normalize(value) is None:
        raise typer.BadParameter(
            i18n.gettext("{value!r} is not a language topup speaks (en, zh-CN)").format(value=value)
        )
    return value


@app.callback()
def root(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            callback=check_lang,
            help=N_(
                "Language of messages and help: en or zh-CN (default: \\[ui] lang, "
                "$TOPUP_LANG, else the locale)."
            ),
        ),
    ] = None,
    show: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=show_version,
            help=N_("Print topup's version and exit."),
        ),
    ] = False,
) -> None:
    """The language was chosen as the arguments were read (:class:`LazyGroup`)."""
