"""Child of test_crash: writes batches to a SQLite store forever, printing each commit.

Usage: python crash_child.py DB_PATH FIRST_BATCH
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from topup.model import CheckResult, Status
from topup.storage import Store, sqlite_url

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def main() -> None:
    path, first = sys.argv[1], int(sys.argv[2])
    store = Store.open(sqlite_url(path))
    n = first
    while True:
        at = T0 + timedelta(minutes=n)
        results = [
            (
                CheckResult(
                    account=f"acct{i}",
                    provider="p",
                    status=Status.OK,
                    currency="USD",
                    balance=Decimal(1_000_000 - n * 10 - i) / 1000,
                    checked_at=at,
                    message=f"batch {n}",
                ),
                "fp",
            )
            for i in range(10)
        ]
        store.record(results)
        print(f"committed {n}", flush=True)
        n += 1


if __name__ == "__main__":
    main()
