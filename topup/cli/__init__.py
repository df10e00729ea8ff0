"""The `topup` command line. Each command lives in its own module and registers on :data:`app`."""

from __future__ import annotations

import importlib
import logging
import os
from types import ModuleType

from topup.cli.app import app

#: The command modules, in the order they register (and `topup --help` lists them).
NAMES = (
    "check",
    "providers",
    "platforms",
    "init",
    "configure",
    "importer",
    "keys",
    "sandbox",
    "demo",
    "watch",
    "history",
    "alerts",
    "serve",
)
COMMANDS: tuple[ModuleType, ...] = tuple(importlib.import_module(f"topup.cli.{n}") for n in NAMES)


def main() -> None:
    level = os.environ.get("TOPUP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app()
