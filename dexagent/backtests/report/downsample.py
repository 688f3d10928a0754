"""Shrinking long series for plotting without losing spikes: min and max of every bucket."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.intp]


def minmax_indices(values: npt.NDArray[np.float64], max_points: int = 4000) -> IntArray:
    """Sorted indices to plot: all of them if few, else each bucket's min and max, plus ends.

    ``max_points`` bounds the result (two points per bucket). NaNs never win a bucket unless the
    whole bucket is NaN.
    """
    y = np.asarray(values, dtype=np.float64)
    n = y.size
    if n <= max_points:
        return np.arange(n, dtype=np.intp)
    buckets = max(1, max_points // 2)
    size = -(-n // buckets)  # ceil
    padded = np.full(buckets * size, np.nan)
    padded[:n] = y
    grid = padded.reshape(buckets, size)
    finite = ~np.isnan(grid)
    lo = np.argmin(np.where(finite, grid, np.inf), axis=1)
    hi = np.argmax(np.where(finite, grid, -np.inf), axis=1)
    base = np.arange(buckets, dtype=np.intp) * size
    idx = np.concatenate((base + lo, base + hi, [0, n - 1]))
    return np.unique(idx[idx < n]).astype(np.intp)


def spread_indices(n: int, cap: int) -> IntArray:
    """At most ``cap`` indices spread evenly over ``range(n)`` (all of them when n <= cap)."""
    if n <= cap:
        return np.arange(n, dtype=np.intp)
    return np.unique(np.linspace(0, n - 1, cap).round().astype(np.intp))
