"""`topup keys check` on 10,000 keys over real HTTP: order, masking, counts, exit status, and
a peak memory that does not grow with the number of keys."""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from topup.sandbox.server import SandboxServer
from topup.sandbox.state import SandboxState
from topup.secrets import mask

PROBE = Path(__file__).parent / "data" / "keys" / "peak_memory.py"
SIZES = (2_000, 10_000)
#: Lines (1-based, after the header) holding an exhausted or an unknown key.
EXHAUSTED_AT = frozenset({2, 2_500, 9_999})
UNKNOWN_AT = frozenset({3, 5_000, 10_001})


@dataclass
class Run:
    keys: list[str]
    code: int
    rows: list[dict[str, str]]
    stdout: str
    stderr: str
    peak_kb: int
    cpu_seconds: float


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Run]]:
    tmp = tmp_path_factory.mktemp("keys")
    state = SandboxState()
    with SandboxServer(state) as server:
        state.add_site("relay", "newapi")
        good = [k.key for k in state.bulk_keys("relay", max(SIZES), balance="1.25")]
        exhausted = [k.key for k in state.bulk_keys("relay", len(EXHAUSTED_AT), remain=0)]
        url = server.site_url("relay")
        done: dict[int, Run] = {}
        for size in SIZES:
            keys = []
            for line in range(2, size + 2):
                if line in EXHAUSTED_AT:
                    keys.append(exhausted[len([n for n in EXHAUSTED_AT if n < line])])
                elif line in UNKNOWN_AT:
                    keys.append(f"sk-unknown{line:040d}")
                else:
                    keys.append(good[line - 2])
            path = tmp / f"keys-{size}.csv"
            with path.open("w", encoding="utf-8") as out:
                out.write("key,base_url\n")
                out.writelines(f"{key},{url}\n" for key in keys)
            done[size] = run(path, keys)
        yield done


def run(path: Path, keys: list[str]) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    args = ["keys", "check", str(path), "--csv", "--concurrency", "64", "--per-host", "64"]
    proc = subprocess.run(
        [sys.executable, str(PROBE), *args],
        capture_output=True,
        text=True,
        timeout=280,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = re.search(r"VmHWM: (\d+) kB", proc.stderr)
    assert peak is not None, proc.stderr
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    return Run(keys, proc.returncode, rows, proc.stdout, proc.stderr, int(peak[1]), cpu)


@pytest.mark.timeout(600)
def test_ten_thousand_keys_come_back_in_order_masked_and_counted(runs: dict[int, Run]) -> None:
    big = runs[10_000]
    assert [int(r["line"]) for r in big.rows] == list(range(2, 10_002))
    assert [r["key"] for r in big.rows] == [mask(k) for k in big.keys]
    statuses = {int(r["line"]): r["status"] for r in big.rows}
    assert {n for n, s in statuses.items() if s == "exhausted"} == EXHAUSTED_AT
    assert {n for n, s in statuses.items() if s == "auth_error"} == UNKNOWN_AT
    assert {s for n, s in statuses.items() if n not in EXHAUSTED_AT | UNKNOWN_AT} == {"ok"}
    assert "10,000 keys: 9,994 ok · 3 exhausted · 3 invalid · 0 failed" in big.stderr
    assert "Total: 12,492.50 USD" in big.stderr
    assert big.code == 1
    # The command's own CPU time: well under a minute for 10,000 keys on this machine.
    assert big.cpu_seconds < 60, big.cpu_seconds


@pytest.mark.timeout(600)
def test_no_raw_key_appears_in_the_output_of_ten_thousand(runs: dict[int, Run]) -> None:
    big = runs[10_000]
    shown = set(re.findall(r"[\w-]{12,}", big.stdout + big.stderr))
    assert not shown & set(big.keys)
    assert all("…" in r["key"] for r in big.rows)


@pytest.mark.timeout(600)
def test_peak_memory_does_not_grow_with_the_number_of_keys(runs: dict[int, Run]) -> None:
    small, big = runs[2_000], runs[10_000]
    assert len(small.rows) == 2_000 and len(big.rows) == 10_000
    # Five times the keys: the peak may differ by noise, not by 8,000 results (tens of MB).
    assert big.peak_kb - small.peak_kb < 10 * 1024, (small.peak_kb, big.peak_kb)
    print(f"peak {small.peak_kb} / {big.peak_kb} kB", end=", ")
    print(f"cpu {small.cpu_seconds:.1f} / {big.cpu_seconds:.1f} s")
