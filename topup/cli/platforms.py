"""`topup platforms test`: one check of a custom platform, shown step by step."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from rich.console import Console

from topup import config as config_module
from topup.account import Account
from topup.cli.app import app
from topup.cli.common import (
    ConfigOption,
    below_minimum,
    check_accounts,
    exit_status,
    fail_config,
    install_log_redaction,
)
from topup.cli.render import print_table
from topup.config_lines import suggest
from topup.custom.provider import RecipeProvider
from topup.custom.recipe import Recipe
from topup.custom.trace import Trace
from topup.errors import ConfigError
from topup.i18n import N_
from topup.platforms import get_provider, register

platforms_app = typer.Typer(
    help=N_("Custom platforms declared in the config (\\[\\[platforms]] recipes)."),
    no_args_is_help=True,
)
app.add_typer(platforms_app, name="platforms")


@platforms_app.command(
    "test",
    help=N_(
        "Run one request of a custom platform and show what was sent (credentials masked), "
        "what came back (secret fields dropped), what each expression extracted, and the "
        "result.\n\n"
        "Exit status like `topup check`: 0 ok; 1 not checked; 2 usage or config error; 3 low, "
        "exhausted or disabled."
    ),
)
def test_command(
    name: Annotated[
        str,
        typer.Argument(help=N_("The custom platform: its \\[\\[platforms]] name."), metavar="NAME"),
    ],
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            "-a",
            metavar="ACCOUNT",
            help=N_("The account to check (default: the one using NAME)."),
        ),
    ] = None,
    config: ConfigOption = None,
    timeout: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help=N_("Seconds the check may take."), min=0.1),
    ] = None,
) -> None:
    try:
        cfg = config_module.load(config)
        recipe = _recipe(cfg, name)
        chosen = _account(cfg, recipe, account)
    except ConfigError as exc:
        fail_config(exc)
    provider = get_provider(recipe.name)
    assert provider is not None and issubclass(provider, RecipeProvider)  # load() registered it
    trace = Trace(recipe, chosen.secrets)
    install_log_redaction(cfg.accounts)
    options = cfg.settings.check.run_options(timeout=timeout)
    register(type(provider.__name__, (provider,), {"observer": trace}))
    try:
        results = check_accounts((chosen,), options)
    finally:
        register(provider)
    console = Console(soft_wrap=True, highlight=False)
    title = f"{recipe.title} ({recipe.name}, {recipe.origin})" if recipe.origin else recipe.title
    console.print(f"Platform {title}, account {chosen.name!r}", markup=False)
    console.print()
    for line in trace.lines():
        console.print(line, markup=False)
    console.print()
    console.print("4. Result", markup=False)
    notes = below_minimum(results, {chosen.name: chosen})
    print_table(console, results, notes)
    raise typer.Exit(exit_status(results, notes))


def _recipe(cfg: config_module.Config, name: str) -> Recipe:
    for recipe in cfg.platforms:
        if recipe.name == name:
            return recipe
    names = [r.name for r in cfg.platforms]
    if get_provider(name) is not None:
        hint = "`platforms test` runs [[platforms]] recipes; use `topup check` for the others"
        _fail(f"{name!r} is a built-in platform, not a [[platforms]] recipe", cfg, hint)
    hint = suggest(name, names) or (
        f"declared: {', '.join(names)}" if names else "declare one with a [[platforms]] table"
    )
    _fail(f"no custom platform named {name!r}", cfg, hint)


def _account(cfg: config_module.Config, recipe: Recipe, name: str | None) -> Account:
    if name is not None:
        (chosen,) = cfg.select([name])
        if chosen.provider != recipe.name:
            _fail(
                f"account {name!r} uses provider {chosen.provider!r}, not {recipe.name!r}",
                cfg,
                f'set provider = "{recipe.name}" on it, or pick another account',
            )
        return chosen
    using = [a for a in cfg.accounts if a.provider == recipe.name]
    if len(using) == 1:
        return using[0]
    if not using:
        _fail(
            f"no account uses provider {recipe.name!r}",
            cfg,
            f'add an [[accounts]] table with provider = "{recipe.name}" and its credential',
        )
    _fail(
        f"several accounts use provider {recipe.name!r}",
        cfg,
        f"choose one with --account: {', '.join(a.name for a in using)}",
    )


def _fail(message: str, cfg: config_module.Config, hint: str) -> NoReturn:
    raise ConfigError(message, path=cfg.path, hint=hint)
