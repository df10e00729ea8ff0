"""The `topup` command line. Each command lives in its own module and registers on :data:`app`."""

from __future__ import annotations

import logging
import os

from topup.cli.app import app

# The order the commands are listed in by `topup --help`:
# isort: off
from topup.cli import (
    check,
    providers,
    platforms,
    init,
    configure,
    importer,
    keys,
    sandbox,
    demo,
    watch,
    history,
    alerts,
    serve,
)
# isort: on

#: The command modules, in the order they register.
COMMANDS = (
    check,
    providers,
    platforms,
    init,
    configure,
    importer,
    keys,
    sandbox,
    demo,
    watch,
    history,
    alerts,
    serve,
)


def main() -> None:
    level = os.environ.get("TOPUP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app()
