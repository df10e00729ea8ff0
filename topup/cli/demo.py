"""`topup demo`: the whole system on an embedded sandbox, no internet needed."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from topup import config as config_module
from topup import demo
from topup.cli.app import app
from topup.cli.check import below_minimum, check_accounts, run_options
from topup.cli.render import print_table
from topup.model import utcnow
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.serialize import results_json


@app.command("demo")
def demo_command(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the round as JSON.")] = False,
    port: Annotated[int, typer.Option(help="Sandbox port (0: a free one).")] = 0,
    keep: Annotated[
        Path | None,
        typer.Option(help="Write the demo config and state here instead of a temp dir."),
    ] = None,
) -> None:
    """Start a local sandbox of the real APIs, create demo accounts, and check them.

    The accounts span SiliconFlow's two hosts, AIHubMix, a new-api relay (account and key
    modes, an unlimited key, a CNY site) plus one site that is down and one retired endpoint,
    so you see what those look like. Exits 0 when the demo ran (its failures are on purpose).
    """
    console = Console()
    workdir = keep or Path(tempfile.mkdtemp(prefix="topup-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    state = SandboxState()
    accounts = demo.populate(state)
    with SandboxServer(state, port=port) as server:
        path = demo.write_config(workdir, server.url, accounts)
        cfg = config_module.load(path)
        results = check_accounts(cfg.accounts, run_options(cfg, timeout=10), progress=not as_json)
        if as_json:
            sys.stdout.write(results_json(results, utcnow()) + "\n")
        else:
            console.print(f"[bold]topup demo[/] — sandbox at {server.url}, config {path}\n")
            print_table(console, results, below_minimum(results, {a.name: a for a in cfg.accounts}))
        if once:
            return
        console.print(
            f"\nThe sandbox keeps running (balances fall over time). In another terminal:\n"
            f"  topup check --config {path}\n"
            f"  topup watch --config {path} --interval 30s\n"
            "Press Ctrl-C to stop."
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("\nstopped")
