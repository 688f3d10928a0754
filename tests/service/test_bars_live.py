"""Bars from chain samples: bucketed by block time, closed by the first later sample."""

from __future__ import annotations

from dexagent.service.bars_live import BarBuilder, LiveHistory
from dexagent.service.journal import BarRow


def test_a_bar_closes_when_a_sample_of_a_later_bar_arrives() -> None:
    b = BarBuilder(60_000)
    assert b.add(60_000, 10.0) is None
    assert b.add(70_000, 12.0) is None
    assert b.add(110_000, 9.0) is None
    closed = b.add(185_000, 11.0)  # skips the empty bar 120_000: none is invented
    assert closed == BarRow(60_000, 10.0, 12.0, 9.0, 9.0, 0.0)
    assert b.add(100_000, 1.0) is None  # a stale read never reopens the past


def test_after_a_restart_bars_already_decided_are_not_built_again() -> None:
    b = BarBuilder(60_000, after_ms=120_000)
    assert b.add(150_000, 1.0) is None
    assert b.add(170_000, 2.0) is None
    assert b.add(190_000, 3.0) is None  # first sample of the open bar 180_000
    closed = b.add(240_000, 4.0)
    assert closed is not None and closed.ts_ms == 180_000


def test_history_keeps_the_newest_bars_up_to_its_cap() -> None:
    h = LiveHistory("WETH/USDC", 1000, cap=10)
    for i in range(35):
        h.append(BarRow(i * 1000, i, i, i, float(i), 0.0))
    bars = h.bars()
    assert len(bars) == 10
    assert bars.timestamp_ms.tolist() == [i * 1000 for i in range(25, 35)]
    assert bars.close.tolist() == [float(i) for i in range(25, 35)]
