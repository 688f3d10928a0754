"""Columnar OHLCV bars: one numpy array per field, never one object per bar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_A = TypeVar("_A", F64, I64)


@dataclass(frozen=True, slots=True, eq=False)
class Bars:
    """OHLCV history. ``timestamp_ms`` is each bar's open time in UTC milliseconds.

    Prices are float64 here because indicators are vectorized float math; whenever a price
    becomes money (a fill, a reference price) it is converted to ``Decimal`` exactly.
    """

    timestamp_ms: I64
    open: F64
    high: F64
    low: F64
    close: F64
    volume: F64
    symbol: str = ""
    timeframe_ms: int = 0

    def __len__(self) -> int:
        return int(self.timestamp_ms.shape[0])

    def head(self, n: int) -> Bars:
        """The first ``n`` bars (views, no copy): the history as it was known at bar n-1."""
        return Bars(
            self.timestamp_ms[:n],
            self.open[:n],
            self.high[:n],
            self.low[:n],
            self.close[:n],
            self.volume[:n],
            self.symbol,
            self.timeframe_ms,
        )

    def slice(self, start: int, stop: int) -> Bars:
        return Bars(
            self.timestamp_ms[start:stop],
            self.open[start:stop],
            self.high[start:stop],
            self.low[start:stop],
            self.close[start:stop],
            self.volume[start:stop],
            self.symbol,
            self.timeframe_ms,
        )

    def readonly(self) -> Bars:
        """The same bars with write-protected arrays (handed to strategies and agents)."""
        return Bars(
            _frozen(self.timestamp_ms),
            _frozen(self.open),
            _frozen(self.high),
            _frozen(self.low),
            _frozen(self.close),
            _frozen(self.volume),
            self.symbol,
            self.timeframe_ms,
        )


def _frozen(a: _A) -> _A:
    v = a.view()
    v.flags.writeable = False
    return v
