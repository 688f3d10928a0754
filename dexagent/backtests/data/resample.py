"""Aggregate bars into a coarser timeframe, vectorized, with buckets on UTC epoch multiples.

A bucket holds the source bars whose open time ``t`` has ``t // step == k``; it is emitted only if
at least one source bar falls in it (gaps stay gaps). Buckets at the edges or around a gap may
hold fewer bars than a full period. Weekly buckets start on Thursday 00:00 UTC (the epoch's
weekday), unlike exchange weeks which start on Monday.
"""

from __future__ import annotations

import numpy as np

from dexagent.backtests.data.timeframes import format_timeframe, parse_timeframe
from dexagent.backtests.data.validate import infer_timeframe_ms
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, DataError


def resample(bars: Bars, timeframe: str) -> Bars:
    """open=first, high=max, low=min, close=last, volume=sum per ``timeframe`` bucket."""
    target = parse_timeframe(timeframe)
    source = bars.timeframe_ms or infer_timeframe_ms(bars.timestamp_ms)
    if source <= 0:
        raise ConfigError(
            f"cannot resample {bars.symbol or 'bars'} to {timeframe}: the source timeframe is "
            "unknown (fewer than two bars and no timeframe_ms)"
        )
    if target <= source or target % source:
        raise ConfigError(
            f"cannot resample {format_timeframe(source)} bars to {timeframe!r}: the target must "
            f"be coarser than {format_timeframe(source)} and a whole multiple of it "
            f"(e.g. {format_timeframe(source * 3)} or {format_timeframe(source * 12)})"
        )
    ts = bars.timestamp_ms
    if len(bars) == 0:
        return Bars(
            ts, bars.open, bars.high, bars.low, bars.close, bars.volume, bars.symbol, target
        )
    if np.any(np.diff(ts) <= 0):
        raise DataError(
            "cannot resample: timestamps are not strictly increasing; load the data with "
            "load_bars (which validates) or sort and de-duplicate it first"
        )
    bucket = (ts // target) * target
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ends = np.r_[starts[1:], len(ts)] - 1
    return Bars(
        timestamp_ms=bucket[starts],
        open=bars.open[starts],
        high=np.maximum.reduceat(bars.high, starts),
        low=np.minimum.reduceat(bars.low, starts),
        close=bars.close[ends],
        volume=np.add.reduceat(bars.volume, starts),
        symbol=bars.symbol,
        timeframe_ms=target,
    )
