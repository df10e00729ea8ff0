"""Run the `topup` command line, then print this process's peak resident memory to stderr.

``python peak_memory.py keys check FILE --csv`` ends its stderr with ``VmHWM: <kB> kB`` (from
/proc/self/status), so a test can compare the peak of two runs of different sizes.
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path


def report() -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            sys.stderr.write(" ".join(line.split()) + "\n")


atexit.register(report)

import topup.cli.keys  # noqa: E402, F401  (registers `topup keys`)
from topup.cli import main  # noqa: E402

main()
