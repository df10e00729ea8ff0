"""`topup init`: write a commented starter config; on a terminal, ask for the accounts and test
each one at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from topup import config as config_module
from topup.account import Account
from topup.cli.app import app
from topup.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    ConfigOption,
    check_accounts,
    err_console,
    install_log_redaction,
    labelled,
)
from topup.cli.render import STATUS_STYLE, balance_text
from topup.config_lines import suggest
from topup.errors import ConfigError
from topup.i18n import N_, gettext, ngettext
from topup.model import CheckResult
from topup.platforms import all_providers
from topup.runner import RunOptions
from topup.starter import Draft, refuse_existing, render, scripted, write
from topup.starter_flow import AccountCheck, Cancelled, Interview, terminal_prompts

_ = gettext


def fail(exc: ConfigError) -> NoReturn:
    err_console.print(labelled(_("topup: init:"), exc.describe()), highlight=False)
    err_console.print(_("Nothing was written."), style="dim", highlight=False)
    raise typer.Exit(EXIT_USAGE)


def result_line(result: CheckResult) -> Text:
    """``relay: ok  5.00 USD`` (or the status and why), as `topup check` shows them."""
    line = Text.assemble(
        (f"  {result.account}: ", "bold"),
        (result.status.value, STATUS_STYLE[result.status]),
        "  ",
        balance_text(result) if result.status.checked else Text(""),
    )
    if result.message:
        line.append(f"  {result.message}", style="dim")
    return line


def check_now(console: Console, options: RunOptions) -> AccountCheck:
    """The test-at-once of each account: the real check, its result line printed."""

    def test(account: Account) -> CheckResult:
        install_log_redaction([account])
        result = check_accounts((account,), options, progress=True)[0]
        console.print(result_line(result), highlight=False)
        return result

    return test


def check_platforms(names: list[str]) -> None:
    known = all_providers()
    for name in names:
        if name not in known:
            hint = suggest(name, known) or _("`topup providers` lists them")
            fail(ConfigError(_("unknown provider {name}").format(name=repr(name)), hint=hint))


def stdout_file() -> str:
    """The file stdout was redirected to (``> config.toml``), as the user would name it; else
    ``FILE``."""
    import os
    import stat

    try:
        if stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode):
            target = Path(os.readlink("/proc/self/fd/1"))  # Linux; elsewhere: FILE
            return os.path.relpath(target) if target.is_relative_to(Path.cwd()) else str(target)
    except (OSError, ValueError, AttributeError):
        pass
    return "FILE"


def next_steps(
    path: Path, drafts: list[Draft], console: Console, saved_to: str | None = None
) -> None:
    exports = [v for d in drafts for v in d.env_vars()]
    if exports:
        console.print(_("Set the variables it reads:"), highlight=False)
        for var in exports:
            console.print(f"  export {var}=...", highlight=False)
    if not drafts:
        console.print(
            _(
                "It has no account yet: add one (see the example in it), or run "
                "`topup init --provider NAME`."
            ),
            highlight=False,
        )
    where = f" --config {path}" if path != config_module.default_path() else ""
    if saved_to is not None:
        where = f" --config {saved_to}"
    then = _("Then: {commands}").format(commands=f"topup config check{where} && topup check{where}")
    console.print(then, highlight=False, soft_wrap=True)


@app.command(
    "init",
    help=N_(
        "Write a commented starter config (default: the user config dir; never over a file)."
        "\n\n"
        "On a terminal: asks for platforms, keys (hidden; kept in 0600 files beside the config, "
        "or env:NAME) and settings, and checks each account at once.\n\n"
        "In scripts (or --no-input): each key is read from an environment variable the config "
        "names."
    ),
)
def init_command(
    config: ConfigOption = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            "-p",
            metavar="NAME",
            help=N_(
                "A platform to add (repeatable; `topup providers` lists them). Its key is "
                "read from an environment variable named in the config; keys are never options."
            ),
        ),
    ] = None,
    force_stdout: Annotated[
        bool,
        typer.Option(
            "--force-stdout",
            help=N_("Print the starter config to stdout instead of writing a file (asks nothing)."),
        ),
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help=N_("Ask nothing, even on a terminal."))
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS", help=N_("Seconds the test of each account may take."), min=0.1
        ),
    ] = 20.0,
) -> None:
    platforms = list(provider or [])
    check_platforms(platforms)
    path = config_module.locate(config)
    if force_stdout:
        drafts = scripted(platforms)
        sys.stdout.write(render(drafts))
        next_steps(path, drafts, err_console, saved_to=stdout_file())
        return
    try:
        refuse_existing(path)
    except ConfigError as exc:
        fail(exc)
    console = Console()
    asking = not no_input and sys.stdin.isatty() and sys.stdout.isatty()
    if not asking and not platforms:  # a config without accounts would only fail later
        err_console.print(
            escape(
                _(
                    "topup: no terminal to ask which platforms: pass --provider NAME "
                    "(repeatable; `topup providers` lists them), or --force-stdout to print "
                    "a starter. Nothing was written."
                )
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    if asking:
        interview = Interview(
            terminal_prompts(console), path, check_now(console, RunOptions(timeout=timeout))
        )
        try:
            drafts = interview.run(platforms)
        except (Cancelled, KeyboardInterrupt):
            err_console.print(
                "\n" + _("topup: init cancelled. Nothing was written."), highlight=False
            )
            raise typer.Exit(EXIT_FAILED) from None
    else:
        drafts = scripted(platforms)
    try:
        written = write(path, drafts)
    except ConfigError as exc:
        fail(exc)
    wrote = ngettext("Wrote {path} ({n} account).", "Wrote {path} ({n} accounts).", len(drafts))
    console.print(wrote.format(path=path, n=len(drafts)), highlight=False, soft_wrap=True)
    for secret in written[:-1]:
        line = _("key file (0600): {path}").format(path=secret)
        console.print(f"  {line}", highlight=False, soft_wrap=True)
    next_steps(path, drafts, console)
