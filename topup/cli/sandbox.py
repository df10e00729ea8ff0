"""``topup sandbox``: run the local stand-in of the balance APIs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from topup.cli.app import app

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@app.command("sandbox")
def sandbox(
    host: Annotated[str, typer.Option(help="Address to bind (keep it loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="SQLite state file, kept across restarts (default: memory)."),
    ] = None,
    seed_demo: Annotated[
        bool,
        typer.Option(
            "--seed-demo", help="Create the demo's sites and accounts; print a config for them."
        ),
    ] = False,
) -> None:
    """Serve faithful copies of the SiliconFlow and new-api balance APIs, with faults on demand."""
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
    st = SandboxState(path=state)
    base = f"http://{host}:{port}"
    if seed_demo:
        # The same scenario as `topup demo`; printed as a config (plain text, copyable).
        typer.echo(demo.config_text(base, demo.populate(st)))
    console.print(f"sandbox on {base}  (admin: {base}/_sandbox/state, docs: {base}/docs)")
    try:
        uvicorn.Server(uvicorn_config(create_app(st), host, port, log_level="info")).run()
    finally:
        st.close()
