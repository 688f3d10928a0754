"""Compounding per-bar returns into calendar periods (empyrical's ``aggregate_returns``)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

Calendar = Literal["weekly", "monthly", "quarterly", "yearly"]


def aggregate_returns(
    returns: npt.ArrayLike, timestamp_ms: npt.ArrayLike, convert_to: Calendar
) -> tuple[list[tuple[int, ...]], npt.NDArray[np.float64]]:
    """Compound returns per calendar period (UTC), in period order.

    Keys are ``(year,)``, ``(year, month)``, ``(year, quarter)`` or ``(year, ISO week)``, exactly as
    empyrical groups them (so a late-December day in ISO week 1 lands in ``(year, 1)``).
    """
    r = np.asarray(returns, dtype=np.float64)
    ts = pd.DatetimeIndex(pd.to_datetime(np.asarray(timestamp_ms, dtype=np.int64), unit="ms"))
    if r.shape != (len(ts),):
        raise ValueError(f"{r.size} returns but {len(ts)} timestamps")
    year = ts.year.to_numpy()
    if convert_to == "yearly":
        keys = [year]
    elif convert_to == "monthly":
        keys = [year, ts.month.to_numpy()]
    elif convert_to == "quarterly":
        keys = [year, (ts.month.to_numpy() + 2) // 3]
    elif convert_to == "weekly":
        keys = [year, ts.isocalendar()["week"].to_numpy()]
    else:
        raise ValueError(f"convert_to must be weekly, monthly, quarterly or yearly: {convert_to!r}")
    growth = pd.Series(1.0 + np.nan_to_num(r, nan=0.0)).groupby(keys, sort=True).prod()
    labels = [
        tuple(int(k) for k in (key if isinstance(key, tuple) else (key,))) for key in growth.index
    ]
    return labels, np.asarray(growth.to_numpy(dtype=np.float64) - 1.0, dtype=np.float64)
