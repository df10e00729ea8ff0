"""The `topup` command line. Each command lives in its own module and registers on :data:`app`;
the module is imported only when its command runs (:mod:`topup.cli.lazy`)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any, TextIO

from topup.cli.app import app
from topup.cli.lazy import Lazy
from topup.i18n import N_

#: The commands, in the order `topup --help` lists them: name, module, one line of help. A new
#: command module is one more line here.
COMMANDS: tuple[Lazy, ...] = (
    Lazy("check", "check", N_("Check every account's balance now.")),
    Lazy("status", "status", N_("One line from history for prompts and status lines.")),
    Lazy("providers", "providers", N_("List the platforms, their credential fields and defaults.")),
    Lazy("init", "init", N_("Write a commented starter config, asking for the accounts.")),
    Lazy(
        "config", "configure", N_("Work with the config file: `topup config check` validates it.")
    ),
    Lazy("import", "importer", N_("Bring accounts in from other tools' files.")),
    Lazy("keys", "keys", N_("Check many API keys at once (relay operators, resellers).")),
    Lazy(
        "platforms",
        "platforms",
        N_("Custom platforms declared in the config (\\[\\[platforms]] recipes)."),
    ),
    Lazy(
        "watch", "watch", N_("Check every account on its interval, keep history, and send alerts.")
    ),
    Lazy("serve", "serve", N_("Run the watcher and the web dashboard, REST API and /metrics.")),
    Lazy("db", "db", N_("The history database: prune old checks.")),
    Lazy("history", "history", N_("Every account at a glance, or one account's history.")),
    Lazy(
        "export",
        "history",
        N_("Write every recorded check (with its amounts) as CSV or JSON lines."),
    ),
    Lazy("alerts", "alerts", N_("Alert channels: test the notify URLs of the alerts table.")),
    Lazy(
        "sandbox",
        "sandbox",
        N_("Serve an imitation of every platform's balance API, with faults on demand."),
    ),
    Lazy("demo", "demo", N_("Try topup on a local sandbox of every platform: no account needed.")),
)


class QuietPipe:
    """stdout that, once its reader has gone (``topup ... | head -1``), sends the rest to
    /dev/null: the command ends as it would have, with its own exit status, and no traceback
    (click alone would exit 1)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def _reader_gone(self) -> None:
        self._closed = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()
            with contextlib.suppress(BrokenPipeError):
                self._stream.flush()  # what was buffered now goes to /dev/null

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    level = os.environ.get("TOPUP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sys.stdout = QuietPipe(sys.stdout)
    app()
