"""Running the real `topup` CLI in tests: config files, CliRunner, subprocess."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from topup.cli import app

ROOT = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def config_text(accounts: list[Mapping[str, Any]], check: Mapping[str, Any] | None = None) -> str:
    lines: list[str] = []
    if check:
        lines.append("[check]")
        lines += [f"{k} = {toml_value(v)}" for k, v in check.items()]
        lines.append("")
    for account in accounts:
        lines.append("[[accounts]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in account.items()]
        lines.append("")
    return "\n".join(lines)


def write_config(
    directory: Path,
    accounts: list[Mapping[str, Any]],
    check: Mapping[str, Any] | None = None,
    name: str = "config.toml",
) -> Path:
    path = directory / name
    path.write_text(config_text(accounts, check), encoding="utf-8")
    return path


def invoke(args: list[str], env: Mapping[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(app, args, env={**WIDE, **(env or {})}, catch_exceptions=False)


def run_subprocess(
    args: list[str], env: Mapping[str, str] | None = None, *, module: bool = False
) -> subprocess.CompletedProcess[str]:
    script = ROOT / ".venv" / "bin" / "topup"
    command = [sys.executable, "-m", "topup"] if module or not script.exists() else [str(script)]
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TOPUP_") and "PROXY" not in k.upper()
    }
    environment.update(WIDE)
    environment.update(env or {})
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """`topup check` installs redaction filters on the root logger; undo them after a test."""
    root = logging.getLogger()
    topup_logger = logging.getLogger("topup")
    saved_root = list(root.filters)
    saved_topup = list(topup_logger.filters)
    saved_handlers = {h: list(h.filters) for h in root.handlers}
    yield
    root.filters[:] = saved_root
    topup_logger.filters[:] = saved_topup
    for handler in root.handlers:
        if handler in saved_handlers:
            handler.filters[:] = saved_handlers[handler]
