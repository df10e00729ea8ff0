"""The terminal table of `topup check`: balances with their currency, status, totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from topup.attention import RUNWAY_WARNING_DAYS, Need, label, status_label
from topup.display import money
from topup.i18n import gettext
from topup.model import Amounts, CheckResult, Status

_ = gettext

STATUS_STYLE = {
    Status.OK: "green",
    Status.EXHAUSTED: "bold red",
    Status.DISABLED: "red",
    Status.AUTH_ERROR: "magenta",
    Status.RATE_LIMITED: "yellow",
    Status.UNAVAILABLE: "yellow",
    Status.UNREACHABLE: "yellow",
    Status.ENDPOINT_RETIRED: "bold magenta",
    Status.BAD_RESPONSE: "magenta",
    Status.CONFIG_ERROR: "magenta",
}


def amount_text(value: Decimal | None, currency: str | None, unlimited: bool = False) -> Text:
    if unlimited:
        return Text(_("unlimited"), style="cyan")
    if value is None:
        return Text(_("unknown"), style="dim")
    return Text(money(value, currency), style="red" if value < 0 else "")


def totals(results: Sequence[CheckResult], excluded: Collection[str] = ()) -> dict[str, Decimal]:
    """Per currency, over every currency each account holds (not only its flat fields);
    ``excluded``: accounts with ``totals = false``."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for result in results:
        if result.account in excluded:
            continue
        for entry in result.counted():
            assert entry.balance is not None
            sums[entry.currency] += entry.balance
    return dict(sorted(sums.items()))


def known(result: CheckResult) -> bool:
    """The result says what is left: an amount, several currencies, windows or no limit."""
    return (
        result.unlimited
        or result.balance is not None
        or bool(result.counted())
        or bool(result.windows)
    )


def not_counted(results: Sequence[CheckResult], excluded: Collection[str] = ()) -> str:
    """What the totals leave out: unknown balances, amounts in a unit nobody named, and the
    accounts excluded with ``totals = false``."""
    left_out = [r.account for r in results if r.account in excluded]
    results = [r for r in results if r.account not in excluded]
    unknown = sum(1 for r in results if not known(r))
    unitless = [r.account for r in results if r.balance is not None and not r.entries()]
    parts = [_("{n} unknown").format(n=unknown)] if unknown else []
    if left_out:
        parts.append(_("{n} excluded ({names})").format(n=len(left_out), names=", ".join(left_out)))
    if unitless:
        parts.append(
            _("{n} without a currency ({names})").format(n=len(unitless), names=", ".join(unitless))
        )
    return _("{parts}, not counted").format(parts=_(" and ").join(parts)) if parts else ""


def balance_text(r: Amounts) -> Text:
    """The Balance cell: the flat amount; else every currency; else the quota windows."""
    if r.balance is not None or r.unlimited:
        text = amount_text(r.balance, r.currency, r.unlimited)
        others = [e for e in r.entries() if e.currency != r.currency and e.balance is not None]
        for e in others:
            text.append(" + ").append_text(amount_text(e.balance, e.currency))
        return text
    entries = [e for e in r.entries() if e.balance is not None]
    if entries:
        text = Text()
        for i, e in enumerate(entries):
            text.append(" + " if i else "").append_text(amount_text(e.balance, e.currency))
        return text
    if r.windows:
        return windows_text(r, lowest_only=True)
    return amount_text(None, None)


def windows_text(r: Amounts, *, lowest_only: bool = False) -> Text:
    """``5h 62% left · weekly 8% left`` (red under 10%, yellow under 25%); with
    ``lowest_only`` just the window with the least left (the Balance cell stays narrow)."""
    text = Text()
    windows = list(r.windows)
    if lowest_only and windows:
        lowest = r.lowest_window()
        windows = [lowest] if lowest is not None else windows[:1]
    for i, w in enumerate(windows):
        left = w.left_percent
        shown = "?" if left is None else f"{left.quantize(Decimal(1))}%"
        style = "" if left is None else "bold red" if left < 10 else "yellow" if left < 25 else ""
        left_text = _("{window} {percent} left").format(window=w.name, percent=shown)
        text.append(" · " if i else "").append(left_text, style=style)
    return text


WIDE = 120


def runway_text(days: Decimal | None) -> Text:
    if days is None:
        return Text("")
    style = "bold red" if days < 3 else "yellow" if days < 7 else ""
    shown = f"{days:.1f}" if days < 100 else f"{days:.0f}"
    return Text(_("{days} d").format(days=shown), style=style)


KNOWN_NEEDS = {str(n) for n in Need}


def reasons(r: CheckResult, runway: Decimal | None = None, *, low: bool = False) -> list[Need]:
    """Why the account needs attention (:mod:`topup.attention`, as --json's ``attention`` says),
    without the reasons its status already tells (failing, exhausted), plus a short runway
    from history; ``low``: it is below its min_balance (a note of :func:`below_minimum`)."""
    found = [Need(n) for n in r.attention or () if n in KNOWN_NEEDS]
    if low and Need.LOW not in found:
        found.append(Need.LOW)
    if runway is not None and runway < RUNWAY_WARNING_DAYS and Need.RUNWAY not in found:
        found.append(Need.RUNWAY)
    told = {Need.FAILING, Need.EXHAUSTED}
    return [n for n in found if n not in told]


def status_text(r: CheckResult, runway: Decimal | None = None, *, low: bool = False) -> Text:
    """The status as a person calls it (translated; --json keeps the value), then what needs
    attention: ``ok, low``."""
    text = Text(status_label(r.status), style=STATUS_STYLE[r.status])
    for need in reasons(r, runway, low=low):
        text.append(", ").append(label(need), style="bold yellow")
    return text


def table(
    results: Sequence[CheckResult],
    notes: dict[str, str],
    *,
    details: bool = True,
    runways: dict[str, Decimal] | None = None,
    excluded: Collection[str] = (),
) -> Table:
    grid = Table(title=None, header_style="bold", expand=False, pad_edge=True)
    grid.add_column(_("Account"), overflow="fold", min_width=8)
    grid.add_column(_("Platform"), style="dim", overflow="fold", min_width=6)
    grid.add_column(_("Balance"), justify="right", no_wrap=True)
    grid.add_column(_("Used"), justify="right", no_wrap=True)
    if runways:
        grid.add_column(_("Runway"), justify="right", no_wrap=True)
    grid.add_column(_("Status"), no_wrap=True)
    if details:
        grid.add_column(_("Details"), overflow="fold", min_width=24, ratio=1)
    for r in results:
        row: list[RenderableType] = [
            r.account,
            r.provider,
            balance_text(r),
            Text(money(r.used, r.currency), style="dim") if r.used is not None else Text(""),
        ]
        if runways:
            row.append(runway_text(runways.get(r.account)))
        low = r.account in notes and r.status is Status.OK  # below its min_balance
        row.append(status_text(r, (runways or {}).get(r.account), low=low))
        if details:
            detail = notes.get(r.account) or r.message or ""
            if not detail and len(r.windows) > 1:
                row.append(windows_text(r))
            else:
                row.append(Text(detail, style="yellow" if r.account in notes else ""))
        grid.add_row(*row)
    sums = totals(results, excluded)
    note_text = not_counted(results, excluded)
    if sums:
        grid.add_section()
        for index, (currency, total) in enumerate(sums.items()):
            total_row: list[RenderableType] = [
                Text(_("Total"), style="bold"),
                "",
                Text(money(total, currency), style="bold"),
            ]
            total_row += ["", "", ""] if runways else ["", ""]
            if details:
                note = note_text if index == 0 else ""
                total_row.append(Text(note, style="dim"))
            grid.add_row(*total_row)
    return grid


def print_table(
    console: Console,
    results: Sequence[CheckResult],
    notes: dict[str, str],
    runways: dict[str, Decimal] | None = None,
    excluded: Collection[str] = (),
) -> None:
    """The table; ``excluded``: accounts left out of the totals (``totals = false``)."""
    if not results:
        console.print(_("No accounts to check."))
        return
    wide = console.width >= WIDE
    console.print(table(results, notes, details=wide, runways=runways, excluded=excluded))
    if wide:
        return
    for r in results:
        detail = notes.get(r.account) or r.message
        if detail:
            style = "yellow" if r.account in notes else STATUS_STYLE[r.status]
            console.print(Text.assemble((f"{r.account}: ", "bold"), (detail, style)))
    note = not_counted(results, excluded)
    if note and totals(results, excluded):
        console.print(Text(_("{note} in the totals").format(note=note), style="dim"))
