"""``topup sandbox``: run the local imitation of every platform's balance API."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from topup.cli.app import app
from topup.i18n import N_

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@app.command(
    "sandbox",
    help=N_("Serve a faithful imitation of every platform's balance API, with faults on demand."),
)
def sandbox(
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help=N_("Address to bind (keep it loopback)."))
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", min=0, max=65535, help=N_("Port to listen on."))
    ] = 8787,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            metavar="FILE",
            help=N_("SQLite state file, kept across restarts (default: memory)."),
        ),
    ] = None,
    seed_demo: Annotated[
        bool,
        typer.Option(
            "--seed-demo",
            help=N_("Create the demo's sites and accounts; print a config for them."),
        ),
    ] = False,
) -> None:
    import uvicorn

    from topup import demo
    from topup.sandbox.app import create_app
    from topup.sandbox.server import uvicorn_config
    from topup.sandbox.state import SandboxState

    console = Console(stderr=True)
    if host not in LOOPBACK:
        console.print(
            f"[yellow]warning:[/] binding {host}: the balance endpoints are reachable from "
            "other machines (the /_sandbox/ admin API still answers loopback only)."
        )
    # Listen first: a busy port must fail before any config is printed for it.
    try:
        sock = listen(host, port)
    except OSError:
        console.print(f"could not listen on {host}:{port}; is the port in use?")
        raise typer.Exit(1) from None
    port = sock.getsockname()[1]
    try:
        st = SandboxState(path=state)
        base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        if seed_demo:
            # The same scenario as `topup demo`; printed as a config (plain text, copyable).
            typer.echo(demo.config_text(base, demo.populate(st)))
        console.print(f"sandbox on {base}  (admin: {base}/_sandbox/state, docs: {base}/docs)")
        try:
            config = uvicorn_config(create_app(st), host, port, log_level="info")
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            st.close()
    finally:
        sock.close()


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (the way uvicorn binds one); raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(4096)
    except BaseException:
        sock.close()
        raise
    return sock
