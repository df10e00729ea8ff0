"""`topup demo`: the whole system on an embedded sandbox, no internet needed."""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from topup import config as config_module
from topup import demo
from topup.cli.app import app
from topup.cli.common import below_minimum, check_accounts
from topup.cli.render import print_table
from topup.model import utcnow
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.serialize import results_json
from topup.service import History, ServeError, build, serve_web
from topup.storage import Store, sqlite_url
from topup.watch import WatchOptions


@app.command("demo")
def demo_command(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the round as JSON.")] = False,
    port: Annotated[int, typer.Option(help="Sandbox port (0: a free one).", min=0, max=65535)] = 0,
    dashboard_port: Annotated[
        int, typer.Option(help="Dashboard port (a free one if it is taken).", min=0, max=65535)
    ] = 8000,
    keep: Annotated[
        Path | None,
        typer.Option(help="Write the demo config and state here instead of a temp dir."),
    ] = None,
) -> None:
    """Start a local sandbox of the real APIs, create demo accounts, check them, then serve
    the dashboard on them (with --once: one round, then exit).

    Every platform's demo accounts (`topup providers` lists the platforms): several
    currencies, keys with limits, coding-plan windows, plus one site that is down and one
    retired endpoint, so you see what those look like. Exits 0 when the demo ran (its failures
    are on purpose).
    The dashboard starts with a week of history simulated from each account's spend rate.
    """
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
    state = SandboxState()
    accounts = demo.populate(state)
    server = SandboxServer(state, port=port)
    try:
        server.start()
    except OSError as exc:
        console.print(f"[red]topup: could not start the sandbox on port {port}: {exc.strerror}[/]")
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
            console.print(
                f"[bold]topup demo[/] — sandbox at {server.url}, config {escape(str(path))}\n"
            )
            print_table(console, results, below_minimum(results, {a.name: a for a in cfg.accounts}))
        if once:
            return
        store = Store.open(history)
        store.record([(r, "demo") for r in results])
        demo.backfill(store, results, accounts)
        service = build(cfg, History(history, store), WatchOptions(interval=15, run=run))

        def ready(url: str) -> None:
            console.print(
                f"\n[bold green]Dashboard:[/] {url}   (REST API {url}api/accounts, "
                f"metrics {url}metrics)\n"
                "The sandbox spends from the accounts and topup checks them every 15 s.\n"
                "Try it from another terminal:",
                soft_wrap=True,
            )
            for command in (
                f"topup check --config {path}",
                f"topup history relay-x --config {path}",
            ):
                console.print(f"  {escape(command)}", soft_wrap=True, highlight=False)
            console.print("Press Ctrl-C to stop.")

        try:
            serve_web(
                service,
                host="127.0.0.1",
                port=dashboard if port_free(dashboard) else 0,
                token=None,
                on_ready=ready,
            )
        except ServeError as exc:
            console.print(f"[red]topup: {escape(str(exc))}[/]")
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
