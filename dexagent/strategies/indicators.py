"""Causal, vectorized indicators: the value at index t uses only inputs at indices <= t.

NaN marks the warm-up where an indicator is not defined yet. Floats are fine here: indicators
only decide *when* to trade; amounts are computed exactly elsewhere.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

F64 = npt.NDArray[np.float64]


def sma(x: F64, n: int) -> F64:
    out = np.full(x.shape, np.nan)
    if n <= 0 or x.shape[0] < n:
        return out
    c = np.cumsum(np.insert(x, 0, 0.0))
    out[n - 1 :] = (c[n:] - c[:-n]) / n
    return out


def ema(x: F64, n: int) -> F64:
    """Exponential moving average with alpha = 2/(n+1), seeded with the first value."""
    alpha = 2.0 / (n + 1)
    return _ewm(x, alpha, warmup=n)


def _ewm(x: F64, alpha: float, warmup: int) -> F64:
    import pandas as pd

    out = pd.Series(x).ewm(alpha=alpha, adjust=False).mean().to_numpy(dtype=np.float64)
    out[: max(warmup - 1, 0)] = np.nan
    return out


def rsi(close: F64, n: int) -> F64:
    """Wilder's RSI (smoothing alpha = 1/n)."""
    out = np.full(close.shape, np.nan)
    if close.shape[0] <= n:
        return out
    d = np.diff(close, prepend=close[0])
    gain = np.where(d > 0, d, 0.0)
    loss = np.where(d < 0, -d, 0.0)
    import pandas as pd

    ag = pd.Series(gain[1:]).ewm(alpha=1.0 / n, adjust=False).mean().to_numpy()
    al = pd.Series(loss[1:]).ewm(alpha=1.0 / n, adjust=False).mean().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = ag / al
        r = np.where(al == 0, 100.0, 100.0 - 100.0 / (1.0 + rs))
    out[1:] = r
    out[:n] = np.nan
    return out


def rolling_max(x: F64, n: int) -> F64:
    out = np.full(x.shape, np.nan)
    if x.shape[0] >= n:
        out[n - 1 :] = sliding_window_view(x, n).max(axis=1)
    return out


def rolling_min(x: F64, n: int) -> F64:
    out = np.full(x.shape, np.nan)
    if x.shape[0] >= n:
        out[n - 1 :] = sliding_window_view(x, n).min(axis=1)
    return out


def rolling_std(x: F64, n: int) -> F64:
    out = np.full(x.shape, np.nan)
    if x.shape[0] >= n:
        out[n - 1 :] = sliding_window_view(x, n).std(axis=1)
    return out


def shift(x: F64, k: int = 1) -> F64:
    """``x`` delayed by ``k`` bars (the value at t is x[t-k]): keeps a signal causal."""
    out = np.full(x.shape, np.nan)
    if k < x.shape[0]:
        out[k:] = x[:-k] if k else x
    return out


def hold_between(enter: npt.NDArray[np.bool_], exit_: npt.NDArray[np.bool_]) -> F64:
    """1.0 from an ``enter`` bar until the next ``exit_`` bar, else 0.0 (exit wins on ties)."""
    state = np.full(enter.shape, np.nan)
    state[enter] = 1.0
    state[exit_] = 0.0
    return ffill(state, initial=0.0)


def ffill(x: F64, initial: float = np.nan) -> F64:
    """Carry the last non-NaN value forward; leading NaNs become ``initial``."""
    valid = ~np.isnan(x)
    idx = np.where(valid, np.arange(x.shape[0]), 0)
    np.maximum.accumulate(idx, out=idx)
    out = x[idx]
    if x.shape[0] and not valid[0]:
        first = np.argmax(valid) if valid.any() else x.shape[0]
        out[:first] = initial
    return out
