"""Market regime from causal, vectorized indicators: trend strength and realized volatility.

Trend strength is Kaufman's efficiency ratio (net move / path length over ``n`` bars, in
[0, 1]); volatility is the annualized standard deviation of log returns over ``n`` bars. Both
switch with hysteresis so a value hovering at a threshold does not flip the regime every bar.
The code at bar t uses bars <= t only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dexagent.core.bars import Bars
from dexagent.strategies.indicators import ffill

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
MS_PER_YEAR = 365 * 24 * 3600 * 1000

WARMUP = -1
CALM, HIGH, STORM = 0, 1, 2  # volatility levels


@dataclass(frozen=True, slots=True)
class Thresholds:
    trend_enter: float = 0.12  # efficiency ratio above which a range becomes a trend
    trend_exit: float = 0.08
    vol_high: float = 0.60  # annualized volatility levels (0.6 = 60%/year)
    vol_storm: float = 0.90
    vol_band: float = 0.05  # hysteresis below each volatility level


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Regime:
    code: int  # WARMUP, or trend (0/1) + 2 * volatility level
    trend_strength: float
    volatility: float

    @property
    def trending(self) -> bool:
        return self.code >= 0 and self.code % 2 == 1

    @property
    def vol_level(self) -> int:
        return self.code // 2 if self.code >= 0 else CALM

    @property
    def label(self) -> str:
        if self.code < 0:
            return "warmup"
        vol = ("calm", "volatile", "storm")[self.vol_level]
        return f"{'trend' if self.trending else 'range'}/{vol}"


def periods_per_year(bars: Bars) -> float:
    tf = bars.timeframe_ms
    if not tf and len(bars) > 1:
        tf = int(np.median(np.diff(bars.timestamp_ms)))
    return MS_PER_YEAR / tf if tf > 0 else 365.0


def _rolling_sum(x: F64, n: int) -> F64:
    """Sum of each window of ``n`` consecutive values (length ``len(x) - n + 1``), O(len)."""
    c = np.concatenate(([0.0], np.cumsum(x)))
    return c[n:] - c[:-n]


def efficiency_ratio(close: F64, n: int) -> F64:
    out = np.full(close.shape, np.nan)
    if close.shape[0] <= n:
        return out
    lc = np.log(close)
    path = _rolling_sum(np.abs(np.diff(lc)), n)
    net = np.abs(lc[n:] - lc[:-n])
    with np.errstate(divide="ignore", invalid="ignore"):
        out[n:] = np.where(path > 1e-12, net / path, 0.0)
    clipped: F64 = np.clip(out, 0.0, 1.0)
    return clipped


def realized_vol(close: F64, n: int, per_year: float) -> F64:
    out = np.full(close.shape, np.nan)
    if close.shape[0] <= n:
        return out
    lr = np.diff(np.log(close))
    lr = lr - lr.mean()  # centred: the running sums below then lose no precision
    mean = _rolling_sum(lr, n) / n
    var = _rolling_sum(lr * lr, n) / n - mean * mean
    out[n:] = np.sqrt(np.maximum(var, 0.0) * per_year)
    return out


def _switch(x: F64, enter: float, exit_: float) -> F64:
    """1.0 from x > enter until x < exit_, else 0.0; NaN where x is NaN."""
    state = np.full(x.shape, np.nan)
    with np.errstate(invalid="ignore"):
        state[x > enter] = 1.0
        state[x < exit_] = 0.0
    out = ffill(state, initial=0.0)
    out[np.isnan(x)] = np.nan
    return out


def regime_codes(bars: Bars, n: int, th: Thresholds = DEFAULT_THRESHOLDS) -> I64:
    """The regime code at every bar (WARMUP where fewer than ``n + 1`` bars are known)."""
    return _codes(*_indicators(bars, n), th)


def _indicators(bars: Bars, n: int) -> tuple[F64, F64]:
    return efficiency_ratio(bars.close, n), realized_vol(bars.close, n, periods_per_year(bars))


def _codes(er: F64, vol: F64, th: Thresholds) -> I64:
    trend = _switch(er, th.trend_enter, th.trend_exit)
    high = _switch(vol, th.vol_high, th.vol_high - th.vol_band)
    storm = _switch(vol, th.vol_storm, th.vol_storm - th.vol_band)
    code = trend + 2 * np.maximum(high, 2 * storm)
    return np.where(np.isnan(code), WARMUP, code).astype(np.int64)


def current_regime(bars: Bars, n: int, th: Thresholds = DEFAULT_THRESHOLDS) -> Regime:
    """The regime at the last bar of ``bars`` from the last ``n + 1`` closes alone.

    Without a path there is no hysteresis: each threshold sits midway between its enter and
    exit levels. (``regime_codes`` is the path-dependent series, used to time decisions.)
    """
    if len(bars) <= n:
        return Regime(WARMUP, float("nan"), float("nan"))
    lc = np.log(bars.close[-n - 1 :])
    d = np.diff(lc)
    path = float(np.abs(d).sum())
    er = min(1.0, abs(float(lc[-1] - lc[0])) / path) if path > 1e-12 else 0.0
    vol = float(d.std()) * float(np.sqrt(periods_per_year(bars)))
    trending = er >= (th.trend_enter + th.trend_exit) / 2
    half = th.vol_band / 2
    level = STORM if vol >= th.vol_storm - half else HIGH if vol >= th.vol_high - half else CALM
    return Regime(int(trending) + 2 * level, er, vol)
