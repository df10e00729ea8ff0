"""`topup import`: accounts from other tools' files into the config (`import all-api-hub`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from topup.cli.app import app
from topup.cli.common import EXIT_FAILED, EXIT_USAGE, ConfigOption, err_console, labelled
from topup.config import locate
from topup.i18n import N_, gettext, ngettext
from topup.importers.allapihub import KNOWN_VERSIONS, read_backup
from topup.importers.plan import ImportFailed, Plan, make_plan
from topup.importers.write import (
    Written,
    check_target,
    existing_accounts,
    render,
    secret_file,
    taken_file_names,
    write_plan,
)
from topup.sanitize import cap, remove_controls
from topup.secrets import mask, scrub

_ = gettext

import_app = typer.Typer(
    help=N_("Bring accounts in from other tools' files."),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(import_app, name="import")

NOT_USED = N_(
    "Balances come from the sites when topup checks them: the backup's cached balances "
    "and exchange rates are not used."
)


@import_app.command(
    "all-api-hub",
    help=N_(
        "Import the accounts of an all-api-hub backup: new-api family sites, AIHubMix, "
        "OpenRouter.\n\n"
        "Credentials go to files beside the config (secrets/NAME.FIELD, mode 0600) unless "
        "--inline-secrets. Never overwrites: an existing config needs --append. Exit status: "
        "0 accounts written (or shown, with --dry-run); 1 nothing to import; 2 usage error."
    ),
)
def all_api_hub(
    backup: Annotated[
        Path,
        typer.Argument(
            metavar="BACKUP",
            help=N_("The JSON file all-api-hub's Import/Export page saved."),
            dir_okay=False,
        ),
    ],
    config: ConfigOption = None,
    append: Annotated[
        bool,
        typer.Option("--append", help=N_("Add the accounts at the end of an existing config.")),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=N_("Show what would be written (credentials masked).")),
    ] = False,
    inline_secrets: Annotated[
        bool,
        typer.Option(
            "--inline-secrets",
            help=N_("Put credentials in the config itself (created 0600), not in secret files."),
        ),
    ] = False,
) -> None:
    path = locate(config)
    try:
        version, items = read_backup(backup)
        check_target(path, append=append, inline=inline_secrets)
        existing = existing_accounts(path, append=append)
        taken = set() if inline_secrets else taken_file_names(path)
        plan = make_plan(items, existing=existing, taken=taken, base_dir=path.parent)
        show_source(backup, version, len(items))
        if dry_run:
            show_dry_run(plan, path, inline=inline_secrets)
        elif plan.planned:
            # the config file's own comment stays in English, like the tables it heads
            header = (
                f"# Imported by `topup import all-api-hub` from {remove_controls(backup.name)} "
                f"on {datetime.now().astimezone():%Y-%m-%d %H:%M}.\n# {NOT_USED}"
            )
            written = write_plan(plan, path, append=append, inline=inline_secrets, header=header)
            count = len(plan.planned)
            echo(
                ngettext(
                    "Written to {path}: {n} account ({files})",
                    "Written to {path}: {n} accounts ({files})",
                    count,
                ).format(path=path, n=count, files=written_count(written))
            )
            if inline_secrets:
                echo(_("Credentials are in the config (mode 0600)."))
            else:
                echo(_("Credentials are in secrets/ (mode 0600)."))
    except ImportFailed as exc:
        err_console.print(labelled(_("topup: import error:"), exc.describe()))
        err_console.print(escape(_("Nothing was written.")), style="dim")
        raise typer.Exit(EXIT_USAGE) from None
    show_summary(plan)
    echo(_(NOT_USED))
    if not plan.planned:
        echo(_("Nothing to import; nothing was written."))
        raise typer.Exit(EXIT_FAILED)
    if not dry_run:
        echo(_("Next: {command}").format(command=f"topup check --config {path}"))


def written_count(written: Written) -> str:
    files = len(written.files)
    if not files:
        return _("credentials inline")
    return ngettext("{n} secret file", "{n} secret files", files).format(n=files)


def echo(text: str) -> None:
    typer.echo(text)


def show_source(backup: Path, version: str, count: int) -> None:
    name = remove_controls(backup.name)
    echo(
        ngettext(
            "all-api-hub backup {name}: version {version}, {count} account",
            "all-api-hub backup {name}: version {version}, {count} accounts",
            count,
        ).format(name=name, version=cap(version, 20), count=count)
    )
    if version not in KNOWN_VERSIONS:
        echo(
            _("Note: topup knows versions {versions}; read as the newest.").format(
                versions=", ".join(KNOWN_VERSIONS)
            )
        )


def show_dry_run(plan: Plan, path: Path, *, inline: bool) -> None:
    if path.exists():
        echo(_("Dry run: nothing was written. This would be appended to {path}:").format(path=path))
    else:
        echo(_("Dry run: nothing was written. This would be created as {path}:").format(path=path))
    echo("")
    echo(scrub(render(plan, inline=inline, masked=True), plan.secrets))
    if not inline and plan.planned:
        echo(_("and these files, each mode 0600, in {folder}:").format(folder=path.parent))
        for planned in plan.planned:
            for field, value in planned.candidate.secrets.items():
                echo(f"  {secret_file(planned.name, field)}  {mask(value)}")


def show_summary(plan: Plan) -> None:
    if plan.planned:
        echo(_("Imported: {n}").format(n=len(plan.planned)))
        width = max(len(p.name) for p in plan.planned)
        for planned in plan.planned:
            c = planned.candidate
            where = remove_controls(c.base_url or _("(the platform's own address)"))
            state = "" if c.enabled else "  " + _("(disabled)")
            line = f"  {planned.name:<{width}}  {c.provider:<10}  {where}{state}"
            echo(scrub(line, plan.secrets))
    if plan.skipped:
        echo(_("Skipped: {n}").format(n=len(plan.skipped)))
        for skipped in plan.skipped:
            line = (
                f"  {cap(remove_controls(skipped.source), 60)}: {remove_controls(skipped.reason)}"
            )
            echo(scrub(line, plan.secrets))
