"""`topup check` shows runway when `topup watch` history exists (and only then)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from topup.cli.app import app
from topup.model import CheckResult, Status, utcnow
from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.storage import Store, sqlite_url


def config(tmp_path: Path, base: str, storage: str | None) -> Path:
    path = tmp_path / "config.toml"
    text = f'[storage]\nurl = "{storage}"\n\n' if storage else ""
    text += (
        f'[[accounts]]\nname = "shop"\nprovider = "siliconflow"\n'
        f'base_url = "{base}/sf"\napi_key = "sk-runway-000001"\n'
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_runway_column_from_history(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "history.db")
    now = utcnow()
    with Store.open(url) as store:
        for days_ago, balance in ((3, "13"), (2, "10"), (1, "7"), (0, "4")):
            store.record(
                [
                    (
                        CheckResult(
                            account="shop",
                            provider="siliconflow",
                            status=Status.OK,
                            currency="USD",
                            balance=Decimal(balance),
                            checked_at=now - timedelta(days=days_ago),
                        ),
                        "fp",
                    )
                ]
            )
    state = SandboxState()
    state.add_site("sf", "siliconflow")
    state.add_account("sf", token="sk-runway-000001", paid="4")
    runner = CliRunner()
    with SandboxServer(state) as server:
        with_history = runner.invoke(
            app,
            ["check", "--config", str(config(tmp_path, server.url, url))],
            env={"COLUMNS": "160"},
        )
        no_history = runner.invoke(
            app,
            ["check", "--config", str(config(tmp_path, server.url, sqlite_url(tmp_path / "x.db")))],
            env={"COLUMNS": "160"},
        )
    assert with_history.exit_code == 0, with_history.output
    assert "Runway" in with_history.stdout
    assert "1.3 d" in with_history.stdout  # 4 USD left, 3 USD per day
    assert "Runway" not in no_history.stdout
