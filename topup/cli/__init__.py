"""The `topup` command line. Each command lives in its own module and registers on :data:`app`."""

from __future__ import annotations

import importlib
import logging
import os

from topup.cli.app import app

COMMANDS = ("check", "providers", "sandbox", "demo", "watch", "history", "alerts", "serve")

for _name in COMMANDS:
    try:
        importlib.import_module(f"topup.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command whose module is not written yet
        if exc.name != f"topup.cli.{_name}":
            raise


def main() -> None:
    level = os.environ.get("TOPUP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app()
