"""Run the benchmarks in ``benchmarks/``, one after another, each in its own process.

    .venv/bin/python -m benchmarks.run                    # all of them, with their defaults
    .venv/bin/python -m benchmarks.run fanout web         # some of them
    .venv/bin/python -m benchmarks.run storage -- --days 1 --checks 100000   # options for one

Each prints its Markdown table; see benchmarks/README.md for what they measure. The full
defaults take a long time (10,000 accounts, 10 million checks).
"""

from __future__ import annotations

import subprocess
import sys

#: Name on the command line -> the benchmark's module.
BENCHMARKS = {
    "fanout": "benchmarks.fanout",
    "storage": "benchmarks.storage_bench",
    "web": "benchmarks.web_bench",
    "watch": "benchmarks.watch_bench",
    "leases": "benchmarks.leases_bench",
}


def main(argv: list[str]) -> int:
    split = argv.index("--") if "--" in argv else len(argv)
    names, options = argv[:split], argv[split + 1 :]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown or (options and len(names) != 1):
        print(__doc__, file=sys.stderr)
        print(f"benchmarks: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names or list(BENCHMARKS):
        print(f"## {name}: python -m {BENCHMARKS[name]} {' '.join(options)}".rstrip(), flush=True)
        done = subprocess.run([sys.executable, "-m", BENCHMARKS[name], *options], check=False)
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
