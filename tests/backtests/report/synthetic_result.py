"""A realistic BacktestResult built by hand: a random-walk price and all-in/all-out round trips
with a 0.3 % fee and gas, booked in exact integers. For report tests and for looking at a report.

Run ``.venv/bin/python -m tests.backtests.report.synthetic_result OUT_DIR`` to write one.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

from dexagent.backtests.result import BacktestResult
from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import price_decimal
from tests.support import PAIR

FIVE_MIN = 300_000
START_MS = 1_672_531_200_000  # 2023-01-01T00:00:00Z
FEE = Decimal("0.003")
GAS_QUOTE = 1_500_000  # 1.5 USDT
GAS_WEI = 600_000_000_000_000  # 0.0006 ETH


def synthetic_result(n_bars: int = 104_816, n_trips: int = 150, seed: int = 7) -> BacktestResult:
    rng = np.random.default_rng(seed)
    close = 1200.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0015, n_bars)))
    close[n_bars // 3] *= 1.08  # a one-bar spike the downsampled chart must keep
    ts = START_MS + FIVE_MIN * np.arange(n_bars, dtype=np.int64)
    marks = np.sort(rng.choice(np.arange(1, n_bars - 1), size=2 * n_trips, replace=False))
    quote_raw = 10_000 * PAIR.quote.unit
    base_raw = 0
    fills: list[Fill] = []
    holdings = np.zeros((n_bars, 2))  # quote, base (human, floats for the curve)
    fee_total = Decimal(0)
    last = 0
    for k, bar in enumerate(marks.tolist()):
        holdings[last:bar] = (quote_raw / PAIR.quote.unit, base_raw / PAIR.base.unit)
        px = price_decimal(close[bar])
        if k % 2 == 0:
            spend = quote_raw - GAS_QUOTE
            fee = int(Decimal(spend) * FEE)
            got = PAIR.base_raw_for(spend - fee, px)
            fills.append(_fill(k, bar, int(ts[bar]), Side.BUY, spend, got, fee, px))
            quote_raw, base_raw = quote_raw - spend - GAS_QUOTE, base_raw + got
            fee_total += PAIR.quote.to_decimal(fee)
        else:
            fee = int(Decimal(base_raw) * FEE)
            got = PAIR.quote_raw_for(base_raw - fee, px)
            fills.append(_fill(k, bar, int(ts[bar]), Side.SELL, base_raw, got, fee, px))
            quote_raw, base_raw = quote_raw + got - GAS_QUOTE, 0
            fee_total += PAIR.quote.to_decimal(PAIR.quote_raw_for(fee, px))
        last = bar
    holdings[last:] = (quote_raw / PAIR.quote.unit, base_raw / PAIR.base.unit)
    base_val = holdings[:, 1] * close
    equity = holdings[:, 0] + base_val
    return BacktestResult(
        pair=PAIR,
        timestamp_ms=ts,
        close=close,
        equity=equity,
        exposure=np.where(equity > 0, base_val / equity, 0.0),
        fills=fills,
        denials=[],
        rejections=[],
        starting_equity=Decimal(10_000),
        final_equity=PAIR.quote.to_decimal(quote_raw)
        + PAIR.base.to_decimal(base_raw) * price_decimal(close[-1]),
        fees_quote=fee_total,
        gas_quote=PAIR.quote.to_decimal(GAS_QUOTE * len(fills)),
        periods_per_year=365 * 24 * 12,
        strategy="random_entries",
        params={"trips": n_trips, "seed": seed, "note": "<script>alert('x')</script>"},
        venue="uniswap_v2_sim",
        fill_at="next_open",
        decisions=len(fills) * 3,
    )


def _fill(
    k: int, bar: int, t: int, side: Side, paid: int, got: int, fee: int, ref: Decimal
) -> Fill:
    base, quote = (got, paid) if side is Side.BUY else (paid, got)
    return Fill(
        f"ord-{k:05d}",
        PAIR,
        side,
        paid,
        got,
        fee,
        PAIR.price_of(base, quote),
        ref,
        gas_native=GAS_WEI,
        gas_quote=GAS_QUOTE,
        timestamp_ms=t,
        bar=bar,
        venue="uniswap_v2_sim",
        tx_hash=f"0x{k:064x}",
    )


if __name__ == "__main__":
    from dexagent.backtests.metrics import compute_metrics
    from dexagent.backtests.report import format_summary, write_report

    result = synthetic_result()
    metrics = compute_metrics(result)
    paths = write_report(result, metrics, Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rpt"))
    print(format_summary(metrics))
    print(paths)
