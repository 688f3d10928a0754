"""Resampling: epoch-aligned buckets, OHLCV aggregation, refusals, and the real 1h cross-check."""

from __future__ import annotations

import numpy as np
import pytest

from dexagent.backtests.data import bundled_dataset, load_bars, parse_timeframe, resample
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError

REF_1H = "/work/shared/data/market/cex/binance_spot_ETHUSDT_1h_2017-2023.csv.gz"
M5 = 300_000


def five_minute_bars(start_ms: int, closes: list[float]) -> Bars:
    c = np.array(closes)
    o = np.r_[c[0], c[:-1]]
    ts = start_ms + M5 * np.arange(len(c), dtype=np.int64)
    return Bars(
        ts, o, np.maximum(o, c) + 1, np.minimum(o, c) - 1, c, np.arange(1.0, len(c) + 1), "T", M5
    )


def test_parse_timeframe_units() -> None:
    assert [parse_timeframe(t) for t in ("30s", "15m", "1h", "4h", "1d", "1w")] == [
        30_000,
        900_000,
        3_600_000,
        14_400_000,
        86_400_000,
        604_800_000,
    ]
    with pytest.raises(ConfigError, match="not understood"):
        parse_timeframe("fifteen")


def test_resample_aggregates_first_max_min_last_sum_on_epoch_buckets() -> None:
    start = 1_672_531_200_000 + 2 * M5  # 00:10, so the first 15m bucket holds one bar
    bars = five_minute_bars(start, [10, 11, 9, 12, 13, 8, 7])
    out = resample(bars, "15m")
    assert out.timestamp_ms.tolist() == [start - 2 * M5, start + M5, start + 4 * M5]
    assert out.open.tolist() == [10, 10, 12]
    assert out.close.tolist() == [10, 12, 7]
    assert out.high.tolist() == [11, 13, 14]
    assert out.low.tolist() == [9, 8, 6]
    assert out.volume.tolist() == [1, 2 + 3 + 4, 5 + 6 + 7]
    assert out.timeframe_ms == 900_000 and out.symbol == "T"


def test_resample_leaves_empty_buckets_out() -> None:
    bars = five_minute_bars(0, [1, 2, 3, 4])
    gapped = Bars(
        bars.timestamp_ms + np.array([0, 0, 3_600_000, 3_600_000]),
        bars.open,
        bars.high,
        bars.low,
        bars.close,
        bars.volume,
        "T",
        M5,
    )
    out = resample(gapped, "1h")
    assert out.timestamp_ms.tolist() == [0, 3_600_000]
    assert out.volume.tolist() == [3, 7]


@pytest.mark.parametrize("target", ["5m", "1m", "7m", "1M"])
def test_resample_refuses_finer_or_non_multiple_timeframes(target: str) -> None:
    with pytest.raises(ConfigError):
        resample(five_minute_bars(0, [1, 2, 3]), target)


def test_resample_explains_the_refusal() -> None:
    with pytest.raises(ConfigError, match="must be coarser than 5m and a whole multiple"):
        resample(five_minute_bars(0, [1, 2, 3]), "7m")


def test_eth_5m_resampled_to_1h_equals_the_independent_binance_1h_file() -> None:
    hourly = resample(load_bars(bundled_dataset("ETH/USDT")), "1h")
    ref = load_bars(REF_1H)
    common, mine, theirs = np.intersect1d(
        hourly.timestamp_ms, ref.timestamp_ms, return_indices=True
    )
    assert len(common) == 5_125
    assert common[-1] == ref.timestamp_ms[-1]  # the reference's last hour is a partial candle
    full_mine, full_theirs = mine[:-1], theirs[:-1]
    for name in ("open", "high", "low", "close"):
        assert np.array_equal(getattr(hourly, name)[full_mine], getattr(ref, name)[full_theirs])
    assert np.allclose(hourly.volume[full_mine], ref.volume[full_theirs], rtol=1e-12, atol=0)
    assert hourly.high[mine[-1]] != ref.high[theirs[-1]]  # partial hour differs, as documented
    assert len(hourly) == 8_735  # 8,736 hours of 2023 to Dec 30 23:00, one lost in the halt
