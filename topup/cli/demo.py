"""`topup demo`: the whole system on an embedded sandbox, no internet needed."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from topup.cli.app import app
from topup.cli.common import below_minimum, check_accounts, prefixed
from topup.cli.render import print_table
from topup.i18n import N_, gettext

_ = gettext


def topup_command() -> str:
    """How to run this topup from a fresh shell, where it may not be on PATH: the absolute path
    of the executable that is running (else the one on PATH, else ``python -m topup``), quoted."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "topup" and script.exists():
        return shlex.quote(str(script.resolve()))
    beside = Path(sys.executable).parent / "topup"
    if beside.is_file() and os.access(beside, os.X_OK):
        return shlex.quote(str(beside))
    found = shutil.which("topup")
    if found:
        return shlex.quote(str(Path(found).resolve()))
    return f"{shlex.quote(sys.executable)} -m topup"


@app.command(
    "demo",
    help=N_(
        "Start a local sandbox of the real APIs, create demo accounts, check them, then serve "
        "the dashboard on them (with --once: one round, then exit).\n\n"
        "Every platform's demo accounts (`topup providers` lists the platforms): several "
        "currencies, keys with limits, coding-plan windows, plus one site that is down and one "
        "retired endpoint, so you see what those look like. Exits 0 when the demo ran (its "
        "failures are on purpose). The dashboard starts with a week of history simulated from "
        "each account's spend rate."
    ),
)
def demo_command(
    once: Annotated[bool, typer.Option("--once", help=N_("One round, then exit."))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print the round as JSON."))] = False,
    port: Annotated[
        int,
        typer.Option(metavar="PORT", help=N_("Sandbox port (0: a free one)."), min=0, max=65535),
    ] = 0,
    dashboard_port: Annotated[
        int,
        typer.Option(
            metavar="PORT",
            help=N_("Dashboard port (a free one if it is taken)."),
            min=0,
            max=65535,
        ),
    ] = 8000,
    keep: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help=N_(
                "Keep the demo's config (and, without --once, its history database) in DIR "
                "instead of a temporary dir. The sandbox's accounts are not kept: the config "
                "points at this run's sandbox, which answers only while the demo runs."
            ),
        ),
    ] = None,
) -> None:
    console = Console()
    workdir = keep or Path(tempfile.mkdtemp(prefix="topup-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run_demo(console, workdir, once=once, as_json=as_json, port=port, dashboard=dashboard_port)
    finally:
        if keep is None and once:  # a one-round demo leaves nothing behind
            shutil.rmtree(workdir, ignore_errors=True)


def run_demo(
    console: Console, workdir: Path, *, once: bool, as_json: bool, port: int, dashboard: int
) -> None:
    from topup import config as config_module
    from topup import demo
    from topup.model import utcnow
    from topup.sandbox.server import SandboxServer
    from topup.sandbox.state import SandboxState
    from topup.serialize import results_json
    from topup.service import History, ServeError, build, serve_web
    from topup.storage import Store, sqlite_url
    from topup.watch import WatchOptions

    state = SandboxState()
    accounts = demo.populate(state)
    server = SandboxServer(state, port=port)
    try:
        server.start()
    except OSError as exc:
        message = _("topup: could not start the sandbox on port {port}: {reason}").format(
            port=port, reason=exc.strerror
        )
        console.print(f"[red]{escape(message)}[/]")
        raise typer.Exit(1) from None
    try:
        history = sqlite_url(workdir / "history.db")
        path = demo.write_config(
            workdir, server.url, accounts, storage_url=None if once else history
        )
        cfg = config_module.load(path)
        run = cfg.settings.check.run_options(timeout=10)
        results = check_accounts(cfg.accounts, run, progress=not as_json)
        if as_json:
            sys.stdout.write(results_json(results, utcnow()) + "\n")
        else:
            where = _("sandbox at {url}, config {path}").format(url=server.url, path=path)
            console.print(f"[bold]topup demo[/] — {escape(where)}\n")
            print_table(console, results, below_minimum(results, {a.name: a for a in cfg.accounts}))
        if once:
            return
        store = Store.open(history)
        store.record([(r, "demo") for r in results])
        demo.backfill(store, results, accounts)
        service = build(cfg, History(history, store), WatchOptions(interval=15, run=run))

        def ready(url: str) -> None:
            api = _("REST API {api}, metrics {metrics}").format(
                api=f"{url}api/accounts", metrics=f"{url}metrics"
            )
            console.print(
                f"\n[bold green]{escape(_('Dashboard:'))}[/] {url}   ({escape(api)})\n"
                + escape(
                    _("The sandbox spends from the accounts and topup checks them every 15 s.")
                )
                + "\n"
                + escape(_("Try it from another terminal:")),
                soft_wrap=True,
            )
            topup = topup_command()
            config = shlex.quote(str(path))
            for command in (
                f"{topup} check --config {config}",
                f"{topup} history relay-x --config {config}",
            ):
                console.print(f"  {escape(command)}", soft_wrap=True, highlight=False)
            console.print(_("Press Ctrl-C to stop."))

        try:
            serve_web(
                service,
                host="127.0.0.1",
                port=dashboard if port_free(dashboard) else 0,
                token=None,
                on_ready=ready,
            )
        except ServeError as exc:
            console.print("[red]" + escape(prefixed(str(exc))) + "[/]")
            raise typer.Exit(1) from None

    finally:
        server.stop()


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
