"""The `topup` command line. Each command lives in its own module and registers on :data:`app`;
the module is imported only when its command runs (:mod:`topup.cli.lazy`)."""

from __future__ import annotations

import logging
import os

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


def main() -> None:
    level = os.environ.get("TOPUP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app()
