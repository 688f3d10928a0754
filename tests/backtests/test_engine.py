"""The engine through the one kernel: fill convention, hand-computed trades, both paths agree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dexagent.backtests.engine import FillAt, run_kernel_over_bars
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.intents import Side
from dexagent.core.kernel import Kernel
from dexagent.core.policy_gate import AllowAll
from dexagent.core.portfolio import Portfolio
from dexagent.strategies.base import SignalStrategy
from dexagent.strategies.grid import Grid, GridParams
from dexagent.strategies.sma_cross import SmaCross, SmaCrossParams
from tests.support import PAIR, gbm_bars, make_bars


def _kernel(fee_bps: str = "30", usdt: int = 1_000_000_000) -> tuple[Kernel, TakerVenue]:
    portfolio = Portfolio({"USDT": usdt, "WETH": 0})
    venue = TakerVenue(portfolio.view, fee_bps=Decimal(fee_bps), half_spread_bps=Decimal(0))
    kernel = Kernel(
        agent_id="t",
        portfolio=portfolio,
        venue=venue,
        policy=AllowAll(),
        audit=MemoryAuditSink(),
    )
    return kernel, venue


class BarByBar:
    """Wraps a signal strategy so the engine cannot shortcut: on_bar runs on every bar."""

    name = "sma_cross"

    def __init__(self, inner: SignalStrategy) -> None:
        self.inner, self.params, self.pair = inner, inner.params, inner.pair
        self.calls = 0

    def prepare(self, bars):  # type: ignore[no-untyped-def]
        self.inner.prepare(bars)

    def on_bar(self, view):  # type: ignore[no-untyped-def]
        self.calls += 1
        return self.inner.on_bar(view)


async def _run(strategy, bars, fill_at: FillAt = "next_open", **kw):  # type: ignore[no-untyped-def]
    kernel, venue = _kernel(**kw)
    run = await run_kernel_over_bars(bars, strategy, kernel, venue, fill_at=fill_at)
    return kernel, run


# closes chosen so SMA(2) crosses SMA(3) up at bar 3 and down at bar 6
CLOSES = [10, 10, 10, 12, 14, 13, 10, 9, 9]
OPENS = [10, 10, 10, 11, 13, 14, 12, 10, 9]


async def test_hand_computed_round_trip_at_next_open() -> None:
    bars = make_bars(CLOSES, OPENS)
    kernel, _ = await _run(SmaCross(PAIR, SmaCrossParams(fast=2, slow=3)), bars)
    fills = kernel.log.fills
    assert [(f.side, f.bar) for f in fills] == [(Side.BUY, 4), (Side.SELL, 7)]
    # buy: 1000 USDT, fee 0.3% = 3 USDT, 997 USDT at bar 4's open (13) -> WETH
    buy = fills[0]
    assert buy.amount_in == 1_000_000_000 and buy.fee_in == 3_000_000
    assert buy.amount_out == 997_000_000 * 10**12 // 13
    # sell every WETH at bar 7's open (10), fee 0.3% of the WETH
    sell = fills[1]
    assert sell.amount_in == buy.amount_out
    assert sell.fee_in == buy.amount_out * 3 // 1000
    assert sell.amount_out == (buy.amount_out - sell.fee_in) * 10 // 10**12
    assert kernel.portfolio.balance("WETH") == 0
    assert kernel.portfolio.balance("USDT") == sell.amount_out


async def test_fill_at_close_fills_on_the_signal_bar() -> None:
    bars = make_bars(CLOSES, OPENS)
    kernel, _ = await _run(SmaCross(PAIR, SmaCrossParams(fast=2, slow=3)), bars, "close")
    assert [(f.side, f.bar, f.ref_price) for f in kernel.log.fills] == [
        (Side.BUY, 3, Decimal(12)),
        (Side.SELL, 6, Decimal(10)),
    ]


async def test_fill_is_never_before_the_decision() -> None:
    bars = gbm_bars(5_000, seed=3)
    for fill_at in ("next_open", "close"):
        kernel, _ = await _run(SmaCross(PAIR, SmaCrossParams(fast=5, slow=20)), bars, fill_at)
        events = kernel.audit.events  # type: ignore[attr-defined]
        decided = {e.payload["order"]: e.timestamp_ms for e in events if e.kind == "decision"}
        assert kernel.log.fills
        for f in kernel.log.fills:
            gap = f.timestamp_ms - decided[f.client_order_id]
            assert gap == (3_600_000 if fill_at == "next_open" else 0)


async def test_vectorized_and_bar_by_bar_paths_make_identical_trades() -> None:
    bars = gbm_bars(20_000, seed=7)
    params = SmaCrossParams(fast=10, slow=40)
    k1, _ = await _run(SmaCross(PAIR, params), bars)

    wrapped = BarByBar(SmaCross(PAIR, params))
    k2, _ = await _run(wrapped, bars)
    assert wrapped.calls == len(bars)
    assert len(k1.log.fills) > 50
    assert k1.log.fills == k2.log.fills


async def test_decision_on_last_bar_is_not_filled_without_a_next_bar() -> None:
    bars = make_bars(CLOSES[:4], OPENS[:4])  # the up-cross happens on the last bar
    kernel, _ = await _run(SmaCross(PAIR, SmaCrossParams(fast=2, slow=3)), bars)
    assert kernel.log.decisions == 1 and kernel.log.fills == []


async def test_grid_runs_bar_by_bar_and_never_goes_negative() -> None:
    bars = gbm_bars(30_000, seed=11, vol=0.004)
    kernel, _ = await _run(
        Grid(PAIR, GridParams(spacing_pct=Decimal("0.5"), levels=20, amount=Decimal(100))), bars
    )
    assert kernel.log.fills
    assert all(v >= 0 for v in kernel.portfolio.snapshot().values())
    # sells with no inventory are capped to the balance, so none is rejected
    assert not kernel.log.rejections


@pytest.mark.parametrize("fee", ["0", "30", "100"])
async def test_fees_are_booked_on_every_fill(fee: str) -> None:
    bars = gbm_bars(3_000, seed=5)
    kernel, _ = await _run(SmaCross(PAIR, SmaCrossParams(fast=5, slow=20)), bars, fee_bps=fee)
    for f in kernel.log.fills:
        assert f.fee_in == f.amount_in * int(fee) // 10_000
