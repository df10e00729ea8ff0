"""`make bench` runs what exists in benchmarks/ (through benchmarks/run.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_make_bench_runs_modules_that_exist() -> None:
    target = re.search(r"^bench:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert target is not None
    module = re.search(r"-m (\S+)", target.group(1))
    assert module is not None and module.group(1) == "benchmarks.run"
    found = python(
        "import importlib.util, json; from benchmarks.run import BENCHMARKS; "
        "print(json.dumps({m: importlib.util.find_spec(m) is not None "
        "for m in BENCHMARKS.values()}))"
    )
    assert found.returncode == 0, found.stderr
    modules = json.loads(found.stdout)
    assert all(modules.values()), modules
    files = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - {"__init__", "run"}
    assert {m.split(".")[1] for m in modules} == files  # every benchmark, none missing


def test_an_unknown_benchmark_is_a_usage_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 2 and "fanout, storage, web" in out.stderr
