"""How `topup history NAME` shows one account: its balance changes (runs of identical points
folded into their first) and, for an account whose checks failed, its failure runs."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from topup.attention import status_label
from topup.display import money
from topup.i18n import _, ngettext
from topup.storage import BalancePoint, CheckRecord

#: At most this many failure runs are shown (the latest).
FAILURE_RUNS_SHOWN = 20


def failed_runs(checks: Sequence[CheckRecord]) -> list[tuple[CheckRecord, CheckRecord, int]]:
    """Runs of consecutive failed checks with the same status and message: (first, last, count)."""
    runs: list[tuple[CheckRecord, CheckRecord, int]] = []
    previous_failed = False
    for c in checks:
        if c.status.checked:
            previous_failed = False
            continue
        if (
            previous_failed
            and runs
            and runs[-1][0].status == c.status
            and runs[-1][0].message == c.message
        ):
            first, _last, count = runs[-1]
            runs[-1] = (first, c, count + 1)
        else:
            runs.append((c, c, 1))
        previous_failed = True
    return runs


def print_failures(console: Console, runs: list[tuple[CheckRecord, CheckRecord, int]]) -> None:
    grid = Table(header_style="bold", title=_("Failed checks"), title_justify="left")
    grid.add_column(_("First (UTC)"))
    grid.add_column(_("Last (UTC)"))
    grid.add_column(_("Status"))
    grid.add_column(_("Message"))
    grid.add_column(_("Checks"), justify="right")
    for first, last, count in runs[-FAILURE_RUNS_SHOWN:]:
        grid.add_row(
            f"{first.checked_at:%Y-%m-%d %H:%M:%S}",
            "" if count == 1 else f"{last.checked_at:%Y-%m-%d %H:%M:%S}",
            escape(status_label(first.status)),
            escape(first.message or ""),
            str(count),
        )
    console.print(grid)
    if len(runs) > FAILURE_RUNS_SHOWN:
        console.print(
            _("{shown} latest of {total} failure runs shown (--json lists every check)").format(
                shown=FAILURE_RUNS_SHOWN, total=len(runs)
            ),
            style="dim",
            highlight=False,
        )


def print_points(
    console: Console,
    points: Sequence[BalancePoint],
    checks: Sequence[CheckRecord],
    show_all: bool,
) -> None:
    runs = [(p, 1) for p in points] if show_all else folded(points, checks)
    grid = Table(header_style="bold")
    grid.add_column(_("Time (UTC)"))
    for column in (_("Balance"), _("Used"), _("Change"), _("Checks")):
        grid.add_column(column, justify="right")
    previous: BalancePoint | None = None
    for p, held in runs:
        balance = _("unlimited") if p.unlimited else money(p.balance, p.currency)
        grid.add_row(
            f"{p.at:%Y-%m-%d %H:%M:%S}",
            balance,
            money(p.used, p.currency),
            change_text(previous, p),
            str(held),
        )
        previous = p
    console.print(grid)
    folded_checks = sum(held - 1 for _p, held in runs if held > 1)
    if (not show_all and len(runs) < len(points)) or folded_checks:
        console.print(
            ngettext(
                "{shown} change shown; ",
                "{shown} changes shown; ",
                len(runs),
            ).format(shown=len(runs))
            + ngettext(
                "{folded} check with an unchanged balance folded into them (--all shows every "
                "point)",
                "{folded} checks with an unchanged balance folded into them (--all shows every "
                "point)",
                folded_checks,
            ).format(folded=folded_checks),
            style="dim",
            highlight=False,
        )


def folded(
    points: Sequence[BalancePoint], checks: Sequence[CheckRecord]
) -> list[tuple[BalancePoint, int]]:
    """Runs of points with identical amounts folded into their first, each with the number of
    good checks that saw it (at least 1: the point itself, written by a check)."""
    runs: list[BalancePoint] = []
    for p in points:
        if not runs or runs[-1].amounts() != p.amounts():
            runs.append(p)
    good = [c.checked_at for c in checks if c.status.checked]
    out: list[tuple[BalancePoint, int]] = []
    for i, p in enumerate(runs):
        end = runs[i + 1].at if i + 1 < len(runs) else None
        lo = bisect_left(good, p.at)
        hi = len(good) if end is None else bisect_left(good, end)
        out.append((p, max(1, hi - lo)))
    return out


def change_text(before: BalancePoint | None, after: BalancePoint) -> str:
    if (
        before is None
        or before.balance is None
        or after.balance is None
        or before.currency != after.currency
    ):
        return ""
    delta = after.balance - before.balance
    return ("+" if delta > 0 else "") + money(delta, after.currency) if delta else ""
