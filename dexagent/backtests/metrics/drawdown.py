"""Drawdowns of an equity curve: the deepest one with its peak, trough and recovery, and the
longest time spent under water."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The deepest peak-to-trough fall. Bars are indices into the curve; ``*_ms`` their times.

    ``duration_*`` runs from the peak to the recovery (the first bar back at or above the peak) or,
    if the curve never recovered, to its last bar.
    """

    depth: float  # fraction <= 0, e.g. -0.25 for a 25 % fall
    peak_bar: int
    trough_bar: int
    recovery_bar: int | None
    peak_ms: int
    trough_ms: int
    recovery_ms: int | None
    duration_bars: int
    duration_ms: int

    @property
    def recovered(self) -> bool:
        return self.recovery_bar is not None


def drawdown_series(equity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``equity / running peak - 1`` per bar (0 at new highs; 0 where no positive peak yet)."""
    eq = np.asarray(equity, dtype=np.float64)
    if eq.size == 0:
        return eq.copy()
    peak = np.fmax.accumulate(eq)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, eq / peak - 1.0, 0.0)
    return np.nan_to_num(dd, nan=0.0, posinf=0.0, neginf=0.0)


def max_drawdown_info(
    equity: npt.NDArray[np.float64], timestamp_ms: npt.NDArray[np.int64]
) -> Drawdown | None:
    """The deepest drawdown, or ``None`` when the curve never falls below a previous peak."""
    dd = drawdown_series(equity)
    if dd.size < 2 or not dd.min() < 0:
        return None
    trough = int(np.argmin(dd))
    eq = np.asarray(equity, dtype=np.float64)
    head = eq[: trough + 1]
    peak = int(np.flatnonzero(head == head.max())[-1])  # the last bar at the high before the fall
    after = np.flatnonzero(eq[trough:] >= eq[peak])
    recovery = trough + int(after[0]) if after.size else None
    end = recovery if recovery is not None else eq.size - 1
    ts = np.asarray(timestamp_ms, dtype=np.int64)
    return Drawdown(
        depth=float(dd[trough]),
        peak_bar=peak,
        trough_bar=trough,
        recovery_bar=recovery,
        peak_ms=int(ts[peak]),
        trough_ms=int(ts[trough]),
        recovery_ms=int(ts[recovery]) if recovery is not None else None,
        duration_bars=end - peak,
        duration_ms=int(ts[end] - ts[peak]),
    )


def longest_underwater_bars(equity: npt.NDArray[np.float64]) -> int:
    """The most consecutive bars below a previous peak (any drawdown, not only the deepest)."""
    under = drawdown_series(equity) < 0
    if not under.any():
        return 0
    padded = np.concatenate(([0], under.astype(np.int8), [0]))
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return int((ends - starts).max())
