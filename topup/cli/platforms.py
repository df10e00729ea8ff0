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
from topup.i18n import N_, gettext
from topup.platforms import get_provider, register

_ = gettext

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
    console.print(
        _("Platform {title}, account {account}").format(title=title, account=repr(chosen.name)),
        markup=False,
    )
    console.print()
    for line in trace.lines():
        console.print(line, markup=False)
    console.print()
    console.print(_("4. Result"), markup=False)
    notes = below_minimum(results, {chosen.name: chosen})
    print_table(console, results, notes)
    raise typer.Exit(exit_status(results, notes))


def _recipe(cfg: config_module.Config, name: str) -> Recipe:
    for recipe in cfg.platforms:
        if recipe.name == name:
            return recipe
    names = [r.name for r in cfg.platforms]
    if get_provider(name) is not None:
        hint = _("`platforms test` runs [[platforms]] recipes; use `topup check` for the others")
        _fail(
            _("{name} is a built-in platform, not a [[platforms]] recipe").format(name=repr(name)),
            cfg,
            hint,
        )
    hint = suggest(name, names) or (
        _("declared: {names}").format(names=", ".join(names))
        if names
        else _("declare one with a [[platforms]] table")
    )
    _fail(_("no custom platform named {name}").format(name=repr(name)), cfg, hint)


def _account(cfg: config_module.Config, recipe: Recipe, name: str | None) -> Account:
    if name is not None:
        (chosen,) = cfg.select([name])
        if chosen.provider != recipe.name:
            _fail(
                _("account {name} uses provider {provider}, not {platform}").format(
                    name=repr(name), provider=repr(chosen.provider), platform=repr(recipe.name)
                ),
                cfg,
                _("set {setting} on it, or pick another account").format(
                    setting=f'provider = "{recipe.name}"'
                ),
            )
        return chosen
    using = [a for a in cfg.accounts if a.provider == recipe.name]
    if len(using) == 1:
        return using[0]
    if not using:
        _fail(
            _("no account uses provider {name}").format(name=repr(recipe.name)),
            cfg,
            _("add an [[accounts]] table with {setting} and its credential").format(
                setting=f'provider = "{recipe.name}"'
            ),
        )
    _fail(
        _("several accounts use provider {name}").format(name=repr(recipe.name)),
        cfg,
        _("choose one with --account: {names}").format(names=", ".join(a.name for a in using)),
    )


def _fail(message: str, cfg: config_module.Config, hint: str) -> NoReturn:
    raise ConfigError(message, path=cfg.path, hint=hint)
