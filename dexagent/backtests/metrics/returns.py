"""Return-series statistics with empyrical's semantics, vectorized with numpy.

Inputs are simple (not log) returns per period as a 1-D float array; NaNs are skipped the way
empyrical skips them (``nanmean``/``nanstd``; a NaN return compounds as 0). ``periods_per_year``
is empyrical's annualization factor (252 daily, 52 weekly, 12 monthly; 105,120 for 5-minute bars
around the clock). ``risk_free`` and ``required_return`` are per period and may be a scalar or an
array as long as ``returns``. Undefined results are NaN (or ±inf where empyrical gives ±inf);
callers that report numbers turn those into ``None``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Threshold = float | FloatArray

DAILY = 252.0

__all__ = [
    "DAILY",
    "annual_return",
    "annual_volatility",
    "cagr",
    "calmar_ratio",
    "cum_returns",
    "cum_returns_final",
    "downside_risk",
    "max_drawdown",
    "omega_ratio",
    "sharpe_ratio",
    "sortino_ratio",
    "stability_of_timeseries",
    "tail_ratio",
]


def _arr(returns: npt.ArrayLike) -> FloatArray:
    out = np.asarray(returns, dtype=np.float64)
    if out.ndim != 1:
        raise ValueError(f"returns must be one-dimensional, got shape {out.shape}")
    return out


def _adjust(returns: FloatArray, by: Threshold) -> FloatArray:
    if np.isscalar(by) and by == 0:
        return returns
    return np.asarray(returns - by, dtype=np.float64)


def cum_returns(returns: npt.ArrayLike, starting_value: float = 0.0) -> FloatArray:
    """Compounded returns; with ``starting_value`` > 0 the wealth path instead (NaN counts as 0)."""
    r = _arr(returns)
    if r.size == 0:
        return r.copy()
    growth = np.cumprod(1.0 + np.nan_to_num(r, nan=0.0))
    out = growth - 1.0 if starting_value == 0 else growth * starting_value
    return np.asarray(out, dtype=np.float64)


def cum_returns_final(returns: npt.ArrayLike, starting_value: float = 0.0) -> float:
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    growth = float(np.nanprod(1.0 + r))
    return growth - 1.0 if starting_value == 0 else growth * starting_value


def annual_return(returns: npt.ArrayLike, *, periods_per_year: float = DAILY) -> float:
    """CAGR: ``(1 + total) ** (periods_per_year / n) - 1``; n counts every row, NaNs included."""
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    years = r.size / periods_per_year
    ending = cum_returns_final(r, starting_value=1.0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return float(np.power(ending, 1.0 / years) - 1.0)


cagr = annual_return


def annual_volatility(returns: npt.ArrayLike, *, periods_per_year: float = DAILY) -> float:
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nanstd(r, ddof=1) * math.sqrt(periods_per_year))


def sharpe_ratio(
    returns: npt.ArrayLike, risk_free: Threshold = 0.0, *, periods_per_year: float = DAILY
) -> float:
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    adj = _adjust(r, risk_free)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.divide(np.nanmean(adj), np.nanstd(adj, ddof=1))
        return float(ratio * math.sqrt(periods_per_year))


def downside_risk(
    returns: npt.ArrayLike, required_return: Threshold = 0.0, *, periods_per_year: float = DAILY
) -> float:
    """Annualized root-mean-square of the shortfall below ``required_return``."""
    r = _arr(returns)
    if r.size < 1:
        return math.nan
    shortfall = np.clip(_adjust(r, required_return), -np.inf, 0.0)
    with np.errstate(invalid="ignore"):
        return float(np.sqrt(np.nanmean(np.square(shortfall))) * math.sqrt(periods_per_year))


def sortino_ratio(
    returns: npt.ArrayLike, required_return: Threshold = 0.0, *, periods_per_year: float = DAILY
) -> float:
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    mean_annual = np.nanmean(_adjust(r, required_return)) * periods_per_year
    risk = downside_risk(r, required_return, periods_per_year=periods_per_year)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.divide(mean_annual, risk))


def max_drawdown(returns: npt.ArrayLike) -> float:
    """Deepest fall from a running peak, as a fraction <= 0 (wealth starts at 1 before r[0])."""
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    wealth = np.concatenate(([100.0], cum_returns(r, starting_value=100.0)))
    peak = np.fmax.accumulate(wealth)
    return float(np.nanmin((wealth - peak) / peak))


def calmar_ratio(returns: npt.ArrayLike, *, periods_per_year: float = DAILY) -> float:
    dd = max_drawdown(returns)
    if not dd < 0:
        return math.nan
    ratio = annual_return(returns, periods_per_year=periods_per_year) / abs(dd)
    return math.nan if math.isinf(ratio) else ratio


def omega_ratio(
    returns: npt.ArrayLike,
    risk_free: Threshold = 0.0,
    required_return: float = 0.0,
    *,
    periods_per_year: float = DAILY,
) -> float:
    """Gains over losses around a threshold; ``required_return`` is annual, de-annualized here."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    if periods_per_year == 1:
        threshold = required_return
    elif required_return <= -1:
        return math.nan
    else:
        threshold = (1.0 + required_return) ** (1.0 / periods_per_year) - 1.0
    excess = r - risk_free - threshold
    gains = float(np.sum(excess[excess > 0]))
    losses = -float(np.sum(excess[excess < 0]))
    return gains / losses if losses > 0 else math.nan


def tail_ratio(returns: npt.ArrayLike) -> float:
    """|95th percentile| / |5th percentile| of the non-NaN returns."""
    r = _arr(returns)
    r = r[~np.isnan(r)]
    if r.size < 1:
        return math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.abs(np.percentile(r, 95)) / np.abs(np.percentile(r, 5)))


def stability_of_timeseries(returns: npt.ArrayLike) -> float:
    """R² of a straight-line fit to cumulative log returns (1.0 = perfectly steady growth)."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    r = r[~np.isnan(r)]
    if r.size < 2:
        return math.nan
    y = np.cumsum(np.log1p(r))
    x = np.arange(r.size, dtype=np.float64)
    x_c = x - x.mean()
    y_c = y - y.mean()
    ss_y = float(np.dot(y_c, y_c))
    if ss_y == 0:
        return math.nan
    r_value = float(np.dot(x_c, y_c)) / math.sqrt(float(np.dot(x_c, x_c)) * ss_y)
    return min(1.0, max(-1.0, r_value)) ** 2
