"""Watcher-round benchmark: one ``topup watch --once`` round of N accounts against ``topup check``
of the same accounts, same run, same server (the fan-out benchmark's minimal fake server, 50 ms
latency), each in its own process; plus the log redaction per line, the old way (a loop over
every account's secrets) against :class:`topup.secrets.Scrubber`.

    .venv/bin/python -m benchmarks.watch_bench --accounts 1000 10000

Writes a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.fanout import ROOT, free_port, write_config
from topup.secrets import Scrubber, Secret, mask


def timed(command: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one command in its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1, 3):
        raise RuntimeError(done.stderr.decode()[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": after.ru_maxrss / 1024,
        "lines": done.stderr.count(b"\n"),
    }


def old_scrub(text: str, secrets: list[str]) -> str:
    """The redaction before the Scrubber: every secret looked for in every line."""
    for raw in secrets:
        escaped = repr(raw)[1:-1]
        for form in {raw, escaped}:
            if form in text:
                text = text.replace(form, mask(raw))
    return text


def redaction(count: int) -> dict[str, float]:
    secrets = [f"sk-fake-{i:06d}-{'x' * 32}" for i in range(count)]
    line = f"check account=acct-{count // 2} provider=siliconflow status=ok balance=10 ..."
    started = time.process_time()
    for _ in range(50):
        old_scrub(line, secrets)
    old = (time.process_time() - started) / 50
    started = time.process_time()
    scrubber = Scrubber(Secret(s) for s in secrets)
    scrubber.scrub(line)
    build = time.process_time() - started
    started = time.process_time()
    for _ in range(2000):
        scrubber.scrub(line)
    new = (time.process_time() - started) / 2000
    return {"old_ms": old * 1000, "new_us": new * 1e6, "build_s": build}


def bench(count: int, latency_ms: int, concurrency: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fanout", "fake", str(port), str(latency_ms)],
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            tokens = [f"sk-fake-{i:06d}-{'x' * 32}" for i in range(count)]
            config = write_config(work, f"http://127.0.0.1:{port}/bench", tokens, concurrency, [])
            top = [sys.executable, "-m", "topup"]
            check = timed([*top, "check", "--json", "--config", str(config)])
            watch = timed(
                [*top, "watch", "--once", "--config", str(config), "--db", str(work / "h.db")]
            )
        finally:
            server.terminate()
            server.wait(10)
    return {"count": count, "check": check, "watch": watch, "redaction": redaction(count)}


def table(rows: list[dict], latency_ms: int, concurrency: int) -> str:
    out = [
        f"Latency {latency_ms} ms (minimal fake server), concurrency {concurrency}, "
        f"{os.cpu_count()} cores; SQLite history in a fresh file; each command in its own process.",
        "",
        "| accounts | `topup check` wall / CPU | `topup watch --once` wall / CPU | watch/check "
        "(wall) | watch log lines | redaction per line: old loop / one scan (build once) "
        "| peak RSS check / largest so far |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c, w, red = r["check"], r["watch"], r["redaction"]
        out.append(
            f"| {r['count']:,} | {c['wall']:.2f} s / {c['cpu']:.2f} s "
            f"| {w['wall']:.2f} s / {w['cpu']:.2f} s | {w['wall'] / c['wall']:.2f} "
            f"| {w['lines']:,.0f} | {red['old_ms']:.2f} ms / {red['new_us']:.1f} µs "
            f"({red['build_s']:.2f} s) | {c['rss']:.0f} / {w['rss']:.0f} MB |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    rows = [bench(n, args.latency_ms, args.concurrency) for n in args.accounts]
    print(table(rows, args.latency_ms, args.concurrency), flush=True)


if __name__ == "__main__":
    main()
