"""Checks every loaded series must pass, and the gap report (gaps are reported, never filled).

Each check is vectorized over whole columns. A failing check yields one ``Problem`` naming the
first offending row (1-based data row and its timestamp), the field, the value found, and how
many rows fail that same check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dexagent.backtests.data.timeframes import format_ms, format_timeframe
from dexagent.core.bars import Bars
from dexagent.core.errors import DataError

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed check: where it first fails, and how often."""

    check: str
    field: str
    row: int  # 1-based data row number (the header is not a row)
    timestamp_ms: int
    value: str
    problem: str
    fix: str
    count: int

    def describe(self, source: str) -> str:
        when = f"timestamp {self.timestamp_ms} = {format_ms(self.timestamp_ms)}"
        also = "it is the only row" if self.count == 1 else f"{self.count} rows fail this check"
        return (
            f"{source}: data row {self.row} ({when}), field {self.field!r}, value {self.value}: "
            f"{self.problem} ({also}). {self.fix}"
        )


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of missing bars: ``start_ms``/``end_ms`` are the first and last missing bar opens."""

    start_ms: int
    end_ms: int
    missing_bars: int
    after_row: int  # 1-based data row of the last bar before the gap


@dataclass(frozen=True, slots=True)
class DataReport:
    """What a series holds and whether it is usable: rows, range, timeframe, gaps, problems."""

    source: str
    rows: int
    first_ms: int | None
    last_ms: int | None
    timeframe_ms: int
    gap_count: int
    missing_bars: int
    longest_gap: Gap | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise ``DataError`` for the first failed check (gaps alone are not errors)."""
        if not self.problems:
            return
        first = self.problems[0]
        message = first.describe(self.source)
        if len(self.problems) > 1:
            others = ", ".join(p.check for p in self.problems[1:])
            message += f" Other failed checks: {others}."
        raise DataError(message)

    def summary(self) -> str:
        lines = [f"file:       {self.source}", f"rows:       {self.rows}"]
        if self.first_ms is not None and self.last_ms is not None:
            lines.append(f"range:      {format_ms(self.first_ms)} -> {format_ms(self.last_ms)}")
        lines.append(f"timeframe:  {format_timeframe(self.timeframe_ms)}")
        gaps = f"gaps:       {self.gap_count} ({self.missing_bars} missing bars)"
        if self.longest_gap is not None:
            g = self.longest_gap
            gaps += (
                f"; longest {g.missing_bars} bars, {format_ms(g.start_ms)} -> "
                f"{format_ms(g.end_ms)} (after data row {g.after_row})"
            )
        lines.append(gaps)
        if self.ok:
            lines.append("validation: ok")
        else:
            lines.append(f"validation: {len(self.problems)} failed check(s)")
            lines.extend(f"  - {p.describe(self.source)}" for p in self.problems)
        return "\n".join(lines)


def infer_timeframe_ms(timestamp_ms: npt.NDArray[np.int64]) -> int:
    """The most common positive step between consecutive bars (0 if there is none)."""
    steps = np.diff(timestamp_ms)
    steps = steps[steps > 0]
    if steps.size == 0:
        return 0
    first = steps[0]
    if np.all(steps == first):  # the usual case, and O(n) instead of a sort
        return int(first)
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def validate_bars(bars: Bars, *, source: str = "<bars>") -> DataReport:
    """Run every check over ``bars``; never raises for bad data (see ``raise_for_problems``)."""
    ts = bars.timestamp_ms
    n = len(bars)
    tf = bars.timeframe_ms or infer_timeframe_ms(ts)
    o, h, lo, c, v = bars.open, bars.high, bars.low, bars.close, bars.volume
    steps = np.diff(ts)
    after = ts[1:]
    # (check, field, failing rows, values shown, row offset, problem, what would work)
    checks: list[tuple[str, str, BoolArray, npt.NDArray[Any], int, str, str]] = []
    for field, values in (("open", o), ("high", h), ("low", lo), ("close", c), ("volume", v)):
        checks.append(
            (
                "finite",
                field,
                ~np.isfinite(values),
                values,
                0,
                "missing or not a finite number",
                "Every field needs a finite number.",
            )
        )
    for field, values in (("open", o), ("high", h), ("low", lo), ("close", c)):
        checks.append(
            (
                "positive_price",
                field,
                values <= 0,
                values,
                0,
                "price is not positive",
                "Prices must be greater than 0.",
            )
        )
    checks += [
        (
            "high_bounds",
            "high",
            h < np.maximum(o, c),
            h,
            0,
            "high is below max(open, close)",
            "high must be >= open and >= close.",
        ),
        (
            "low_bounds",
            "low",
            lo > np.minimum(o, c),
            lo,
            0,
            "low is above min(open, close)",
            "low must be <= open and <= close.",
        ),
        ("volume_nonnegative", "volume", v < 0, v, 0, "volume is negative", "Use volume >= 0."),
        (
            "sorted",
            "timestamp_ms",
            steps < 0,
            after,
            1,
            "timestamp is earlier than the row before it",
            "Sort the rows by timestamp_ms.",
        ),
        (
            "unique",
            "timestamp_ms",
            steps == 0,
            after,
            1,
            "timestamp repeats the row before it",
            "Drop the duplicate rows.",
        ),
    ]
    if tf > 0:
        checks.append(
            (
                "step",
                "timestamp_ms",
                (steps > 0) & (steps < tf),
                after,
                1,
                f"bar opens less than one timeframe ({format_timeframe(tf)}) after the previous",
                "Bars must not overlap; pass the right timeframe or resample.",
            )
        )
    problems = []
    for name, field, mask, values, offset, problem, fix in checks:
        count = int(np.count_nonzero(mask))
        if count:
            i = int(np.argmax(mask))
            row = i + offset
            value = repr(values[i].item())
            problems.append(Problem(name, field, row + 1, int(ts[row]), value, problem, fix, count))

    gap_count, missing, longest = _gaps(ts, steps, tf)
    return DataReport(
        source=source,
        rows=n,
        first_ms=int(ts[0]) if n else None,
        last_ms=int(ts[-1]) if n else None,
        timeframe_ms=tf,
        gap_count=gap_count,
        missing_bars=missing,
        longest_gap=longest,
        problems=tuple(problems),
    )


def _gaps(
    ts: npt.NDArray[np.int64], steps: npt.NDArray[np.int64], tf: int
) -> tuple[int, int, Gap | None]:
    if tf <= 0:
        return 0, 0, None
    at = np.flatnonzero(steps > tf)
    if at.size == 0:
        return 0, 0, None
    missing = (steps[at] - 1) // tf
    k = int(at[np.argmax(steps[at])])
    longest = Gap(
        start_ms=int(ts[k]) + tf,
        end_ms=int(ts[k]) + tf * int((steps[k] - 1) // tf),
        missing_bars=int((steps[k] - 1) // tf),
        after_row=k + 1,
    )
    return int(at.size), int(missing.sum()), longest
